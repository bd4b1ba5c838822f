#include "prodcat/models/gbdt_training.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>
#include <utility>

#include "prodcat/common/stable_hash.h"
#include "prodcat/models/checkpoint.h"
#include "prodcat/models/gbdt_xgboost.h"
#include "prodcat/models/training_progress.h"

namespace prodcat {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// XGBoost's mlogloss clips probabilities at this value before the log.
constexpr double kLogLossEpsilon = 1e-16;
constexpr char kCheckpointKind[] = "prodcat.gbdt.checkpoint";

// The loop variables a checkpoint must restore for the continuation to match an uninterrupted
// run.
struct LoopState {
  int rounds_done = 0;                               // rounds boosted so far
  int best_iteration = -1;                           // 0-based round of best_score; -1: none yet
  double best_score = kInfinity;                     // lowest early-stopping score so far
  int rounds_since_best = 0;                         // rounds since best_score improved
  nlohmann::json history = nlohmann::json::array();  // one metrics object per round

  nlohmann::json ToJson() const {
    return {{"rounds_done", rounds_done},
            {"best_iteration", best_iteration},
            {"best_score", std::isfinite(best_score) ? nlohmann::json(best_score) : nullptr},
            {"rounds_since_best", rounds_since_best},
            {"history", history}};
  }

  static Status FromJson(const nlohmann::json& j, LoopState* out) {
    try {
      LoopState s;
      s.rounds_done = j.at("rounds_done").get<int>();
      s.best_iteration = j.at("best_iteration").get<int>();
      s.best_score = j.at("best_score").is_null() ? kInfinity : j.at("best_score").get<double>();
      s.rounds_since_best = j.at("rounds_since_best").get<int>();
      s.history = j.at("history");
      if (s.rounds_done < 0 || s.best_iteration >= s.rounds_done || !s.history.is_array()) {
        return Status::DataLoss("inconsistent loop state");
      }
      *out = std::move(s);
      return Status::Ok();
    } catch (const nlohmann::json::exception& e) {
      return Status::DataLoss(std::string("malformed loop state: ") + e.what());
    }
  }
};

// Multi-class log loss (clipped like XGBoost's) and error rate of row-major probabilities.
void LogLossAndError(const std::vector<float>& probs, const std::vector<float>& labels,
                     int num_classes, double* log_loss, double* error) {
  double loss = 0;
  size_t wrong = 0;
  for (size_t row = 0; row < labels.size(); ++row) {
    const float* p = probs.data() + row * static_cast<size_t>(num_classes);
    size_t label = static_cast<size_t>(labels[row]);
    loss -= std::log(std::max(static_cast<double>(p[label]), kLogLossEpsilon));
    size_t argmax = static_cast<size_t>(std::max_element(p, p + num_classes) - p);
    wrong += argmax != label ? 1 : 0;
  }
  double n = static_cast<double>(std::max<size_t>(labels.size(), 1));
  *log_loss = loss / n;
  *error = static_cast<double>(wrong) / n;
}

int EnvInt(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (*end != '\0') {
    spdlog::warn("ignoring {}={}: not an integer", name, text);
    return fallback;
  }
  return static_cast<int>(value);
}

int ResolveThreads(const GbdtParams& params, const TrainContext& ctx) {
  if (params.nthread > 0) return params.nthread;
  if (ctx.threads > 0) return ctx.threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string Num(double value) {
  return fmt::format("{}", value);
}

Status ConfigureBooster(const GbdtParams& params, int num_classes, uint64_t seed, int threads,
                        XgbBooster* booster) {
  const std::pair<const char*, std::string> settings[] = {
      {"verbosity", "1"},
      {"objective", "multi:softprob"},
      {"num_class", std::to_string(num_classes)},
      {"disable_default_eval_metric", "1"},  // metrics are computed here, see the header
      {"booster", "gbtree"},
      {"tree_method", params.tree_method},
      {"eta", Num(params.learning_rate)},
      {"max_depth", std::to_string(params.max_depth)},
      {"min_child_weight", Num(params.min_child_weight)},
      {"subsample", Num(params.subsample)},
      {"colsample_bytree", Num(params.colsample_bytree)},
      {"lambda", Num(params.lambda)},
      {"max_bin", std::to_string(params.max_bin)},
      // XGBoost 1.6 reads the seed as a 32-bit int.
      {"seed", std::to_string(seed % 2147483648ULL)},
      {"seed_per_iteration", "1"},
      {"nthread", std::to_string(threads)},
  };
  for (const auto& [name, value] : settings) {
    PRODCAT_RETURN_IF_ERROR(booster->SetParam(name, value));
  }
  return Status::Ok();
}

// Keys whose values differ between two JSON objects, descending one level into objects:
// "params.learning_rate: 0.1 in the checkpoint, 0.2 now".
std::string DescribeDifferences(const nlohmann::json& before, const nlohmann::json& now,
                                const std::string& prefix = "") {
  std::string out;
  nlohmann::json keys = nlohmann::json::object();
  for (const auto& item : before.items()) keys[item.key()] = true;
  for (const auto& item : now.items()) keys[item.key()] = true;
  for (const auto& item : keys.items()) {
    const std::string& key = item.key();
    nlohmann::json a = before.contains(key) ? before[key] : nlohmann::json(nullptr);
    nlohmann::json b = now.contains(key) ? now[key] : nlohmann::json(nullptr);
    if (a == b) continue;
    if (!out.empty()) out += "; ";
    if (a.is_object() && b.is_object() && prefix.empty()) {
      out += DescribeDifferences(a, b, key + ".");
    } else {
      out += prefix + key + ": " + a.dump() + " in the checkpoint, " + b.dump() + " now";
    }
  }
  return out;
}

}  // namespace

std::vector<size_t> ChooseTrainRows(size_t num_rows, int64_t max_rows, uint64_t seed) {
  std::vector<size_t> rows;
  if (max_rows <= 0 || static_cast<uint64_t>(max_rows) >= num_rows) {
    rows.resize(num_rows);
    for (size_t i = 0; i < num_rows; ++i) rows[i] = i;
    return rows;
  }
  // Each row gets a stable pseudo-random key from (seed, row); the smallest keys win. The same
  // seed picks the same rows on every machine.
  std::vector<std::pair<uint64_t, size_t>> keyed(num_rows);
  for (size_t i = 0; i < num_rows; ++i) {
    uint64_t buffer[2] = {seed, static_cast<uint64_t>(i)};
    keyed[i] = {StableHash(std::string_view(reinterpret_cast<const char*>(buffer), sizeof buffer)),
                i};
  }
  size_t k = static_cast<size_t>(max_rows);
  std::nth_element(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(k), keyed.end());
  rows.reserve(k);
  for (size_t i = 0; i < k; ++i) rows.push_back(keyed[i].second);
  std::sort(rows.begin(), rows.end());
  return rows;
}

Status TrainGbdtBooster(const GbdtParams& params, const TrainContext& ctx, const CsrMatrix& train_x,
                        const std::vector<int>& train_labels, const CsrMatrix& val_x,
                        const std::vector<int>& val_labels, GbdtTrainResult* out) {
  RouteXgboostLogs();
  const auto start_time = std::chrono::steady_clock::now();
  const int num_classes = ctx.num_classes;
  const int threads = ResolveThreads(params, ctx);
  const bool has_val = val_x.rows() > 0;

  std::vector<size_t> rows = ChooseTrainRows(train_x.rows(), params.max_train_rows, ctx.seed);
  const bool subsampled = rows.size() < train_x.rows();
  if (subsampled) {
    spdlog::info("gbdt: training on a seeded sample of {} of {} rows (max_train_rows)", rows.size(),
                 train_x.rows());
  }
  std::vector<float> labels, weights, val_label_values;
  labels.reserve(rows.size());
  for (size_t row : rows) labels.push_back(static_cast<float>(train_labels[row]));
  if (!ctx.class_weights.empty()) {
    weights.reserve(rows.size());
    for (size_t row : rows) {
      weights.push_back(static_cast<float>(ctx.class_weights[train_labels[row]]));
    }
  }
  for (int label : val_labels) val_label_values.push_back(static_cast<float>(label));

  XgbMatrix dtrain, dval;
  PRODCAT_RETURN_IF_ERROR(
      XgbMatrix::FromCsr(train_x, subsampled ? &rows : nullptr, labels, weights, threads, &dtrain));
  std::vector<const XgbMatrix*> cache = {&dtrain};
  if (has_val) {
    PRODCAT_RETURN_IF_ERROR(
        XgbMatrix::FromCsr(val_x, nullptr, val_label_values, {}, threads, &dval));
    cache.push_back(&dval);
  }
  XgbBooster booster;
  PRODCAT_RETURN_IF_ERROR(XgbBooster::Create(cache, &booster));

  // What must match for a checkpoint to continue this run.
  const nlohmann::json run_identity = {
      {"params", params.ToJson()},
      {"seed", ctx.seed},
      {"num_classes", num_classes},
      {"class_weights", ctx.class_weights},
      {"num_features", std::max(train_x.num_cols, val_x.num_cols)},
      {"train_rows", train_x.rows()},
      {"train_rows_used", rows.size()},
      {"val_rows", val_x.rows()},
  };

  LoopState state;
  std::optional<CheckpointDir> checkpoints;
  if (!ctx.checkpoint_dir.empty()) {
    checkpoints.emplace(ctx.checkpoint_dir, "ubj");
    const std::string where = ctx.checkpoint_dir.string();
    if (ctx.resume) {
      std::optional<Checkpoint> latest;
      std::vector<std::string> skipped;
      PRODCAT_RETURN_IF_ERROR(checkpoints->FindLatestValid(&latest, &skipped));
      for (const std::string& message : skipped) spdlog::warn("gbdt: {}", message);
      if (!latest) {
        spdlog::info("gbdt: no usable checkpoint in {}; training from scratch", where);
      } else {
        const nlohmann::json& saved = latest->state;
        const std::string name = checkpoints->StatePath(latest->round).filename().string();
        if (saved.value("kind", "") != kCheckpointKind) {
          return Status::FailedPrecondition(where + "/" + name + " is not a gbdt checkpoint");
        }
        std::string fingerprint = saved.value("data_fingerprint", "");
        if (fingerprint != ctx.data_fingerprint) {
          return Status::FailedPrecondition(
              "cannot resume from " + where + "/" + name + ": it was made on different data " +
              "(fingerprint " + fingerprint + ", now " + ctx.data_fingerprint +
              "); remove the checkpoint directory or train without resume");
        }
        const nlohmann::json saved_identity = saved.value("run", nlohmann::json::object());
        if (saved_identity != run_identity) {
          return Status::FailedPrecondition(
              "cannot resume from " + where + "/" + name + ": it was made with different " +
              "settings (" + DescribeDifferences(saved_identity, run_identity) +
              "); remove the checkpoint directory or train with the original settings");
        }
        PRODCAT_RETURN_IF_ERROR(LoopState::FromJson(saved.value("loop", nlohmann::json()), &state)
                                    .WithContext(where + "/" + name));
        PRODCAT_RETURN_IF_ERROR(booster.LoadModel(latest->model_bytes)
                                    .WithContext("loading checkpoint " + where + "/" + name));
        int boosted = 0;
        PRODCAT_RETURN_IF_ERROR(booster.BoostedRounds(&boosted));
        if (boosted != state.rounds_done) {
          return Status::DataLoss(where + "/" + name + ": the model holds " +
                                  std::to_string(boosted) + " rounds, the state records " +
                                  std::to_string(state.rounds_done));
        }
        if (saved.value("threads", threads) != threads) {
          spdlog::warn(
              "gbdt: the checkpoint was trained with {} threads, this run uses {}; the result may "
              "differ in the last bits from an uninterrupted run",
              saved.value("threads", threads), threads);
        }
        spdlog::info("gbdt: resuming from the checkpoint of round {} in {}", state.rounds_done,
                     where);
        out->resumed_from_round = state.rounds_done;
      }
    } else if (!checkpoints->ListRounds().empty()) {
      spdlog::warn(
          "gbdt: {} holds checkpoints of an earlier run and resume was not requested; "
          "removing them",
          where);
      PRODCAT_RETURN_IF_ERROR(checkpoints->RemoveAll());
    }
  }
  PRODCAT_RETURN_IF_ERROR(ConfigureBooster(params, num_classes, ctx.seed, threads, &booster));

  // With sampling, the updater is rebuilt from this configuration before every round (header).
  std::string config_json;
  if (params.UsesSampling()) PRODCAT_RETURN_IF_ERROR(booster.SaveConfig(&config_json));

  const int abort_after_round = EnvInt("PRODCAT_TEST_ABORT_AFTER_ROUND", -1);
  const int round_delay_ms = EnvInt("PRODCAT_TEST_ROUND_DELAY_MS", 0);
  const int checkpoint_every = std::max(1, ctx.checkpoint_every);
  auto early_stop_due = [&] {
    return has_val && params.early_stopping_rounds > 0 &&
           state.rounds_since_best >= params.early_stopping_rounds;
  };
  bool stopped_early = early_stop_due();
  const int first_round = state.rounds_done;
  // After a resume the bar covers the remaining rounds, so its rate and ETA stay meaningful.
  TrainingProgress bar(
      ctx, first_round > 0 ? fmt::format("gbdt (resumed at round {})", first_round) : "gbdt",
      static_cast<size_t>(params.num_rounds - first_round));
  std::vector<float> probs;
  for (int round = first_round; round < params.num_rounds && !stopped_early; ++round) {
    if (!config_json.empty()) PRODCAT_RETURN_IF_ERROR(booster.LoadConfig(config_json));
    PRODCAT_RETURN_IF_ERROR(booster.UpdateOneIter(round, dtrain));

    double train_loss = 0, train_error = 0, val_loss = 0, val_error = 0;
    PRODCAT_RETURN_IF_ERROR(booster.Predict(dtrain, &probs));
    LogLossAndError(probs, labels, num_classes, &train_loss, &train_error);
    if (has_val) {
      PRODCAT_RETURN_IF_ERROR(booster.Predict(dval, &probs));
      LogLossAndError(probs, val_label_values, num_classes, &val_loss, &val_error);
    }
    state.rounds_done = round + 1;
    const double score = has_val ? val_loss : train_loss;
    if (score < state.best_score) {
      state.best_score = score;
      state.best_iteration = round;
      state.rounds_since_best = 0;
    } else {
      ++state.rounds_since_best;
    }
    std::map<std::string, double> metrics = {{"train_mlogloss", train_loss},
                                             {"train_merror", train_error}};
    if (has_val) {
      metrics["val_mlogloss"] = val_loss;
      metrics["val_merror"] = val_error;
    }
    nlohmann::json record = metrics;
    record["round"] = round + 1;
    state.history.push_back(std::move(record));
    stopped_early = early_stop_due();

    bar.Update(static_cast<size_t>(round + 1 - first_round),
               has_val ? fmt::format("val mlogloss {:.4f} merror {:.4f}", val_loss, val_error)
                       : fmt::format("train mlogloss {:.4f}", train_loss));
    if (ctx.on_round) ctx.on_round(round + 1, metrics);

    if (checkpoints && (round + 1) % checkpoint_every == 0) {
      std::string model_bytes;
      PRODCAT_RETURN_IF_ERROR(booster.SaveModel(&model_bytes));
      nlohmann::json checkpoint_state = {{"kind", kCheckpointKind},
                                         {"data_fingerprint", ctx.data_fingerprint},
                                         {"run", run_identity},
                                         {"threads", threads},
                                         {"loop", state.ToJson()}};
      PRODCAT_RETURN_IF_ERROR(
          checkpoints->Write(round + 1, model_bytes, std::move(checkpoint_state), score));
      PRODCAT_RETURN_IF_ERROR(checkpoints->Prune(ctx.keep_last, round + 1));
    }
    if (round + 1 == abort_after_round) {
      return Status::Internal("gbdt training stopped after round " + std::to_string(round + 1) +
                              " by PRODCAT_TEST_ABORT_AFTER_ROUND (test hook)");
    }
    if (round_delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(round_delay_ms));
  }

  // Keep the trees up to the best validation round; later rounds only overfit.
  const int kept_rounds =
      has_val && state.best_iteration >= 0 ? state.best_iteration + 1 : state.rounds_done;
  int boosted = 0;
  PRODCAT_RETURN_IF_ERROR(booster.BoostedRounds(&boosted));
  if (kept_rounds < boosted) {
    XgbBooster sliced;
    PRODCAT_RETURN_IF_ERROR(booster.Slice(kept_rounds, &sliced));
    PRODCAT_RETURN_IF_ERROR(sliced.SaveModel(&out->model_bytes));
  } else {
    PRODCAT_RETURN_IF_ERROR(booster.SaveModel(&out->model_bytes));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  const int rounds_this_run = state.rounds_done - first_round;
  bar.Finish(fmt::format("{} rounds, best {} (val mlogloss {:.4f})", state.rounds_done, kept_rounds,
                         has_val ? state.best_score : 0.0));

  out->best_iteration = kept_rounds - 1;
  out->rounds_trained = state.rounds_done;
  out->summary = {
      {"best_iteration", kept_rounds - 1},
      {"rounds_trained", state.rounds_done},
      {"stopped_early", stopped_early},
      {"train_rows_used", rows.size()},
      {"train_rows_total", train_x.rows()},
      {"threads", threads},
      {"resumed_from_round", out->resumed_from_round},
      {"train_seconds", seconds},
      {"row_rounds_per_second",
       seconds > 0 ? static_cast<double>(rows.size()) * rounds_this_run / seconds : 0.0},
      {"history", state.history},
  };
  if (has_val && std::isfinite(state.best_score)) {
    out->summary["best_val_mlogloss"] = state.best_score;
  }
  return Status::Ok();
}

}  // namespace prodcat
