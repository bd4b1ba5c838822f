// The "gbdt" family: XGBoost gradient-boosted trees (multi:softprob, also for two classes) over
// the tabular view: the dense engineered features followed by the hashed one-hot columns.
//
// Hyperparameters (JSON, all optional; see GbdtParams for ranges):
//   num_rounds (300), learning_rate (0.1), max_depth (6), min_child_weight (1), subsample (1),
//   colsample_bytree (1), lambda (1), max_bin (256), early_stopping_rounds (20; on validation
//   log loss), tree_method ("hist"), nthread (0: TrainContext::threads or all cores),
//   max_train_rows (300000: a larger train split is subsampled uniformly with the run's seed so a
//   1M-row run fits the training time budget; 0 disables the cap),
//   stack_text (false) / stack_folds (5) / stack_params ({"calibration": "none"}): append
//   out-of-fold class probabilities of linear text models (TF-IDF view) as dense columns
//   "text_score=<class>" (gbdt_stacking.h); the tfidf view is then required too.
// Class weights (TrainContext::class_weights) become per-row XGBoost weights. Training details,
// checkpoints and exact resume: gbdt_training.h. Single-row scoring: gbdt_forest.h.
//
// Files written by Save:
//   gbdt.ubj    the XGBoost model (UBJSON), cut after the best validation round
//   gbdt.json   format version, hyperparameters, shape, best iteration, the model's SHA-256,
//               the stacking layout and the training summary
//   stack_linear/...  with stack_text: the final linear text model
#include "prodcat/models/gbdt_classifier.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/models/gbdt_forest.h"
#include "prodcat/models/gbdt_params.h"
#include "prodcat/models/gbdt_stacking.h"
#include "prodcat/models/gbdt_training.h"
#include "prodcat/models/gbdt_xgboost.h"

namespace prodcat {
namespace fs = std::filesystem;

namespace {

constexpr char kModelFile[] = "gbdt.ubj";
constexpr char kMetaFile[] = "gbdt.json";
constexpr char kStackDir[] = "stack_linear";
constexpr char kFormat[] = "prodcat.gbdt";
constexpr int kFormatVersion = 1;

class GbdtClassifier final : public Classifier {
 public:
  GbdtClassifier(GbdtParams params, int num_classes)
      : params_(std::move(params)), num_classes_(num_classes) {}

  std::string family() const override { return "gbdt"; }
  unsigned required_views() const override {
    return kViewTabular | (params_.stack_text ? kViewTfidf : 0u);
  }
  int num_classes() const override { return num_classes_; }

  Status Train(const TrainContext& ctx, const TrainSet& train, const TrainSet& val) override;
  // The stacked text models are linear ones, which spread over the pool.
  bool SpreadsOverPool() const override { return params_.stack_text; }
  void PredictProba(const FeatureVector& x, float* probs) const override;
  Status Save(const fs::path& dir, std::vector<std::string>* files) const override;
  Status Load(const fs::path& dir) override;
  nlohmann::json Hyperparameters() const override { return params_.ToJson(); }
  nlohmann::json TrainingSummary() const override { return summary_; }
  std::vector<FeatureImportance> Importance(const FeatureSpec& spec, size_t top) const override;

 private:
  // Installs a trained or loaded model; `source` names it in errors.
  Status Install(std::string model_bytes, const std::string& source);
  // Trains the stacked text models and returns the train/validation matrices the trees see.
  Status PrepareStack(const TrainContext& ctx, const TrainSet& train, const TrainSet& val,
                      TrainSet* stacked_train, CsrMatrix* stacked_val,
                      std::unique_ptr<Classifier>* text_model) const;

  GbdtParams params_;        // validated hyperparameters
  int num_classes_;          // >= 2, fixed at creation
  std::string model_bytes_;  // UBJSON of the final model; empty until trained or loaded
  XgbBooster booster_;       // holds model_bytes_ (for importance); empty until trained/loaded
  GbdtForest forest_;        // scores rows; same trees as booster_
  int best_iteration_ = -1;  // 0-based last round kept in the model
  // Stacking (params_.stack_text): the text model, the column where its scores start (= the
  // tabular view's width) and the class names for "text_score=<class>".
  std::unique_ptr<Classifier> stack_model_;            // null unless stacking
  size_t num_tabular_ = 0;                             // tabular columns before the stacked ones
  std::vector<std::string> class_names_;               // num_classes_ names (or empty)
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
                                     ", expected a class id in [0, " + std::to_string(num_classes) +
                                     ")");
    }
  }
  return Status::Ok();
}

Status GbdtClassifier::Install(std::string model_bytes, const std::string& source) {
  XgbBooster booster;
  Status loaded = XgbBooster::FromModelBytes(model_bytes, &booster);
  if (!loaded.ok()) {
    return Status::DataLoss(source + ": XGBoost cannot load the model: " + loaded.message());
  }
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
  std::unique_ptr<Classifier> text_model;
  if (params_.stack_text) {
    TrainSet stacked_train;
    CsrMatrix stacked_val;
    PRODCAT_RETURN_IF_ERROR(
        PrepareStack(ctx, train, val, &stacked_train, &stacked_val, &text_model));
    PRODCAT_RETURN_IF_ERROR(TrainGbdtBooster(params_, ctx, stacked_train.tabular,
                                             stacked_train.labels, stacked_val, val.labels,
                                             &result));
  } else {
    PRODCAT_RETURN_IF_ERROR(TrainGbdtBooster(params_, ctx, train.tabular, train.labels, val.tabular,
                                             val.labels, &result));
  }
  PRODCAT_RETURN_IF_ERROR(Install(std::move(result.model_bytes), "trained gbdt model"));
  stack_model_ = std::move(text_model);
  num_tabular_ = train.tabular.num_cols;
  class_names_ = ctx.class_names;
  best_iteration_ = result.best_iteration;
  summary_ = std::move(result.summary);
  return Status::Ok();
}

Status GbdtClassifier::PrepareStack(const TrainContext& ctx, const TrainSet& train,
                                    const TrainSet& val, TrainSet* stacked_train,
                                    CsrMatrix* stacked_val,
                                    std::unique_ptr<Classifier>* text_model) const {
  if (val.tfidf.rows() != val.rows()) {
    return Status::InvalidArgument("gbdt stacking needs the tfidf view: validation has " +
                                   std::to_string(val.tfidf.rows()) + " tfidf rows for " +
                                   std::to_string(val.rows()) + " labels");
  }
  // The trees train on at most max_train_rows rows; only those need out-of-fold scores.
  // TrainGbdtBooster then finds nothing left to subsample.
  std::vector<size_t> rows = ChooseTrainRows(train.rows(), params_.max_train_rows, ctx.seed);
  TrainSet subset = SubsetRows(train, rows);
  std::vector<float> oof_scores, val_scores;
  PRODCAT_RETURN_IF_ERROR(FitTextStack(params_.stack_params, params_.stack_folds, ctx, subset,
                                       &oof_scores, text_model));
  ScoreTfidfRows(**text_model, val.tfidf, &val_scores);
  stacked_train->labels = std::move(subset.labels);
  stacked_train->tabular = AppendDenseColumns(subset.tabular, oof_scores, num_classes_);
  *stacked_val = AppendDenseColumns(val.tabular, val_scores, num_classes_);
  stacked_val->num_cols = stacked_train->tabular.num_cols;
  return Status::Ok();
}

void GbdtClassifier::PredictProba(const FeatureVector& x, float* probs) const {
  if (forest_.num_trees() == 0) {
    // Untrained: the contract asks for a distribution, so answer the uninformed one.
    std::fill(probs, probs + num_classes_, 1.0f / static_cast<float>(num_classes_));
    return;
  }
  if (!stack_model_) {
    forest_.PredictProba(x.tabular, probs);
    return;
  }
  // The text model's probabilities go after the tabular columns, as in training.
  thread_local SparseVector row;
  thread_local std::vector<float> text_scores;
  text_scores.resize(static_cast<size_t>(num_classes_));
  stack_model_->PredictProba(x, text_scores.data());
  row.indices.assign(x.tabular.indices.begin(), x.tabular.indices.end());
  row.values.assign(x.tabular.values.begin(), x.tabular.values.end());
  for (int j = 0; j < num_classes_; ++j) {
    row.indices.push_back(static_cast<uint32_t>(num_tabular_ + static_cast<size_t>(j)));
    row.values.push_back(text_scores[static_cast<size_t>(j)]);
  }
  forest_.PredictProba(row, probs);
}

Status GbdtClassifier::Save(const fs::path& dir, std::vector<std::string>* files) const {
  if (model_bytes_.empty()) {
    return Status::FailedPrecondition("gbdt: nothing to save before training");
  }
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
      {"num_tabular_features", num_tabular_},
      {"class_names", class_names_},
      {"training", ReproducibleSummary(summary_)},
  };
  files->push_back(kModelFile);
  if (stack_model_) {
    std::vector<std::string> stack_files;
    PRODCAT_RETURN_IF_ERROR(stack_model_->Save(dir / kStackDir, &stack_files));
    for (const std::string& name : stack_files)
      files->push_back(std::string(kStackDir) + "/" + name);
  }
  // The metadata goes last: a directory without it is recognisably incomplete.
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / kMetaFile, meta.dump(1)));
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
  const size_t num_tabular = meta.value("num_tabular_features", size_t{0});
  const size_t stacked_columns = params.stack_text ? static_cast<size_t>(num_classes_) : 0;
  if (num_tabular + stacked_columns != forest_.num_features()) {
    return Status::DataLoss(meta_path.string() + ": num_tabular_features " +
                            std::to_string(num_tabular) + " does not fit a model of " +
                            std::to_string(forest_.num_features()) + " features");
  }
  std::unique_ptr<Classifier> stack_model;
  if (params.stack_text) {
    PRODCAT_RETURN_IF_ERROR(
        CreateClassifier("linear", params.stack_params, num_classes_, &stack_model)
            .WithContext(meta_path.string()));
    PRODCAT_RETURN_IF_ERROR(stack_model->Load(dir / kStackDir));
  }
  std::vector<std::string> class_names;
  if (auto it = meta.find("class_names"); it != meta.end() && it->is_array()) {
    for (const auto& name : *it)
      class_names.push_back(name.is_string() ? name.get<std::string>() : "");
  }
  params_ = std::move(params);
  stack_model_ = std::move(stack_model);
  num_tabular_ = num_tabular;
  class_names_ = std::move(class_names);
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
    std::string name;
    if (stack_model_ && column >= num_tabular_ &&
        column < num_tabular_ + static_cast<size_t>(num_classes_)) {
      size_t k = column - num_tabular_;
      name = "text_score=" + (k < class_names_.size() ? class_names_[k] : std::to_string(k));
    } else if (column < spec.tabular_dim()) {
      name = spec.TabularFeatureName(static_cast<uint32_t>(column));
    } else {
      name = "column " + std::to_string(column);
    }
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
    // The stacked text models' parameters are checked now rather than after hours of work.
    std::unique_ptr<Classifier> probe;
    PRODCAT_RETURN_IF_ERROR(CreateClassifier("linear", parsed.stack_params, num_classes, &probe)
                                .WithContext("gbdt parameter 'stack_params'"));
  }
  *out = std::make_unique<GbdtClassifier>(std::move(parsed), num_classes);
  return Status::Ok();
}

}  // namespace prodcat
