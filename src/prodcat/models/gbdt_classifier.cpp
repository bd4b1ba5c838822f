// The "gbdt" family: XGBoost gradient-boosted trees (multi:softprob, also for two classes) over
// the tabular view: the dense engineered features followed by the hashed one-hot columns.
//
// Hyperparameters (JSON, all optional; see GbdtParams for ranges):
//   num_rounds (300), learning_rate (0.1), max_depth (6), min_child_weight (1), subsample (1),
//   colsample_bytree (1), lambda (1), max_bin (256), early_stopping_rounds (20; on validation
//   log loss), tree_method ("hist"), nthread (0: TrainContext::threads or all cores),
//   max_train_rows (300000: a larger train split is subsampled uniformly with the run's seed so a
//   1M-row run fits the training time budget; 0 disables the cap),
//   stack_text / stack_folds / stack_params (stacking of linear text-model scores: not supported
//   in this build; stack_text true is rejected).
// Class weights (TrainContext::class_weights) become per-row XGBoost weights. Training details,
// checkpoints and exact resume: gbdt_training.h. Single-row scoring: gbdt_forest.h.
//
// Files written by Save:
//   gbdt.ubj    the XGBoost model (UBJSON), cut after the best validation round
//   gbdt.json   format version, hyperparameters, shape, best iteration, the model's SHA-256 and
//               the training summary
#include "prodcat/models/gbdt_classifier.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/models/gbdt_forest.h"
#include "prodcat/models/gbdt_params.h"
#include "prodcat/models/gbdt_training.h"
#include "prodcat/models/gbdt_xgboost.h"

namespace prodcat {
namespace fs = std::filesystem;

namespace {

constexpr char kModelFile[] = "gbdt.ubj";
constexpr char kMetaFile[] = "gbdt.json";
constexpr char kFormat[] = "prodcat.gbdt";
constexpr int kFormatVersion = 1;

class GbdtClassifier final : public Classifier {
 public:
  GbdtClassifier(GbdtParams params, int num_classes)
      : params_(std::move(params)), num_classes_(num_classes) {}

  std::string family() const override { return "gbdt"; }
  unsigned required_views() const override { return kViewTabular; }
  int num_classes() const override { return num_classes_; }

  Status Train(const TrainContext& ctx, const TrainSet& train, const TrainSet& val) override;
  void PredictProba(const FeatureVector& x, float* probs) const override;
  Status Save(const fs::path& dir, std::vector<std::string>* files) const override;
  Status Load(const fs::path& dir) override;
  nlohmann::json Hyperparameters() const override { return params_.ToJson(); }
  nlohmann::json TrainingSummary() const override { return summary_; }
  std::vector<FeatureImportance> Importance(const FeatureSpec& spec, size_t top) const override;

 private:
  // Installs a trained or loaded model; `source` names it in errors.
  Status Install(std::string model_bytes, const std::string& source);

  GbdtParams params_;        // validated hyperparameters
  int num_classes_;          // >= 2, fixed at creation
  std::string model_bytes_;  // UBJSON of the final model; empty until trained or loaded
  XgbBooster booster_;       // holds model_bytes_ (for importance); empty until trained/loaded
  GbdtForest forest_;        // scores rows; same trees as booster_
  int best_iteration_ = -1;  // 0-based last round kept in the model
  nlohmann::json summary_ = nlohmann::json::object();  // TrainingSummary()
};

Status CheckTrainSet(const TrainSet& set, const char* name, int num_classes) {
  if (set.tabular.rows() != set.labels.size()) {
    return Status::InvalidArgument(std::string("gbdt: ") + name + " tabular view has " +
                                   std::to_string(set.tabular.rows()) + " rows for " +
                                   std::to_string(set.labels.size()) + " labels");
  }
  for (size_t i = 0; i < set.labels.size(); ++i) {
    if (set.labels[i] < 0 || set.labels[i] >= num_classes) {
      return Status::InvalidArgument(std::string("gbdt: ") + name + " row " + std::to_string(i) +
                                     " has label " + std::to_string(set.labels[i]) +
                                     ", expected a class id in [0, " +
                                     std::to_string(num_classes) + ")");
    }
  }
  return Status::Ok();
}

Status GbdtClassifier::Install(std::string model_bytes, const std::string& source) {
  XgbBooster booster;
  Status loaded = XgbBooster::FromModelBytes(model_bytes, &booster);
  if (!loaded.ok()) return Status::DataLoss(source + ": XGBoost cannot load the model: " + loaded.message());
  GbdtForest forest;
  Status parsed = GbdtForest::FromModelBytes(model_bytes, &forest);
  if (!parsed.ok()) return Status::DataLoss(source + ": " + parsed.message());
  if (forest.num_classes() != num_classes_) {
    return Status::DataLoss(source + ": the model has " + std::to_string(forest.num_classes()) +
                            " classes, expected " + std::to_string(num_classes_));
  }
  model_bytes_ = std::move(model_bytes);
  booster_ = std::move(booster);
  forest_ = std::move(forest);
  return Status::Ok();
}

Status GbdtClassifier::Train(const TrainContext& ctx, const TrainSet& train, const TrainSet& val) {
  if (ctx.num_classes != num_classes_) {
    return Status::InvalidArgument("gbdt: created for " + std::to_string(num_classes_) +
                                   " classes, the training context has " +
                                   std::to_string(ctx.num_classes));
  }
  if (!ctx.class_weights.empty() && ctx.class_weights.size() != static_cast<size_t>(num_classes_)) {
    return Status::InvalidArgument("gbdt: " + std::to_string(ctx.class_weights.size()) +
                                   " class weights for " + std::to_string(num_classes_) +
                                   " classes");
  }
  if (train.rows() == 0) return Status::InvalidArgument("gbdt: the training set is empty");
  PRODCAT_RETURN_IF_ERROR(CheckTrainSet(train, "train", num_classes_));
  PRODCAT_RETURN_IF_ERROR(CheckTrainSet(val, "validation", num_classes_));
  if (val.rows() > 0 && val.tabular.num_cols != train.tabular.num_cols) {
    return Status::InvalidArgument("gbdt: train has " + std::to_string(train.tabular.num_cols) +
                                   " tabular columns, validation " +
                                   std::to_string(val.tabular.num_cols));
  }
  GbdtTrainResult result;
  PRODCAT_RETURN_IF_ERROR(
      TrainGbdtBooster(params_, ctx, train.tabular, train.labels, val.tabular, val.labels, &result));
  PRODCAT_RETURN_IF_ERROR(Install(std::move(result.model_bytes), "trained gbdt model"));
  best_iteration_ = result.best_iteration;
  summary_ = std::move(result.summary);
  return Status::Ok();
}

void GbdtClassifier::PredictProba(const FeatureVector& x, float* probs) const {
  if (forest_.num_trees() == 0) {
    // Untrained: the contract asks for a distribution, so answer the uninformed one.
    std::fill(probs, probs + num_classes_, 1.0f / static_cast<float>(num_classes_));
    return;
  }
  forest_.PredictProba(x.tabular, probs);
}

Status GbdtClassifier::Save(const fs::path& dir, std::vector<std::string>* files) const {
  if (model_bytes_.empty()) return Status::FailedPrecondition("gbdt: nothing to save before training");
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(dir));
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / kModelFile, model_bytes_));
  nlohmann::json meta = {
      {"format", kFormat},
      {"format_version", kFormatVersion},
      {"num_classes", num_classes_},
      {"num_features", forest_.num_features()},
      {"best_iteration", best_iteration_},
      {"hyperparameters", params_.ToJson()},
      {"model_file", kModelFile},
      {"model_sha256", Sha256Hex(model_bytes_)},
      {"training", summary_},
  };
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / kMetaFile, meta.dump(1)));
  files->push_back(kModelFile);
  files->push_back(kMetaFile);
  return Status::Ok();
}

Status GbdtClassifier::Load(const fs::path& dir) {
  const fs::path meta_path = dir / kMetaFile;
  const fs::path model_path = dir / kModelFile;
  std::string text;
  PRODCAT_RETURN_IF_ERROR(ReadFile(meta_path, &text));
  nlohmann::json meta = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (meta.is_discarded() || !meta.is_object()) {
    return Status::DataLoss(meta_path.string() + ": not a JSON object");
  }
  if (meta.value("format", "") != kFormat || meta.value("format_version", -1) != kFormatVersion) {
    return Status::DataLoss(meta_path.string() + ": expected format " + kFormat + " version " +
                            std::to_string(kFormatVersion));
  }
  if (meta.value("num_classes", -1) != num_classes_) {
    return Status::DataLoss(meta_path.string() + ": the model has " +
                            meta.value("num_classes", nlohmann::json()).dump() +
                            " classes, expected " + std::to_string(num_classes_));
  }
  GbdtParams params;
  Status params_ok = GbdtParams::FromJson(meta.value("hyperparameters", nlohmann::json()), &params);
  if (!params_ok.ok()) return Status::DataLoss(meta_path.string() + ": " + params_ok.message());

  std::string bytes;
  PRODCAT_RETURN_IF_ERROR(ReadFile(model_path, &bytes));
  if (Sha256Hex(bytes) != meta.value("model_sha256", "")) {
    return Status::DataLoss(model_path.string() + ": SHA-256 differs from " + meta_path.string() +
                            " (corrupt or replaced model file)");
  }
  PRODCAT_RETURN_IF_ERROR(Install(std::move(bytes), model_path.string()));
  if (meta.value("num_features", size_t{0}) != forest_.num_features()) {
    return Status::DataLoss(model_path.string() + ": the model has " +
                            std::to_string(forest_.num_features()) + " features, " +
                            meta_path.string() + " records " +
                            meta.value("num_features", nlohmann::json()).dump());
  }
  params_ = std::move(params);
  best_iteration_ = meta.value("best_iteration", -1);
  summary_ = meta.value("training", nlohmann::json::object());
  return Status::Ok();
}

std::vector<FeatureImportance> GbdtClassifier::Importance(const FeatureSpec& spec,
                                                          size_t top) const {
  std::vector<FeatureImportance> out;
  if (!booster_.valid()) return out;
  std::vector<std::pair<size_t, double>> scores;
  if (!booster_.FeatureScores("total_gain", &scores).ok()) return out;
  std::sort(scores.begin(), scores.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (scores.size() > top) scores.resize(top);
  for (const auto& [column, gain] : scores) {
    std::string name = column < spec.tabular_dim() ? spec.TabularFeatureName(static_cast<uint32_t>(column))
                                                   : "column " + std::to_string(column);
    out.push_back({std::move(name), gain});
  }
  return out;
}

}  // namespace

Status CreateGbdtClassifier(const nlohmann::json& params, int num_classes,
                            std::unique_ptr<Classifier>* out) {
  GbdtParams parsed;
  PRODCAT_RETURN_IF_ERROR(GbdtParams::FromJson(params, &parsed));
  if (parsed.stack_text) {
    return Status::Unimplemented(
        "gbdt parameter 'stack_text': stacking text-model scores is not supported yet");
  }
  *out = std::make_unique<GbdtClassifier>(std::move(parsed), num_classes);
  return Status::Ok();
}

}  // namespace prodcat
