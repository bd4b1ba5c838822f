// Train: labeled records -> the best of several model families, as a verified model bundle.
// Fits one FeatureSpec on the training split, builds the views each candidate family needs,
// trains the candidates (checkpointing where the family supports it), scores each on the
// validation split and keeps the best by macro-F1, recording every candidate's figures.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"
#include "prodcat/data/record_reader.h"
#include "prodcat/data/reframing.h"
#include "prodcat/features/feature_spec.h"
#include "prodcat/models/bundle.h"
#include "prodcat/models/classifier.h"
#include "prodcat/pipeline/config.h"

namespace prodcat {

struct TrainOptions {
  std::vector<std::string> candidates;  // families to train; one unless model=auto
  nlohmann::json family_params = nlohmann::json::object();  // models.<family> sections
  FeatureSpecOptions features;
  uint64_t seed = 42;
  int threads = 0;                         // 0 = all cores
  std::string class_weights = "balanced";  // none | balanced
  double class_weight_cap = 10.0;
  int checkpoint_every = 10;
  int keep_last = 3;
  bool resume = false;
  bool progress = true;
  std::filesystem::path checkpoint_dir;  // empty: "<out>-checkpoints" beside the bundle
  RoundCallback on_round;                // optional observer (tracking)
  bool validate = true;                  // gate the data on an expectation suite first
  std::filesystem::path suite;           // the suite; empty: inferred from training data

  // From the `train`, `features` and `models` sections; `model` overrides train.model.
  static Status FromConfig(const Config& config, const std::string& model, TrainOptions* out);
};

struct TrainOutcome {
  std::string family;         // the selected family
  nlohmann::json candidates;  // [{family, val_macro_f1, val_accuracy, train_seconds, ...}]
  std::filesystem::path bundle_dir;
};

// Trains on in-memory splits (labels already reframed) and saves the bundle at out_dir.
Status TrainBundle(const std::vector<ProductRecord>& train, const std::vector<ProductRecord>& val,
                   const Reframing& reframing, const TrainOptions& options,
                   const std::filesystem::path& out_dir, TrainOutcome* outcome);

// Reads the files (labels required), applies `reframing_file` when given (else reframing.json
// beside the training file when present), gates them on the expectation suite (reports in
// "<out_dir>-validation"), then TrainBundle.
Status TrainFromFiles(const std::filesystem::path& train_file,
                      const std::filesystem::path& val_file, const ReadOptions& read,
                      const std::filesystem::path& reframing_file, const TrainOptions& options,
                      const std::filesystem::path& out_dir, TrainOutcome* outcome);

// Probabilities for many records (n x k, row-major), in parallel.
void PredictRecords(const ModelBundle& bundle, const std::vector<ProductRecord>& records,
                    int threads, std::vector<float>* probs);

}  // namespace prodcat
