// Cost of drift monitoring per request. The reference is built like a bundle's: FeatureSpec and
// profile (with exact drift bins) from 20,000 generated rows; requests are 10,000 other rows of
// the same data set, cycled.
//   prodcat_drift_bench [--benchmark_filter=Observe]
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <vector>

#include "prodcat/data/generator.h"
#include "prodcat/features/reference_profile.h"
#include "prodcat/monitoring/drift_monitor.h"

namespace {

using namespace prodcat;              // NOLINT: a benchmark program
using namespace prodcat::monitoring;  // NOLINT

struct Fixture {
  std::vector<ProductRecord> reference_rows;
  std::vector<ProductRecord> requests;
  std::unique_ptr<FeatureSpec> spec;
  std::shared_ptr<const DriftReference> reference;
};

void Check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    std::exit(1);
  }
}

const Fixture& Get() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    GeneratorOptions g;
    g.rows = 30000;
    g.seed = 5;
    size_t i = 0;
    Check(GenerateProducts(g, [&](const ProductRecord& r) {
      (i++ < 20000 ? f->reference_rows : f->requests).push_back(r);
      return Status::Ok();
    }));
    Check(FeatureSpec::Fit(f->reference_rows, FeatureSpecOptions(), &f->spec));
    nlohmann::json profile = BuildReferenceProfile(f->reference_rows, *f->spec);
    Check(AddDriftBins(f->reference_rows, *f->spec, &profile));
    std::unique_ptr<DriftReference> reference;
    Check(DriftReference::Create(profile, *f->spec, DriftOptions(), &reference));
    f->reference = std::move(reference);
    return f;
  }();
  return *fixture;
}

std::unique_ptr<DriftMonitor> NewMonitor() {
  std::unique_ptr<DriftMonitor> monitor;
  Check(DriftMonitor::Create(Get().reference, DriftOptions(), &monitor));
  return monitor;
}

void BM_Extract(benchmark::State& state) {
  const Fixture& f = Get();
  Observation obs;
  size_t i = 0;
  for (auto _ : state) {
    f.reference->Extract(f.requests[i++ % f.requests.size()], &obs);
    benchmark::DoNotOptimize(obs.numeric_bins.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Extract);

// The whole hot-path call: extraction outside the lock, then the critical section (time slice,
// count window eviction and insertion). Threads share one monitor, as server threads do.
void BM_Observe(benchmark::State& state) {
  static std::unique_ptr<DriftMonitor> monitor;
  if (state.thread_index() == 0) monitor = NewMonitor();
  const Fixture& f = Get();
  size_t i = static_cast<size_t>(state.thread_index()) * 997;
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    monitor->Observe(f.requests[i++ % f.requests.size()], 3, 0.9f, now);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Observe)->Threads(1)->Threads(2)->UseRealTime();

void BM_OutOfSupport(benchmark::State& state) {
  const Fixture& f = Get();
  const SupportLimits limits;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        f.reference->OutOfSupport(f.requests[i++ % f.requests.size()], limits));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OutOfSupport);

void BM_LevelCached(benchmark::State& state) {
  auto monitor = NewMonitor();
  const auto now = std::chrono::system_clock::now();
  (void)monitor->Report(now);
  for (auto _ : state) benchmark::DoNotOptimize(monitor->level(now));
}
BENCHMARK(BM_LevelCached);

// GET /drift: both windows full (1000 requests; time window of 30 slices).
void BM_Report(benchmark::State& state) {
  auto monitor = NewMonitor();
  const Fixture& f = Get();
  auto now = std::chrono::system_clock::now();
  for (size_t i = 0; i < 3000; ++i) {
    monitor->Observe(f.requests[i], 1, 0.8f, now);
    now += std::chrono::milliseconds(300);
  }
  for (auto _ : state) benchmark::DoNotOptimize(monitor->Report(now));
}
BENCHMARK(BM_Report)->Unit(benchmark::kMicrosecond);

}  // namespace
