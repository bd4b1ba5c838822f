// A/B experiment hot-path costs: Assign, Assign + RecordServed (one thread and several), the
// background writer's SQLite throughput, feedback throughput (matched in memory and in the
// store) and Summary latency. A plain program, not Google Benchmark: the writer thread and the
// store make whole workloads the meaningful unit.
//
//   prodcat_experiments_bench [--requests N] [--threads T] [--dir DIR] [--recent CAPACITY]
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "prodcat/experiments/experiment_manager.h"

namespace {

using prodcat::experiments::Assignment;
using prodcat::experiments::ExperimentManager;
using prodcat::experiments::ExperimentSpec;
using prodcat::experiments::FeedbackRequest;
using prodcat::experiments::FeedbackResult;
using prodcat::experiments::ManagerOptions;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the calling thread: on a shared machine it measures the work, not the waiting.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec * 1e-9;
}

std::string Numbered(const char* prefix, int64_t i) {
  std::string text(prefix);
  text += std::to_string(i);
  return text;
}

ExperimentSpec Spec(const std::string& id) {
  ExperimentSpec spec;
  spec.id = id;
  spec.arms = {{"A", "models:/cat@champion", 1}, {"B", "models:/cat/7", 1}};
  return spec;
}

std::unique_ptr<ExperimentManager> OpenFresh(const std::string& path, ManagerOptions options) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  std::unique_ptr<ExperimentManager> manager;
  prodcat::Status s = ExperimentManager::Open(path, options, &manager);
  if (!s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  return manager;
}

// Serves keys [begin, end) with realistic string sizes (36-byte request ids); returns the
// thread's CPU seconds.
double Serve(ExperimentManager& manager, int64_t begin, int64_t end) {
  double cpu = ThreadCpuSeconds();
  for (int64_t i = begin; i < end; ++i) {
    std::string key = Numbered("user-", i % 200000);
    std::optional<Assignment> a = manager.Assign(key);
    manager.RecordServed(a->experiment_id, a->arm, Numbered("0d9f1c2e-4b7a-4c1e-9a55-", i), key,
                         Numbered("SKU-", i % 50000), "Home & Kitchen", 0.87, 1.9);
  }
  return ThreadCpuSeconds() - cpu;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t requests = 1000000;
  int threads = 2;
  ManagerOptions serve_options;
  std::string dir = std::filesystem::temp_directory_path() / "prodcat_experiments_bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--requests")
      requests = std::atoll(argv[i + 1]);
    else if (flag == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--recent")
      serve_options.recent_capacity = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/bench.db";
  std::printf("requests %lld, threads %d, store %s\n", static_cast<long long>(requests), threads,
              path.c_str());

  {
    auto manager = OpenFresh(path, {});
    (void)manager->Create(Spec("assign-only"));
    std::vector<std::string> keys;
    for (int i = 0; i < 100000; ++i) keys.push_back(Numbered("user-", i));
    auto start = Clock::now();
    double cpu = ThreadCpuSeconds();
    uint64_t sink = 0;
    for (int64_t i = 0; i < requests; ++i) sink += manager->Assign(keys[i % keys.size()])->bucket;
    cpu = ThreadCpuSeconds() - cpu;
    double s = SecondsSince(start);
    std::printf(
        "Assign                          %8.0f ns/request wall, %6.0f ns CPU (checksum %llu)\n",
        s * 1e9 / requests, cpu * 1e9 / requests, static_cast<unsigned long long>(sink % 10));
  }

  {
    auto manager = OpenFresh(path, serve_options);
    (void)manager->Create(Spec("served-1t"));
    auto start = Clock::now();
    double cpu = Serve(*manager, 0, requests);
    double hot = SecondsSince(start);
    (void)manager->Flush();
    double total = SecondsSince(start);
    std::printf(
        "Assign + RecordServed, 1 thread %8.0f ns/request wall, %6.0f ns CPU (%.0f requests/s)\n",
        hot * 1e9 / requests, cpu * 1e9 / requests, requests / hot);
    std::printf(
        "  all rows committed after       %8.2f s            (writer keeps up with %.0f "
        "rows/s)\n",
        total, requests / total);
  }

  {
    auto manager = OpenFresh(path, serve_options);
    (void)manager->Create(Spec("served-mt"));
    std::vector<std::thread> workers;
    std::vector<double> cpu(static_cast<size_t>(threads), 0);
    auto start = Clock::now();
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        cpu[t] = Serve(*manager, t * requests / threads, (t + 1) * requests / threads);
      });
    }
    for (std::thread& w : workers) w.join();
    double hot = SecondsSince(start);
    (void)manager->Flush();
    double total = SecondsSince(start);
    double cpu_total = 0;
    for (double c : cpu) cpu_total += c;
    std::printf(
        "Assign + RecordServed, %d threads %7.0f ns/request wall, %6.0f ns CPU (%.0f "
        "requests/s; committed after %.2f s)\n",
        threads, hot * 1e9 / requests, cpu_total * 1e9 / requests, requests / hot, total);
  }

  const int64_t feedbacks = std::min<int64_t>(requests, 200000);
  {
    ManagerOptions options;
    options.recent_capacity = static_cast<size_t>(feedbacks);
    auto manager = OpenFresh(path, options);
    (void)manager->Create(Spec("feedback-memory"));
    Serve(*manager, 0, feedbacks);
    auto start = Clock::now();
    double cpu = ThreadCpuSeconds();
    FeedbackResult result;
    for (int64_t i = 0; i < feedbacks; ++i) {
      FeedbackRequest request{Numbered("0d9f1c2e-4b7a-4c1e-9a55-", i), "",
                              i % 5 ? "Home & Kitchen" : "Garden"};
      if (!manager->RecordFeedback(request, &result).ok()) std::exit(2);
    }
    cpu = ThreadCpuSeconds() - cpu;
    double s = SecondsSince(start);
    std::printf(
        "RecordFeedback, recent (memory) %8.0f ns/feedback wall, %6.0f ns CPU (%.0f "
        "feedbacks/s)\n",
        s * 1e9 / feedbacks, cpu * 1e9 / feedbacks, feedbacks / s);
    start = Clock::now();
    const int summaries = 1000;
    for (int i = 0; i < summaries; ++i) (void)manager->Summary("feedback-memory");
    std::printf("Summary                         %8.1f us/call\n",
                SecondsSince(start) * 1e6 / summaries);
  }

  {
    ManagerOptions options;
    options.recent_capacity = 1;  // every feedback is matched in the store
    auto manager = OpenFresh(path, options);
    (void)manager->Create(Spec("feedback-store"));
    Serve(*manager, 0, feedbacks);
    (void)manager->Flush();
    const int64_t n = std::min<int64_t>(feedbacks, 20000);
    auto start = Clock::now();
    FeedbackResult result;
    for (int64_t i = 0; i < n; ++i) {
      FeedbackRequest request{Numbered("0d9f1c2e-4b7a-4c1e-9a55-", i * (feedbacks / n)), "",
                              "Garden"};
      if (!manager->RecordFeedback(request, &result).ok()) std::exit(3);
    }
    double s = SecondsSince(start);
    std::printf("RecordFeedback, older (store)   %8.0f ns/feedback  (%.0f feedbacks/s)\n",
                s * 1e9 / n, n / s);
    manager.reset();
    auto reopened_start = Clock::now();
    std::unique_ptr<ExperimentManager> reopened;
    (void)ExperimentManager::Open(path, &reopened);
    std::printf("Open (rebuild %lld assignments, %lld feedbacks) %.3f s\n",
                static_cast<long long>(feedbacks), static_cast<long long>(n),
                SecondsSince(reopened_start));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
