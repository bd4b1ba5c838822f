// DriftMonitor: count-window eviction, time-slice expiry, the insufficient-data guard, KS in small
// windows, statuses, the cached level, gauges and concurrent use; DriftOptions overrides.
#include "prodcat/monitoring/drift_monitor.h"

#include <gtest/gtest.h>

#include <thread>

#include "monitoring_test_util.h"

namespace prodcat::monitoring {
namespace {

using namespace std::chrono_literals;
using testing::FitSpec;
using testing::MakeReference;
using testing::Profile;
using testing::Rows;
using TimePoint = DriftMonitor::TimePoint;

// A slice boundary for every slice length used here (a multiple of 60 s).
const TimePoint kT0{std::chrono::seconds(1'700'000'040)};

class DriftMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rows_ = Rows(400);
    spec_ = FitSpec(rows_);
    profile_ = Profile(rows_, *spec_);
  }

  std::unique_ptr<DriftMonitor> Monitor(const DriftOptions& options) {
    std::unique_ptr<DriftMonitor> monitor;
    const Status s =
        DriftMonitor::Create(MakeReference(profile_, *spec_, options), options, &monitor);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return monitor;
  }

  // Observes rows_[first, first + n) (cycling), with `price_factor` applied to the price.
  void Feed(DriftMonitor* m, size_t first, size_t n, TimePoint at, double price_factor = 1) {
    for (size_t i = first; i < first + n; ++i) {
      ProductRecord r = rows_[i % rows_.size()];
      r.price = *r.price * price_factor;
      m->Observe(r, -1, 0, at);
    }
  }

  std::vector<ProductRecord> rows_;
  std::unique_ptr<FeatureSpec> spec_;
  nlohmann::json profile_;
};

double PriceMean(const nlohmann::json& report, const char* window) {
  return report["windows"][window]["numeric"]["price"]["mean"].get<double>();
}

TEST_F(DriftMonitorTest, CountWindowEvictsTheOldest) {
  DriftOptions o;
  o.count_window = 200;
  auto m = Monitor(o);
  Feed(m.get(), 0, 200, kT0);
  nlohmann::json r = m->Report(kT0);
  EXPECT_EQ(r["windows"]["count"]["observations"], 200);
  // Prices (i % 40 + 1) * 1.25 over 200 rows: mean (1 + ... + 40) / 40 * 1.25 = 25.625.
  EXPECT_NEAR(PriceMean(r, "count"), 25.625, 1e-4);
  EXPECT_EQ(r["windows"]["count"]["status"], "ok");

  // 120 rows at ten times the price push out the 120 oldest: mean = (80 * 25.625 + 120 *
  // 256.25) / 200 = 164.
  Feed(m.get(), 200, 120, kT0, 10);
  r = m->Report(kT0);
  EXPECT_EQ(r["windows"]["count"]["observations"], 200);
  EXPECT_NEAR(PriceMean(r, "count"), 164.0, 1e-3);
  EXPECT_EQ(r["windows"]["count"]["numeric"]["price"]["status"], "alert");
  EXPECT_EQ(r["windows"]["count"]["status"], "alert");
  // The time window keeps everything: 320 observations.
  EXPECT_EQ(r["windows"]["time"]["observations"], 320);

  // 200 normal rows replace the whole window: back to the reference distribution.
  Feed(m.get(), 0, 200, kT0);
  r = m->Report(kT0);
  EXPECT_NEAR(PriceMean(r, "count"), 25.625, 1e-3);
  EXPECT_NEAR(r["windows"]["count"]["numeric"]["price"]["psi"].get<double>(), 0.0, 1e-9);
  EXPECT_EQ(r["windows"]["count"]["status"], "ok");
}

TEST_F(DriftMonitorTest, TimeSlicesExpire) {
  DriftOptions o;
  o.time_window = 60s;
  o.time_slices = 6;  // 10 s slices
  o.min_observations = 10;
  auto m = Monitor(o);
  Feed(m.get(), 0, 30, kT0 + 1s);
  Feed(m.get(), 30, 40, kT0 + 25s);
  auto time_count = [&](TimePoint at) {
    return m->Report(at)["windows"]["time"]["observations"].get<int>();
  };
  EXPECT_EQ(time_count(kT0 + 55s), 70);
  // At 65 s the live slices are [10 s, 70 s): the first slice (0-10 s) has expired.
  EXPECT_EQ(time_count(kT0 + 65s), 40);
  // At 95 s the live slices are [40 s, 100 s): nothing left.
  const nlohmann::json r = m->Report(kT0 + 95s);
  EXPECT_EQ(r["windows"]["time"]["observations"], 0);
  EXPECT_EQ(r["windows"]["time"]["status"], "insufficient_data");
  EXPECT_EQ(r["windows"]["count"]["observations"], 70);  // the count window does not age

  // A new observation reusing the expired first slot starts it afresh.
  Feed(m.get(), 0, 1, kT0 + 61s);
  EXPECT_EQ(time_count(kT0 + 61s), 41);
  // One older than the whole window only counts in the count window.
  Feed(m.get(), 0, 1, kT0 - 300s);
  EXPECT_EQ(time_count(kT0 + 61s), 41);
  EXPECT_EQ(m->Report(kT0 + 61s)["windows"]["count"]["observations"], 72);
}

TEST_F(DriftMonitorTest, SmallWindowsNeverAlert) {
  DriftOptions o;
  o.min_observations = 100;
  auto m = Monitor(o);
  // 99 rows at 100 times the price: a huge shift, but too few observations to judge.
  Feed(m.get(), 0, 99, kT0, 100);
  nlohmann::json r = m->Report(kT0);
  EXPECT_EQ(r["status"], "insufficient_data");
  EXPECT_EQ(r["windows"]["count"]["numeric"]["price"]["status"], "insufficient_data");
  EXPECT_FALSE(r["windows"]["count"]["dataset_drift"].get<bool>());
  EXPECT_EQ(m->level(kT0), DriftLevel::kInsufficientData);
  // The 100th observation makes the window count: now the shift alerts. Under ks_max_window
  // (500) the numeric status comes from KS on the binned counts (exact reference bins).
  Feed(m.get(), 99, 1, kT0, 100);
  r = m->Report(kT0);
  const nlohmann::json& price = r["windows"]["count"]["numeric"]["price"];
  EXPECT_EQ(price["decided_by"], "ks");
  EXPECT_EQ(price["ks_method"], "bins");
  EXPECT_NEAR(price["ks_statistic"].get<double>(), 1.0, 1e-9);  // every price above the max
  EXPECT_EQ(price["status"], "alert");
  EXPECT_EQ(r["status"], "alert");
}

TEST_F(DriftMonitorTest, KsUsesTheRawSampleAgainstAReconstructedReference) {
  DriftOptions o;
  o.min_observations = 50;
  std::unique_ptr<DriftMonitor> m;
  ASSERT_TRUE(
      DriftMonitor::Create(MakeReference(Profile(rows_, *spec_, /*exact=*/false), *spec_, o), o, &m)
          .ok());
  Feed(m.get(), 0, 80, kT0);
  const nlohmann::json r = m->Report(kT0);
  const nlohmann::json& count_price = r["windows"]["count"]["numeric"]["price"];
  EXPECT_EQ(count_price["reference_bins"], "reconstructed");
  EXPECT_EQ(count_price["ks_method"], "sample");
  EXPECT_EQ(count_price["status"], "ok");
  EXPECT_EQ(r["windows"]["time"]["numeric"]["price"]["ks_method"], "bins");
  // At ks_max_window observations PSI takes over.
  o.ks_max_window = 80;
  ASSERT_TRUE(DriftMonitor::Create(MakeReference(profile_, *spec_, o), o, &m).ok());
  Feed(m.get(), 0, 80, kT0);
  const nlohmann::json big = m->Report(kT0)["windows"]["count"]["numeric"]["price"];
  EXPECT_EQ(big["decided_by"], "psi");
  EXPECT_FALSE(big.contains("ks_statistic"));
}

TEST_F(DriftMonitorTest, AlertCanRequireDatasetDrift) {
  DriftOptions o;
  o.alert_requires_dataset_drift = true;
  auto m = Monitor(o);
  Feed(m.get(), 0, 200, kT0, 100);  // only price drifts: 1 of the monitored features
  const nlohmann::json r = m->Report(kT0);
  const nlohmann::json& w = r["windows"]["count"];
  EXPECT_EQ(w["numeric"]["price"]["status"], "alert");
  EXPECT_FALSE(w["dataset_drift"].get<bool>());
  EXPECT_EQ(w["drifted_features"], nlohmann::json::array({"price"}));
  EXPECT_NEAR(w["drifted_feature_share"].get<double>(), 1.0 / w["features_evaluated"].get<double>(),
              1e-12);
  EXPECT_EQ(w["status"], "warning");
}

TEST_F(DriftMonitorTest, LevelIsCachedForTheRefreshInterval) {
  DriftOptions o;
  o.level_refresh = 1000ms;
  auto m = Monitor(o);
  EXPECT_EQ(m->level(kT0), DriftLevel::kInsufficientData);
  Feed(m.get(), 0, 200, kT0, 100);
  EXPECT_EQ(m->level(kT0 + 500ms), DriftLevel::kInsufficientData);  // cached
  EXPECT_EQ(m->level(kT0 + 1500ms), DriftLevel::kAlert);            // recomputed
  // Report() refreshes the cache too.
  Feed(m.get(), 0, 1000, kT0 + 1600ms);
  EXPECT_EQ(m->Report(kT0 + 1600ms)["windows"]["count"]["status"], "ok");
  EXPECT_EQ(m->level(kT0 + 1700ms), DriftLevel::kAlert);  // the time window still holds it
}

TEST_F(DriftMonitorTest, GaugesFlattenTheReport) {
  auto m = Monitor(DriftOptions());
  Feed(m.get(), 0, 200, kT0);
  const std::vector<DriftGauge> gauges = m->Gauges(kT0);
  auto find = [&](const std::string& window, const std::string& feature,
                  const std::string& metric) -> const DriftGauge* {
    for (const DriftGauge& g : gauges) {
      if (g.window == window && g.feature == feature && g.metric == metric) return &g;
    }
    return nullptr;
  };
  ASSERT_NE(find("count", "", "observations"), nullptr);
  EXPECT_EQ(find("count", "", "observations")->value, 200);
  ASSERT_NE(find("time", "price", "psi"), nullptr);
  ASSERT_NE(find("count", "brand", "js_distance"), nullptr);
  ASSERT_NE(find("count", "title_tokens", "oov_rate"), nullptr);
  ASSERT_NE(find("count", "price", "status"), nullptr);
  EXPECT_EQ(find("count", "price", "status")->value, 0);  // ok
  for (const DriftGauge& g : gauges) EXPECT_TRUE(std::isfinite(g.value)) << g.metric;
}

TEST_F(DriftMonitorTest, ConcurrentObserveAndReport) {
  DriftOptions o;
  o.count_window = 1000;
  auto m = Monitor(o);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      const nlohmann::json r = m->Report(kT0);
      EXPECT_LE(r["windows"]["count"]["observations"].get<int>(), 1000);
      (void)m->level(kT0);
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] { Feed(m.get(), static_cast<size_t>(t) * 100, 2000, kT0); });
  }
  for (std::thread& w : writers) w.join();
  done = true;
  reader.join();
  const nlohmann::json r = m->Report(kT0);
  EXPECT_EQ(r["windows"]["count"]["observations"], 1000);
  EXPECT_EQ(r["windows"]["time"]["observations"], 8000);
  // Every thread fed whole cycles of 40 prices, so the time window's mean is exact.
  EXPECT_NEAR(PriceMean(r, "time"), 25.625, 1e-6);
}

TEST(DriftOptionsTest, SetAndValidate) {
  DriftOptions o;
  EXPECT_TRUE(o.Set("psi_alert=0.25").ok());
  EXPECT_DOUBLE_EQ(o.psi_alert, 0.25);
  EXPECT_TRUE(o.Set("time_window_seconds=300").ok());
  EXPECT_EQ(o.time_window, 300s);
  EXPECT_TRUE(o.Set("alert_requires_dataset_drift=true").ok());
  EXPECT_TRUE(o.alert_requires_dataset_drift);
  EXPECT_TRUE(o.Set("support.range_fields=price,rating").ok());
  EXPECT_EQ(o.support.range_fields, (std::vector<std::string>{"price", "rating"}));
  EXPECT_NE(o.Set("psi_alrt=1").message().find("unknown key 'psi_alrt'"), std::string::npos);
  EXPECT_NE(o.Set("psi_warning=0.5").message().find("must not exceed psi_alert"),
            std::string::npos);
  EXPECT_NE(o.Set("count_window=abc").message().find("'count_window' expects a number"),
            std::string::npos);
  EXPECT_NE(o.Set("support.range_fields=weight").message().find("unknown field 'weight'"),
            std::string::npos);
  EXPECT_DOUBLE_EQ(o.psi_warning, 0.1);  // a failed Set changes nothing
  // Several overrides are validated together, so their order does not matter.
  EXPECT_TRUE(o.SetAll({"psi_warning=0.5", "psi_alert=0.9"}).ok()) << o.ToJson().dump();
  EXPECT_DOUBLE_EQ(o.psi_warning, 0.5);
  DriftOptions round_trip;
  ASSERT_TRUE(round_trip.MergeJson(o.ToJson()).ok());
  EXPECT_EQ(round_trip.ToJson(), o.ToJson());
}

}  // namespace
}  // namespace prodcat::monitoring
