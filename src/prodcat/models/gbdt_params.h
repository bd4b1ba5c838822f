// GbdtParams: the validated hyperparameters of the `gbdt` family (XGBoost over the tabular view).
// Parsed from the `params` mapping of the model config; unknown keys and wrong types are errors
// naming the key, missing keys take the defaults below.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "prodcat/common/status.h"

namespace prodcat {

struct GbdtParams {
  int num_rounds = 300;              // boosting rounds at most (one tree per class per round)
  double learning_rate = 0.1;        // XGBoost eta
  int max_depth = 6;                 // depth of each tree
  double min_child_weight = 1.0;     // minimum hessian sum in a leaf
  double subsample = 1.0;            // row fraction sampled per round, in (0, 1]
  double colsample_bytree = 1.0;     // column fraction sampled per tree, in (0, 1]
  double lambda = 1.0;               // L2 regularization of leaf weights
  int max_bin = 256;                 // histogram bins per feature (tree_method hist/approx)
  int early_stopping_rounds = 20;    // stop after this many rounds without val improvement; 0: off
  std::string tree_method = "hist";  // "hist", "approx" or "exact"
  // Rows used for training at most; a larger train split is subsampled (seeded, uniformly)
  // so a 1M-row run stays within the training time budget. 0 means no cap.
  int64_t max_train_rows = 300000;
  int nthread = 0;          // 0: TrainContext::threads, or all cores when that is 0 too
  bool stack_text = false;  // append out-of-fold linear text-model scores as features
  int stack_folds = 5;      // folds for the out-of-fold text scores (>= 2)
  // `linear` family params of the stacked text models; calibration defaults to "none" there.
  nlohmann::json stack_params = nlohmann::json::object();

  // Every key with its value (defaults included), for the manifest and checkpoint comparison.
  nlohmann::json ToJson() const;
  // Errors name the offending key: "gbdt parameter 'max_depth': expected an integer, got 2.5".
  static Status FromJson(const nlohmann::json& params, GbdtParams* out);

  // True when XGBoost draws random numbers while growing trees.
  bool UsesSampling() const { return subsample < 1.0 || colsample_bytree < 1.0; }
};

}  // namespace prodcat
