// `prodcat serve`: the HTTP inference server (see src/prodcat/serving/server_runner.h), and a
// hidden `bench-predict` that times the model alone, so benchmarks can separate HTTP overhead
// from model cost.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "commands.h"
#include "prodcat/data/record_reader.h"
#include "prodcat/models/bundle.h"
#include "prodcat/serving/server_runner.h"

namespace prodcat::cli {
namespace {

void RegisterBenchPredict(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench-predict",
                                 "Time ModelBundle::PredictTopK per row (benchmark helper)");
  cmd->group("");  // hidden from --help: a tool for bench/serving, not a user command
  struct Args {
    std::string model, input;
    size_t rows = 5000, top_k = 3;
    int rounds = 3;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--model", a->model, "Model bundle directory")->required();
  cmd->add_option("--input", a->input, "Products file (CSV or JSONL)")->required();
  cmd->add_option("--rows", a->rows, "Rows to score per round")->check(CLI::PositiveNumber);
  cmd->add_option("--top-k", a->top_k, "k of PredictTopK")->check(CLI::PositiveNumber);
  cmd->add_option("--rounds", a->rounds, "Rounds (the best is reported)")
      ->check(CLI::PositiveNumber);
  cmd->callback([a] {
    std::unique_ptr<ModelBundle> bundle;
    Status s = ModelBundle::Load(a->model, &bundle);
    std::vector<ProductRecord> records;
    ReadOptions read;
    read.on_error = OnError::kSkip;
    if (s.ok()) s = ReadAllRecords(a->input, read, &records);
    if (s.ok() && records.empty()) s = Status::InvalidArgument(a->input + ": no records");
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::vector<double> per_row_us;
    size_t n = a->rows;
    double best_total_us = 1e300;
    for (int round = 0; round < a->rounds; ++round) {
      auto round_start = std::chrono::steady_clock::now();
      for (size_t i = 0; i < n; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        auto top = bundle->PredictTopK(records[i % records.size()], a->top_k);
        auto t1 = std::chrono::steady_clock::now();
        if (top.empty()) std::abort();
        if (round == a->rounds - 1) {
          per_row_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        }
      }
      best_total_us = std::min(best_total_us, std::chrono::duration<double, std::micro>(
                                                  std::chrono::steady_clock::now() - round_start)
                                                  .count());
    }
    std::sort(per_row_us.begin(), per_row_us.end());
    auto pct = [&](double q) {
      return per_row_us[std::min(per_row_us.size() - 1,
                                 static_cast<size_t>(q * static_cast<double>(per_row_us.size())))];
    };
    std::printf(
        "{\"family\":\"%s\",\"rows\":%zu,\"mean_us_per_row\":%.2f,\"p50_us\":%.2f,"
        "\"p99_us\":%.2f}\n",
        bundle->classifier().family().c_str(), n, best_total_us / static_cast<double>(n), pct(0.5),
        pct(0.99));
  });
}

}  // namespace

void RegisterServe(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Serve a model over HTTP (JSON API, KServe v2, docs)");
  struct Args {
    serving::ServerRunOptions run;
    double poll_seconds = 5, drain_seconds = 10, header_timeout = 10, body_timeout = 30,
           idle_timeout = 60, primary_budget_ms = 0;
    std::vector<std::string> drift_settings;  // --drift-set key=value
    CommonOptions common;                     // --config / --set (the `serve` section)
    std::string experiments_db;               // --experiments-db (overrides the config)
  };
  auto a = std::make_shared<Args>();
  serving::ServerRunOptions& r = a->run;
  serving::RequestLimits& limits = r.service.limits;
  cmd->add_option("--model", r.model,
                  "Model bundle directory, or models:/NAME@ALIAS (also /STAGE, /latest, /N) from "
                  "the registry; followed: a new bundle or version goes live without downtime")
      ->required();
  cmd->add_option("--tracking-uri", r.tracking_uri,
                  "Registry store for models:/ URIs (default: $PRODCAT_TRACKING_URI or "
                  "./prodcat-store/tracking.db)");
  cmd->add_option("--model-name", r.model_name,
                  "Name reported by the API (default: directory name)");
  cmd->add_option("--host", r.host, "Listen address")->capture_default_str();
  cmd->add_option("--port", r.port, "Listen port (0: any free port, printed on stdout)")
      ->capture_default_str();
  cmd->add_option("--threads", r.threads, "I/O threads, and batch worker threads (0: all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--poll-seconds", a->poll_seconds,
                  "Check the model source for a new bundle or version this often (0: only on "
                  "SIGHUP or POST /admin/reload)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--drain-seconds", a->drain_seconds,
                  "On SIGTERM/SIGINT, wait this long for in-flight requests")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--admin-token-file", r.admin_token_file,
                  "Bearer token for POST /admin/reload (default: $PRODCAT_ADMIN_TOKEN; neither: "
                  "admin disabled)");
  cmd->add_option("--access-log", r.access_log,
                  "JSON access log: - (stderr), off, or a file to append to")
      ->capture_default_str();
  cmd->add_option("--web-root", r.web_root,
                  "node_modules directory with swagger-ui-dist and redoc (default: found beside "
                  "the executable or in the build tree)");
  cmd->add_option("--top-k", r.service.default_top_k, "Probabilities returned by default")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--max-batch", limits.max_batch_items, "Most items per batch request")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", limits.max_single_body_bytes, "Body limit of /predict")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-batch-body-bytes", limits.max_batch_body_bytes,
                  "Body limit of /predict/batch and infer")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--header-timeout", a->header_timeout, "Seconds for a request's header")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--body-timeout", a->body_timeout, "Seconds for a request's body")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--idle-timeout", a->idle_timeout, "Seconds an idle keep-alive connection lives")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--fallback", r.fallback,
                  "Fallback model (directory or models:/ URI), or none. Default: "
                  "models:/NAME@fallback when serving models:/NAME..., else the bundle's sibling "
                  "fallback_model/ when present; without one the class prior is the last resort");
  cmd->add_option("--shadow", r.shadow,
                  "Shadow model (directory or models:/ URI) scoring copies of live requests off "
                  "the response path (GET /shadow)");
  cmd->add_option("--primary-budget-ms", a->primary_budget_ms,
                  "Answer with the fallback when the primary takes longer (0: no budget)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("!--no-support-fallback", r.fallback_policy.out_of_support,
                "Score out-of-support products with the primary anyway");
  cmd->add_flag("--fallback-on-drift", r.fallback_policy.on_drift_alert,
                "Answer with the fallback while drift is in alert");
  cmd->add_option("--config", a->common.config_file,
                  "YAML configuration file; `prodcat serve` reads its `serve` section");
  cmd->add_option("--set", a->common.overrides,
                  "Override a setting, e.g. --set "
                  "serve.experiments_db=/srv/prodcat/experiments.db")
      ->allow_extra_args(false);
  cmd->add_option("--experiments-db", a->experiments_db,
                  "SQLite store of A/B experiments, assignments and feedback (default: "
                  "serve.experiments_db, else ./prodcat-store/experiments.db; none: no "
                  "experiments). Experiments declared in the config's serve.experiments are "
                  "created or checked at start");
  cmd->add_flag("!--no-drift", r.drift, "Keep no drift windows (GET /drift answers 404)");
  cmd->add_option("--drift-set", a->drift_settings,
                  "Drift option key=value (repeatable): count_window, time_window_seconds, "
                  "psi_alert, js_alert, support.range_factor, ... (docs/drift.md)");
  cmd->add_flag("--allow-fault-injection", r.service.allow_fault_injection,
                "Enable POST /admin/fault (bearer token) to make the primary fail, for drills");
  cmd->callback([a] {
    auto ms = [](double seconds) {
      return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    };
    serving::ServerRunOptions run = a->run;
    run.poll_interval = ms(a->poll_seconds);
    run.drain = ms(a->drain_seconds);
    run.header_timeout = ms(a->header_timeout);
    run.body_timeout = ms(a->body_timeout);
    run.idle_timeout = ms(a->idle_timeout);
    run.fallback_policy.primary_budget =
        std::chrono::microseconds(static_cast<int64_t>(a->primary_budget_ms * 1000));
    Config config;
    Status loaded = LoadConfig(a->common, &config);
    if (!loaded.ok()) {
      ExitCode() = Fail(loaded);
      return;
    }
    const nlohmann::json& serve = config.root().at("serve");
    run.experiments_db = a->experiments_db.empty() ? serve.value("experiments_db", std::string())
                                                   : a->experiments_db;
    run.declared_experiments = serve.value("experiments", nlohmann::json::array());
    // All at once: thresholds are checked against each other only after every one is set.
    Status set = run.drift_options.SetAll(a->drift_settings);
    if (!set.ok()) {
      ExitCode() = Fail(set.WithContext("--drift-set"));
      return;
    }
    Status s = serving::RunServer(run);
    if (!s.ok()) ExitCode() = Fail(s);
  });
  RegisterBenchPredict(app);
}

}  // namespace prodcat::cli
