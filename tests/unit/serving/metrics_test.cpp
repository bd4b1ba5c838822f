#include "prodcat/serving/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "prodcat/serving/access_log.h"
#include "prodcat/serving/serving_metrics.h"

namespace prodcat::serving {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, CounterRendering) {
  MetricsRegistry registry;
  ValueFamily* c = registry.AddCounter("x_total", "Things.", {"kind", "status"});
  c->Add({"a", "200"});
  c->Add({"a", "200"}, 2);
  c->Add({"b\"\\\n", "500"});
  std::string text = registry.Render();
  EXPECT_TRUE(Has(text, "# HELP x_total Things.")) << text;
  EXPECT_TRUE(Has(text, "# TYPE x_total counter")) << text;
  EXPECT_TRUE(Has(text, "x_total{kind=\"a\",status=\"200\"} 3")) << text;
  EXPECT_TRUE(Has(text, "x_total{kind=\"b\\\"\\\\\\n\",status=\"500\"} 1")) << text;
  EXPECT_EQ(c->Value({"a", "200"}), 3);
  EXPECT_EQ(c->Value({"nope", "200"}), 0);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  HistogramFamily* h = registry.AddHistogram("lat_seconds", "Latency.", {"endpoint"}, {0.1, 1});
  for (double v : {0.05, 0.1, 0.5, 2.0}) h->Observe({"/p"}, v);
  std::string text = registry.Render();
  EXPECT_TRUE(Has(text, "# TYPE lat_seconds histogram")) << text;
  EXPECT_TRUE(Has(text, "lat_seconds_bucket{endpoint=\"/p\",le=\"0.1\"} 2")) << text;
  EXPECT_TRUE(Has(text, "lat_seconds_bucket{endpoint=\"/p\",le=\"1\"} 3")) << text;
  EXPECT_TRUE(Has(text, "lat_seconds_bucket{endpoint=\"/p\",le=\"+Inf\"} 4")) << text;
  EXPECT_TRUE(Has(text, "lat_seconds_sum{endpoint=\"/p\"} 2.65")) << text;
  EXPECT_TRUE(Has(text, "lat_seconds_count{endpoint=\"/p\"} 4")) << text;
  EXPECT_EQ(h->Count({"/p"}), 4u);
}

TEST(MetricsTest, GaugesWithoutLabelsAndCallbacks) {
  MetricsRegistry registry;
  ValueFamily* g = registry.AddGauge("g", "A gauge.");
  g->Set({}, 2.5);
  registry.AddCallbackGauge("cb", "Computed.", [] { return 7.0; });
  std::string text = registry.Render();
  EXPECT_TRUE(Has(text, "g 2.5")) << text;
  EXPECT_TRUE(Has(text, "# TYPE cb gauge")) << text;
  EXPECT_TRUE(Has(text, "cb 7")) << text;
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  MetricsRegistry registry;
  ValueFamily* c = registry.AddCounter("n_total", "N.", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([c] {
      for (int i = 0; i < 10000; ++i) c->Add({"x"});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->Value({"x"}), 40000);
}

TEST(MetricsTest, ShardedSeriesMergeInRenderAndReads) {
  // Each thread updates its own shard; a render, Value and Count see the sum of all of them,
  // one line per series.
  MetricsRegistry registry;
  ValueFamily* c = registry.AddCounter("req_total", "R.", {"code"});
  HistogramFamily* h = registry.AddHistogram("lat_seconds", "L.", {"e"}, {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([c, h, t] {
      for (int i = 0; i < 1000; ++i) {
        c->Add({t % 2 ? "200" : "400"});
        h->Observe({"/p"}, t % 2 ? 0.25 : 1.0);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->Value({"200"}), 4000);
  EXPECT_EQ(c->Value({"400"}), 4000);
  EXPECT_EQ(h->Count({"/p"}), 8000u);
  std::string text = registry.Render();
  EXPECT_TRUE(Has(text, "req_total{code=\"200\"} 4000")) << text;
  EXPECT_TRUE(Has(text, "req_total{code=\"400\"} 4000")) << text;
  EXPECT_TRUE(Has(text, "lat_seconds_bucket{e=\"/p\",le=\"0.5\"} 4000")) << text;
  EXPECT_TRUE(Has(text, "lat_seconds_bucket{e=\"/p\",le=\"+Inf\"} 8000")) << text;
  EXPECT_TRUE(Has(text, "lat_seconds_sum{e=\"/p\"} 5000")) << text;
  size_t lines = 0;
  for (size_t at = text.find("req_total{code=\"200\"}"); at != std::string::npos;
       at = text.find("req_total{code=\"200\"}", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u);
}

TEST(MetricsTest, SetWinsOverEarlierUpdatesFromAnyThread) {
  MetricsRegistry registry;
  ValueFamily* gauge = registry.AddGauge("g", "G.", {"k"});
  ValueFamily* counter = registry.AddCounter("c_total", "C.", {"k"});
  std::thread other([&] {
    gauge->Set({"a"}, 5);
    counter->Add({"a"}, 7);  // in the other thread's shard
  });
  other.join();
  gauge->Set({"a"}, 2);
  EXPECT_EQ(gauge->Value({"a"}), 2);
  counter->Set({"a"}, 1);  // a counter's Set replaces what every shard holds
  EXPECT_EQ(counter->Value({"a"}), 1);
  counter->Clear();
  EXPECT_EQ(counter->Value({"a"}), 0);
}

TEST(MetricsTest, FormatValue) {
  EXPECT_EQ(FormatMetricValue(3), "3");
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatMetricValue(-1.0 / 0.0), "-Inf");
}

TEST(ServingMetricsTest, EndpointLabelsAreBounded) {
  EXPECT_EQ(EndpointLabel("/predict"), "/predict");
  EXPECT_EQ(EndpointLabel("/predict/batch"), "/predict/batch");
  EXPECT_EQ(EndpointLabel("/v2/models/m/infer"), "/v2/models/{name}/infer");
  EXPECT_EQ(EndpointLabel("/v2/models/m/versions/3/infer"), "/v2/models/{name}/infer");
  EXPECT_EQ(EndpointLabel("/v2/models/m"), "/v2/models/{name}");
  EXPECT_EQ(EndpointLabel("/docs/swagger-ui.css"), "/docs/{file}");
  EXPECT_EQ(EndpointLabel("/random/path/12345"), "other");
}

TEST(ServingMetricsTest, RequestsReloadsModelAndMemory) {
  ServingMetrics metrics([] { return 3.0; });
  metrics.ObserveRequest("POST", "/predict", 200, 0.0004);
  metrics.ObserveRequest("POST", "/predict", 422, 0.0001);
  metrics.ObserveRequest("GET", "/nope/1", 404, 0.0001);
  metrics.ObserveBatch("/predict/batch", 100);
  metrics.CountPrediction("Books");
  ReloadResult failed;
  failed.outcome = ReloadResult::Outcome::kFailed;
  metrics.CountReload(failed);
  ServedModel model;
  model.name = "m";
  model.version = "abc";
  model.family = "linear";
  metrics.SetModel(model);
  model.version = "def";
  metrics.SetModel(model);
  std::string text = metrics.Render();
  EXPECT_TRUE(Has(
      text, "prodcat_http_requests_total{endpoint=\"/predict\",method=\"POST\",status=\"200\"} 1"))
      << text;
  EXPECT_TRUE(
      Has(text, "prodcat_http_requests_total{endpoint=\"other\",method=\"GET\",status=\"404\"} 1"))
      << text;
  EXPECT_TRUE(Has(text, "prodcat_http_request_duration_seconds_count{endpoint=\"/predict\"} 2"))
      << text;
  EXPECT_TRUE(Has(text, "prodcat_batch_size_bucket{endpoint=\"/predict/batch\",le=\"50\"} 0"));
  EXPECT_TRUE(Has(text, "prodcat_batch_size_bucket{endpoint=\"/predict/batch\",le=\"100\"} 1"));
  EXPECT_TRUE(Has(text, "prodcat_predictions_total{category=\"Books\"} 1")) << text;
  EXPECT_TRUE(Has(text, "prodcat_model_reloads_total{result=\"failure\"} 1")) << text;
  EXPECT_TRUE(Has(text, "prodcat_model_reloads_total{result=\"success\"} 0")) << text;
  // Only the current model is listed.
  EXPECT_TRUE(Has(text, "prodcat_model_info{name=\"m\",version=\"def\",family=\"linear\"} 1"));
  EXPECT_EQ(text.find("version=\"abc\""), std::string::npos);
  EXPECT_TRUE(Has(text, "prodcat_http_in_flight_requests 3")) << text;
  size_t rss = text.find("\nprocess_resident_memory_bytes ");
  ASSERT_NE(rss, std::string::npos);
  EXPECT_GT(std::stod(text.substr(rss + 31)), 1e6);  // a test process uses more than 1 MB
}

TEST(AccessLogTest, LinesFromManyThreadsAreAllWrittenWhole) {
  const std::string path = ::testing::TempDir() + "/prodcat_access_log_threads.jsonl";
  std::remove(path.c_str());
  {
    AccessLog log;
    ASSERT_TRUE(log.Open(path, std::chrono::milliseconds(5)).ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < 2000; ++i) {
          http::AccessLogEntry e;
          e.method = "POST";
          e.target = "/predict";
          e.status = 200;
          e.request_id = std::to_string(t) + "-" + std::to_string(i);
          log.Write(e);
        }
      });
    }
    for (auto& t : threads) t.join();
  }  // Close flushes every thread's buffer
  std::ifstream in(path);
  std::set<std::string> ids;
  std::vector<int> next(6, 0);
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    auto j = nlohmann::json::parse(line);  // each line one whole JSON object
    const std::string id = j["request_id"];
    ids.insert(id);
    // One thread's lines keep their order.
    const int t = std::stoi(id.substr(0, id.find('-')));
    EXPECT_EQ(std::stoi(id.substr(id.find('-') + 1)), next[t]++);
  }
  EXPECT_EQ(lines, 12000u);
  EXPECT_EQ(ids.size(), 12000u);
  std::remove(path.c_str());
}

TEST(AccessLogTest, LineIsOneJsonObject) {
  http::AccessLogEntry e;
  e.method = "POST";
  e.target = "/predict?top_k=2";
  e.status = 200;
  e.duration_ms = 0.4567;
  e.request_bytes = 30;
  e.response_bytes = 250;
  e.remote = "127.0.0.1:5555";
  e.request_id = "id\"1";
  std::string line = AccessLog::FormatLine(e, std::chrono::system_clock::from_time_t(0));
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["ts"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["path"], "/predict");
  EXPECT_EQ(j["status"], 200);
  EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), 0.456);
  EXPECT_EQ(j["request_id"], "id\"1");
  EXPECT_EQ(j["remote"], "127.0.0.1:5555");
  EXPECT_EQ(j["bytes"], 250);
  e.request_id.clear();
  EXPECT_TRUE(nlohmann::json::parse(AccessLog::FormatLine(e, {}))["request_id"].is_null());
}

}  // namespace
}  // namespace prodcat::serving
