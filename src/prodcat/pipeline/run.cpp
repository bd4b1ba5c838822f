#include "prodcat/pipeline/run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "prodcat/common/file_util.h"
#include "prodcat/data/fingerprint.h"
#include "prodcat/data/generator.h"
#include "prodcat/evaluation/metrics.h"
#include "prodcat/models/bundle.h"
#include "prodcat/pipeline/data_gate.h"
#include "prodcat/pipeline/evaluate.h"
#include "prodcat/pipeline/prepare.h"
#include "prodcat/pipeline/tracking_hooks.h"
#include "prodcat/pipeline/train.h"

namespace prodcat {
namespace fs = std::filesystem;

std::string UtcTimestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

Status GeneratorFromConfig(const Config& c, GeneratorOptions* g) {
  int64_t rows = c.GetInt("generate", "rows");
  if (rows < 100) return Status::InvalidArgument("generate.rows must be at least 100");
  g->rows = static_cast<size_t>(rows);
  g->seed = static_cast<uint64_t>(c.GetInt("generate", "seed"));
  g->imbalance = c.GetDouble("generate", "imbalance");
  g->missing_rate = c.GetDouble("generate", "missing_rate");
  g->label_noise = c.GetDouble("generate", "label_noise");
  g->typo_rate = c.GetDouble("generate", "typo_rate");
  g->descriptions = c.GetBool("generate", "descriptions");
  return Status::Ok();
}

// Trains the `fallback` section's model into <dir>/fallback_model.
Status TrainFallback(const Config& config, const TrainOptions& primary,
                     const PreparedSplits& splits, const fs::path& dir, TrainOutcome* outcome) {
  TrainOptions o = primary;
  std::string family = config.GetString("fallback", "family");
  o.candidates = {family};
  o.resume = false;
  o.on_round = nullptr;
  o.validate = false;  // the splits already passed the gate
  o.checkpoint_dir = dir / "checkpoints-fallback";
  o.features.word_ngram_max = static_cast<int>(config.GetInt("fallback", "word_ngram_max"));
  o.features.char_ngram_min = static_cast<int>(config.GetInt("fallback", "char_ngram_min"));
  o.features.char_ngram_max = static_cast<int>(config.GetInt("fallback", "char_ngram_max"));
  o.features.hash_bits = static_cast<int>(config.GetInt("fallback", "hash_bits"));
  o.features.use_description = false;
  o.features.tabular_title_words = false;
  if (!o.family_params.contains(family)) o.family_params[family] = nlohmann::json::object();
  o.family_params[family]["max_train_rows"] = config.GetInt("fallback", "max_train_rows");
  spdlog::info("train: fallback model ({})", family);
  return TrainBundle(splits.train, splits.val, splits.reframing, o, dir / "fallback_model", outcome)
      .WithContext("fallback model");
}

}  // namespace

Status RunMainJob(const Config& config, const RunOptions& options, nlohmann::json* summary) {
  auto job_start = std::chrono::steady_clock::now();
  fs::path dir = options.out_dir;
  if (dir.empty()) {
    std::string stamp = UtcTimestamp();
    for (char& ch : stamp) {
      if (ch == ':') ch = '-';
    }
    dir = fs::path("runs") / stamp;
  }
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(dir));
  TrackingOptions tracking = TrackingOptions::FromConfig(config);
  std::unique_ptr<tracking::RunLogger> logger;
  PRODCAT_RETURN_IF_ERROR(StartTrackedRun(tracking, "run " + dir.filename().string(), &logger));
  if (logger) PRODCAT_RETURN_IF_ERROR(logger->LogParams(FlattenParams(config.root())));
  nlohmann::json s;
  s["run_dir"] = fs::absolute(dir).string();
  s["started_at"] = UtcTimestamp();
  nlohmann::json timings;

  fs::path input = options.input;
  if (input.empty()) {
    GeneratorOptions g;
    PRODCAT_RETURN_IF_ERROR(GeneratorFromConfig(config, &g));
    input = dir / "data" / "products.csv";
    PRODCAT_RETURN_IF_ERROR(EnsureDirectory(input.parent_path()));
    auto t = std::chrono::steady_clock::now();
    PRODCAT_RETURN_IF_ERROR(GenerateProductsToFile(g, input));
    timings["generate"] = Since(t);
    s["generated_rows"] = g.rows;
    spdlog::info("generate: {} rows -> {} ({:.1f}s)", g.rows, input.string(),
                 timings["generate"].get<double>());
  }
  s["input"] = input.string();

  PrepareOptions prep;
  PRODCAT_RETURN_IF_ERROR(PrepareOptions::FromConfig(config, &prep));
  PreparedSplits splits;
  auto t = std::chrono::steady_clock::now();
  PRODCAT_RETURN_IF_ERROR(PrepareFile(input, dir / "prepared", prep, &splits));
  timings["prepare"] = Since(t);
  s["data"] = {{"rows_in", splits.quality_report["rows_in"]},
               {"rows_out", splits.quality_report["rows_out"]},
               {"train", splits.train.size()},
               {"val", splits.val.size()},
               {"test", splits.test.size()},
               {"classes", splits.quality_report["num_classes"]},
               {"imbalance_ratio", splits.quality_report["imbalance_ratio"]}};
  if (logger) {
    PRODCAT_RETURN_IF_ERROR(
        logger->LogInput("train", FingerprintRecords(splits.train), input.string(), "training"));
    PRODCAT_RETURN_IF_ERROR(
        logger->LogInput("val", FingerprintRecords(splits.val), input.string(), "validation"));
    PRODCAT_RETURN_IF_ERROR(logger->LogMetrics(
        {{"data.rows_out", splits.quality_report["rows_out"].get<double>()},
         {"data.imbalance_ratio", splits.quality_report["imbalance_ratio"].get<double>()}}));
    PRODCAT_RETURN_IF_ERROR(logger->LogArtifact(dir / "prepared" / "quality_report.json", "data"));
  }
  spdlog::info("prepare: {} rows -> train {} / val {} / test {} ({:.1f}s)",
               splits.quality_report["rows_out"].get<size_t>(), splits.train.size(),
               splits.val.size(), splits.test.size(), timings["prepare"].get<double>());

  if (config.GetBool("validation", "enabled")) {
    nlohmann::json gate;
    t = std::chrono::steady_clock::now();
    Status gate_status =
        GateSplits(config.GetString("validation", "suite"),
                   {{"train", &splits.train}, {"val", &splits.val}, {"test", &splits.test}},
                   dir / "validation", &gate);
    timings["validate"] = Since(t);
    s["validation"] = gate;
    PRODCAT_RETURN_IF_ERROR(gate_status);
  }

  TrainOptions train_options;
  PRODCAT_RETURN_IF_ERROR(TrainOptions::FromConfig(config, options.model, &train_options));
  train_options.resume = options.resume;
  train_options.checkpoint_dir = dir / "checkpoints";
  if (logger) {
    tracking::RunLogger* log = logger.get();
    train_options.on_round = [log](int step, const std::map<std::string, double>& metrics) {
      Status ignored = log->LogMetrics(metrics, step);  // tracking never stops training
      (void)ignored;
    };
  }
  TrainOutcome outcome;
  t = std::chrono::steady_clock::now();
  PRODCAT_RETURN_IF_ERROR(TrainBundle(splits.train, splits.val, splits.reframing, train_options,
                                      dir / "model", &outcome));
  timings["train"] = Since(t);
  s["model"] = {{"dir", fs::absolute(dir / "model").string()},
                {"family", outcome.family},
                {"candidates", outcome.candidates}};
  if (logger) {
    for (const auto& c : outcome.candidates) {
      std::string family = c["family"].get<std::string>();
      PRODCAT_RETURN_IF_ERROR(
          logger->LogMetrics({{family + ".val_macro_f1", c["val_macro_f1"].get<double>()},
                              {family + ".val_accuracy", c["val_accuracy"].get<double>()},
                              {family + ".train_seconds", c["train_seconds"].get<double>()}}));
      PRODCAT_RETURN_IF_ERROR(logger->LogParams(
          FlattenParams(c["hyperparameters"], "models." + family + ".effective")));
    }
    PRODCAT_RETURN_IF_ERROR(logger->SetTag("prodcat.selected_family", outcome.family));
    if (s.contains("validation")) {
      PRODCAT_RETURN_IF_ERROR(logger->LogArtifact(dir / "validation", "validation"));
    }
  }
  // The fallback: small and robust (title words and short character n-grams only, no numeric
  // features), trained on the same splits so it knows the same classes and reframing.
  bool with_fallback = config.GetBool("fallback", "enabled");
  if (with_fallback) {
    t = std::chrono::steady_clock::now();
    TrainOutcome fallback_outcome;
    PRODCAT_RETURN_IF_ERROR(TrainFallback(config, train_options, splits, dir, &fallback_outcome));
    timings["train_fallback"] = Since(t);
    const nlohmann::json& c = fallback_outcome.candidates.at(0);
    s["fallback_model"] = {{"dir", fs::absolute(dir / "fallback_model").string()},
                           {"family", fallback_outcome.family},
                           {"val_macro_f1", c["val_macro_f1"]},
                           {"val_accuracy", c["val_accuracy"]}};
    if (logger) {
      PRODCAT_RETURN_IF_ERROR(
          logger->LogMetrics({{"fallback.val_macro_f1", c["val_macro_f1"].get<double>()},
                              {"fallback.val_accuracy", c["val_accuracy"].get<double>()}}));
    }
  }
  // The training split is no longer needed; free it before evaluation.
  std::vector<ProductRecord>().swap(splits.train);

  std::unique_ptr<ModelBundle> bundle;
  PRODCAT_RETURN_IF_ERROR(ModelBundle::Load(dir / "model", &bundle));
  nlohmann::json report;
  EvaluateOptions eval;
  eval.importance_top = static_cast<size_t>(config.GetInt("evaluate", "importance_top"));
  eval.threads = static_cast<int>(config.GetInt("train", "threads"));
  t = std::chrono::steady_clock::now();
  const auto& eval_rows = splits.test.empty() ? splits.val : splits.test;
  PRODCAT_RETURN_IF_ERROR(
      EvaluateToFiles(*bundle, eval_rows, eval, dir / "evaluation" / "report.json", &report));
  timings["evaluate"] = Since(t);
  if (logger) {
    PRODCAT_RETURN_IF_ERROR(
        LogEvaluation(*logger, report, FingerprintRecords(eval_rows), dir / "evaluation"));
    // The fallback is registered first so that the primary is the model's latest version.
    int64_t fallback_version = 0;
    if (with_fallback) {
      PRODCAT_RETURN_IF_ERROR(RegisterBundle(tracking, *logger, dir / "fallback_model",
                                             &fallback_version, "fallback_model"));
      std::string alias = config.GetString("fallback", "alias");
      if (fallback_version > 0 && !alias.empty()) {
        PRODCAT_RETURN_IF_ERROR(logger->client().store().SetRegisteredModelAlias(
            tracking.register_as, alias, fallback_version));
        s["fallback_model"]["registered"] =
            fmt::format("models:/{}@{}", tracking.register_as, alias);
        s["fallback_model"]["version"] = fallback_version;
      }
    }
    int64_t version = 0;
    PRODCAT_RETURN_IF_ERROR(RegisterBundle(tracking, *logger, dir / "model", &version));
    if (version == 0) PRODCAT_RETURN_IF_ERROR(logger->LogArtifact(dir / "model", "model"));
    s["tracking"] = {{"run_id", logger->run_id()}, {"experiment", tracking.experiment}};
    if (version > 0) {
      s["tracking"]["registered_model"] = tracking.register_as;
      s["tracking"]["version"] = version;
    }
  }
  s["evaluation"] = {{"split", splits.test.empty() ? "val" : "test"},
                     {"report", fs::absolute(dir / "evaluation" / "report.json").string()},
                     {"accuracy", report["accuracy"]},
                     {"macro_f1", report["macro_f1"]},
                     {"weighted_f1", report["weighted_f1"]},
                     {"top3_accuracy", report["top3_accuracy"]},
                     {"log_loss", report["log_loss"]}};
  timings["total"] = Since(job_start);
  s["seconds"] = timings;
  s["finished_at"] = UtcTimestamp();
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / "summary.json", s.dump(2) + "\n"));
  if (logger) {
    PRODCAT_RETURN_IF_ERROR(
        logger->LogMetrics({{"seconds.total", timings["total"].get<double>()}}));
    PRODCAT_RETURN_IF_ERROR(logger->LogArtifact(dir / "summary.json"));
    PRODCAT_RETURN_IF_ERROR(logger->End());
  }
  *summary = std::move(s);
  return Status::Ok();
}

std::string RenderRunSummary(const nlohmann::json& s) {
  std::string out = "\nprodcat run finished\n";
  out += fmt::format("  run directory   {}\n", s.value("run_dir", ""));
  out += fmt::format("  input           {}\n", s.value("input", ""));
  const auto& d = s["data"];
  out += fmt::format("  rows            {} in, {} kept; train {} / val {} / test {}\n",
                     d.value("rows_in", 0), d.value("rows_out", 0), d.value("train", 0),
                     d.value("val", 0), d.value("test", 0));
  out += fmt::format("  classes         {} (imbalance ratio {:.1f})\n", d.value("classes", 0),
                     d.value("imbalance_ratio", 0.0));
  out += "  candidates      ";
  for (const auto& c : s["model"]["candidates"]) {
    out += fmt::format("{} {:.4f}  ", c.value("family", ""), c.value("val_macro_f1", 0.0));
  }
  out += "(validation macro-F1)\n";
  out += fmt::format("  selected model  {} -> {}\n", s["model"].value("family", ""),
                     s["model"].value("dir", ""));
  if (s.contains("fallback_model")) {
    const auto& f = s["fallback_model"];
    out += fmt::format("  fallback model  {} (validation macro-F1 {:.4f}) -> {}{}\n",
                       f.value("family", ""), f.value("val_macro_f1", 0.0), f.value("dir", ""),
                       f.contains("registered") ? "; " + f.value("registered", "") : "");
  }
  const auto& e = s["evaluation"];
  auto num = [&e](const char* key) {
    return e.contains(key) && e[key].is_number() ? e[key].get<double>() : 0.0;
  };
  out += fmt::format(
      "  {} metrics    accuracy {:.4f}  macro-F1 {:.4f}  weighted-F1 {:.4f}  top-3 {:.4f}  "
      "log-loss {:.4f}\n",
      e.value("split", ""), num("accuracy"), num("macro_f1"), num("weighted_f1"),
      num("top3_accuracy"), num("log_loss"));
  out += fmt::format("  report          {}\n", e.value("report", ""));
  if (s.contains("tracking")) {
    const auto& tr = s["tracking"];
    out += fmt::format("  tracking run    {} (experiment {})", tr.value("run_id", ""),
                       tr.value("experiment", ""));
    if (tr.contains("version")) {
      out += fmt::format("; registered models:/{}/{}", tr.value("registered_model", ""),
                         tr["version"].get<int64_t>());
    }
    out += "\n";
  }
  out += fmt::format("  total time      {:.1f}s\n", s["seconds"].value("total", 0.0));
  return out;
}

}  // namespace prodcat
