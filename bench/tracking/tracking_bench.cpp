// Tracking store benchmark: metrics per second through log-batch (SQLite, PostgreSQL, and over
// HTTP through the tracking server) and runs/search latency with 10,000 runs in the store.
//   prodcat_tracking_bench [--metrics N] [--runs N] [--no-postgres]
// PostgreSQL runs on a throwaway local server (Debian's postgresql package), as in the tests.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "postgres_cluster.h"
#include "prodcat/tracking/rest_store.h"
#include "prodcat/tracking/sql_store.h"
#include "prodcat/tracking/store_uri.h"
#include "prodcat/tracking/tracking_server.h"

namespace {

using namespace prodcat;            // NOLINT: a benchmark program
using namespace prodcat::tracking;  // NOLINT

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// Logs `total` metrics into one run in batches of `batch`; returns metrics per second.
double LogBatchRate(TrackingStore& store, int64_t total, int batch, int writers) {
  std::string exp;
  Check(store.CreateExperiment("bench-" + std::to_string(Clock::now().time_since_epoch().count()),
                               "", {}, &exp),
        "create experiment");
  std::vector<std::string> runs(writers);
  for (auto& id : runs) {
    CreateRunRequest r;
    r.experiment_id = exp;
    Run run;
    Check(store.CreateRun(r, &run), "create run");
    id = run.info.run_id;
  }
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      int64_t share = total / writers;
      for (int64_t done = 0; done < share; done += batch) {
        std::vector<Metric> metrics;
        for (int k = 0; k < batch; ++k) {
          int64_t step = done + k;
          metrics.push_back(
              {"loss_" + std::to_string(k % 10), 1.0 / (step + 1), 1000 + step, step});
        }
        Check(store.LogBatch(runs[w], metrics, {}, {}), "log-batch");
      }
    });
  }
  for (auto& t : threads) t.join();
  return static_cast<double>(total) / Seconds(start);
}

// Fills a store with `count` runs (3 params, 3 metrics, 1 tag each) in one experiment. Setup
// only, so it writes rows in bulk rather than through CreateRun / LogBatch.
std::string Populate(SqlTrackingStore& store, int count) {
  std::string exp;
  Check(store.CreateExperiment("search-bench", "", {}, &exp), "create experiment");
  const char* models[] = {"linear", "fasttext", "gbdt"};
  int64_t exp_id = std::stoll(exp);
  constexpr int kChunk = 200;
  for (int begin = 0; begin < count; begin += kChunk) {
    int end = std::min(count, begin + kChunk);
    Check(store.Transact(
              true,
              [&](SqlDb& db) -> Status {
                std::string runs_sql =
                    "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, "
                    "start_time, lifecycle_stage, artifact_uri) VALUES ";
                std::string params_sql = "INSERT INTO params (run_uuid, key, value) VALUES ";
                std::string metrics_sql =
                    "INSERT INTO latest_metrics (run_uuid, key, value, timestamp_ms, "
                    "step, is_nan) VALUES ";
                std::string tags_sql = "INSERT INTO tags (run_uuid, key, value) VALUES ";
                std::vector<SqlValue> runs, params, metrics, tags;
                for (int i = begin; i < end; ++i) {
                  char id[33];
                  std::snprintf(id, sizeof(id), "%032x", i + 1);
                  std::string run_id = id;
                  runs_sql += i > begin ? ", (?, ?, ?, '', 'FINISHED', ?, 'active', '')"
                                        : "(?, ?, ?, '', 'FINISHED', ?, 'active', '')";
                  runs.insert(runs.end(),
                              {run_id, exp_id, "run-" + std::to_string(i), int64_t{1000000 + i}});
                  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
                           {"model", models[i % 3]},
                           {"seed", std::to_string(i % 10)},
                           {"c", "1.0"}}) {
                    params_sql += params.empty() ? "(?, ?, ?)" : ", (?, ?, ?)";
                    params.insert(params.end(), {run_id, k, v});
                  }
                  double f1 = (i * 7919 % 1000) / 1000.0;
                  for (const auto& [k, v] : std::vector<std::pair<std::string, double>>{
                           {"macro_f1", f1}, {"accuracy", f1 + 0.01}, {"log_loss", 1 - f1}}) {
                    metrics_sql += metrics.empty() ? "(?, ?, ?, 1, 0, 0)" : ", (?, ?, ?, 1, 0, 0)";
                    metrics.insert(metrics.end(), {run_id, k, v});
                  }
                  tags_sql += tags.empty() ? "(?, 'team', ?)" : ", (?, 'team', ?)";
                  tags.insert(tags.end(), {run_id, std::string(i % 2 ? "a" : "b")});
                }
                PRODCAT_RETURN_IF_ERROR(db.Execute(runs_sql, runs));
                PRODCAT_RETURN_IF_ERROR(db.Execute(params_sql, params));
                PRODCAT_RETURN_IF_ERROR(db.Execute(metrics_sql, metrics));
                return db.Execute(tags_sql, tags);
              }),
          "populate");
  }
  return exp;
}

struct Latency {
  double median_ms = 0, p95_ms = 0;
  size_t results = 0;
};

Latency SearchLatency(TrackingStore& store, const std::string& exp, const std::string& filter,
                      const std::vector<std::string>& order_by, int reps) {
  std::vector<double> ms;
  Latency out;
  for (int i = 0; i < reps; ++i) {
    RunSearch q;
    q.experiment_ids = {exp};
    q.filter = filter;
    q.order_by = order_by;
    q.max_results = 100;
    Page<Run> page;
    auto start = Clock::now();
    Check(store.SearchRuns(q, &page), "search");
    ms.push_back(Seconds(start) * 1000);
    out.results = page.items.size();
  }
  std::sort(ms.begin(), ms.end());
  out.median_ms = ms[ms.size() / 2];
  out.p95_ms = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
  return out;
}

struct Backend {
  std::string name;
  std::function<std::unique_ptr<SqlTrackingStore>()> open;
};

}  // namespace

int main(int argc, char** argv) {
  int64_t metrics = 200000;
  int runs = 10000;
  bool postgres = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--metrics") && i + 1 < argc) metrics = std::atoll(argv[++i]);
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
    if (!std::strcmp(argv[i], "--no-postgres")) postgres = false;
  }
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("prodcat_tracking_bench_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);

  std::vector<Backend> backends;
  backends.push_back(
      {"sqlite", [&] {
         static int n = 0;
         std::unique_ptr<SqlTrackingStore> s;
         Check(OpenSqlStore("sqlite://" + (dir / ("t" + std::to_string(n++) + ".db")).string(),
                            SqlStoreOptions{}, &s),
               "open sqlite");
         return s;
       }});
  if (postgres) {
    auto& cluster = prodcat::testing::PostgresCluster::Shared();
    if (!cluster.ok()) {
      std::fprintf(stderr, "skipping PostgreSQL: %s\n", cluster.error().c_str());
    } else {
      backends.push_back({"postgresql", [&] {
                            std::string error;
                            std::string uri = cluster.NewDatabase("bench", &error);
                            if (uri.empty()) Check(Status::Internal(error), "create database");
                            std::unique_ptr<SqlTrackingStore> s;
                            Check(OpenSqlStore(uri, SqlStoreOptions{}, &s), "open postgresql");
                            return s;
                          }});
    }
  }

  std::printf("| backend | what | result |\n|---|---|---|\n");
  for (const Backend& b : backends) {
    for (int writers : {1, 8}) {
      auto store = b.open();
      double rate = LogBatchRate(*store, metrics, 1000, writers);
      std::printf("| %s | log-batch, 1000 metrics per call, %d writer%s | %.0f metrics/s |\n",
                  b.name.c_str(), writers, writers > 1 ? "s" : "", rate);
      std::fflush(stdout);
    }
    // Over HTTP: the REST store -> tracking server -> this backend.
    auto store = b.open();
    std::shared_ptr<TrackingStore> shared(store.get(), [](TrackingStore*) {});
    TrackingServerOptions options;
    options.port = 0;
    TrackingServer server(shared, dir / "artifacts", options);
    Check(server.Start(), "start server");
    std::vector<std::unique_ptr<RestTrackingStore>> clients;
    std::unique_ptr<RestTrackingStore> rest;
    Check(RestTrackingStore::Open("http://127.0.0.1:" + std::to_string(server.port()), &rest),
          "open rest");
    double rate = LogBatchRate(*rest, metrics, 1000, 1);
    std::printf("| %s via HTTP | log-batch, 1000 metrics per call, 1 writer | %.0f metrics/s |\n",
                b.name.c_str(), rate);

    auto start = Clock::now();
    std::string exp = Populate(*store, runs);
    std::printf("| %s | populate %d runs (bulk insert, setup) | %.1f s |\n", b.name.c_str(), runs,
                Seconds(start));
    struct Query {
      const char* label;
      std::string filter;
      std::vector<std::string> order;
    };
    std::vector<Query> queries = {
        {"runs/search, no filter, newest 100", "", {}},
        {"runs/search, metrics.macro_f1 > 0.9 and params.model = 'linear'",
         "metrics.macro_f1 > 0.9 and params.model = 'linear'",
         {}},
        {"runs/search, order by metrics.macro_f1 DESC, top 100", "", {"metrics.macro_f1 DESC"}},
    };
    for (const Query& q : queries) {
      Latency direct = SearchLatency(*store, exp, q.filter, q.order, 20);
      Latency http = SearchLatency(*rest, exp, q.filter, q.order, 20);
      std::printf("| %s, %d runs | %s | median %.1f ms, p95 %.1f ms (HTTP: median %.1f ms) |\n",
                  b.name.c_str(), runs, q.label, direct.median_ms, direct.p95_ms, http.median_ms);
      std::fflush(stdout);
    }
    server.Shutdown(std::chrono::milliseconds(1000));
  }
  fs::remove_all(dir);
  return 0;
}
