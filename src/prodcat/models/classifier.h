// Classifier: the interface every model family implements (LightGBM-style interface + factory).
// A family consumes one or more FeatureSpec views, trains on a TrainSet, and predicts a full
// probability vector. Families: "linear" (liblinear over TF-IDF), "fasttext" (fastText supervised)
// and "gbdt" (XGBoost over the tabular view, optionally stacked with text-model scores).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/features/feature_spec.h"
#include "prodcat/features/sparse.h"

namespace prodcat {

// One split, transformed into the views the family asked for.
struct TrainSet {
  std::vector<int> labels;        // class ids in [0, num_classes)
  CsrMatrix tfidf;                // filled when kViewTfidf is required
  CsrMatrix tabular;              // filled when kViewTabular is required
  std::vector<std::string> text;  // filled when kViewText is required
  size_t rows() const { return labels.size(); }
};

// Metrics reported after a training round (boosting round, epoch, or solver pass).
using RoundCallback = std::function<void(int step, const std::map<std::string, double>& metrics)>;
// Training progress: `done` of `total` steps (classes, rounds, permille) and a short status.
using ProgressCallback = std::function<void(size_t done, size_t total, const std::string& detail)>;

class TaskPool;

struct TrainContext {
  int num_classes = 0;
  std::vector<std::string> class_names;  // index = class id
  std::vector<double> class_weights;     // per class id; empty means all 1 (rebalancing)
  uint64_t seed = 42;                    // same seed + same data = same model
  int threads = 0;                       // 0 = all cores
  std::filesystem::path checkpoint_dir;  // empty: no checkpoints
  int checkpoint_every = 10;             // rounds between atomic checkpoints
  int keep_last = 3;                     // checkpoints kept besides the best one
  bool resume = false;                   // continue from the last checkpoint in checkpoint_dir
  std::string data_fingerprint;          // a checkpoint made on other data is refused
  bool show_progress = true;             // progress bar on stderr
  // Optional; replaces the family's own progress bar (e.g. one line for concurrent candidates).
  ProgressCallback on_progress;
  RoundCallback on_round;  // optional, for experiment tracking
  // Optional shared threads for parallel work inside Train (one-vs-rest classes); null: the
  // family starts `threads` threads of its own where it parallelizes.
  TaskPool* pool = nullptr;
  const FeatureSpec* spec = nullptr;  // the fitted spec (for names and stacking)
};

struct FeatureImportance {
  std::string name;
  double importance = 0;  // gain for trees; mean |weight| x mean value for linear models
};

class Classifier {
 public:
  virtual ~Classifier() = default;
  virtual std::string family() const = 0;
  virtual unsigned required_views() const = 0;  // FeatureView bits
  virtual int num_classes() const = 0;

  virtual Status Train(const TrainContext& ctx, const TrainSet& train, const TrainSet& val) = 0;
  // True when Train spreads its work over TrainContext::pool (and so can use any idle thread);
  // false when it runs on the calling thread plus, at most, TrainContext::threads of its own.
  virtual bool SpreadsOverPool() const { return false; }
  // Writes num_classes() probabilities summing to 1 into probs. Thread-safe after Train/Load.
  virtual void PredictProba(const FeatureVector& x, float* probs) const = 0;

  // Model files go into `dir`; their names are appended to *files. Save is atomic per file.
  virtual Status Save(const std::filesystem::path& dir, std::vector<std::string>* files) const = 0;
  virtual Status Load(const std::filesystem::path& dir) = 0;

  // Every hyperparameter in effect (defaults included), for the manifest and tracking.
  virtual nlohmann::json Hyperparameters() const = 0;
  // Facts from training worth recording (best iteration, epochs, calibration temperature...).
  virtual nlohmann::json TrainingSummary() const { return nlohmann::json::object(); }
  virtual std::vector<FeatureImportance> Importance(const FeatureSpec& spec, size_t top) const = 0;
};

// A training summary without the facts of one particular run (wall time, throughput, thread
// count, resume point), so saved model files are byte-identical for the same seed and data; the
// full summary goes into the bundle manifest instead.
nlohmann::json ReproducibleSummary(const nlohmann::json& summary);

// The factory. `params` holds the family's hyperparameters (unknown keys are an error naming the
// key); missing keys take documented defaults.
Status CreateClassifier(const std::string& family, const nlohmann::json& params, int num_classes,
                        std::unique_ptr<Classifier>* out);
std::vector<std::string> ClassifierFamilies();

}  // namespace prodcat
