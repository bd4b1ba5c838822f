// The boosting loop of the `gbdt` family: XGBoost multi:softprob rounds with per-round metrics,
// early stopping on validation log loss, and crash-safe checkpoints with exact resume.
//
// Resume is exact: a run killed at any point and resumed from its newest valid checkpoint ends
// with the same model bytes as a run that was never interrupted (same data, parameters, seed and
// thread count). Two things make that hold with XGBoost 1.7:
//   - seed_per_iteration reseeds XGBoost's global RNG from (seed, round) before every round;
//   - with row or column sampling, the tree updater (whose column sampler keeps its own RNG
//     state from the round it was created in) is recreated before every round by reloading the
//     booster's JSON configuration, so no random state outlives a round. The prediction caches
//     survive the reload, so this costs little.
// Validation metrics are computed here in double precision from XGBoost's cached predictions, so
// early-stopping decisions depend only on the model, never on process history.
//
// Test hooks (environment variables, read at the start of training; for tests only):
//   PRODCAT_TEST_ABORT_AFTER_ROUND=N  after round N completes (and its checkpoint, if one is
//                                     due, is written) training returns an Internal error, as
//                                     if the process had died there
//   PRODCAT_TEST_ROUND_DELAY_MS=M     sleeps M ms after every round, so an external test can
//                                     kill a real `prodcat train` process mid-training
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/features/sparse.h"
#include "prodcat/models/classifier.h"
#include "prodcat/models/gbdt_params.h"

namespace prodcat {

struct GbdtTrainResult {
  std::string model_bytes;     // UBJSON of the final booster, cut after the best round
  int best_iteration = -1;     // 0-based round with the lowest validation log loss
  int rounds_trained = 0;      // rounds boosted before stopping
  int resumed_from_round = 0;  // rounds restored from a checkpoint (0: started from scratch)
  nlohmann::json summary;      // facts for the manifest (see TrainingSummary)
};

// Trains on `train_x` (already including any stacked columns) with labels in [0, num_classes).
// `val_x` may have no rows, which disables early stopping.
Status TrainGbdtBooster(const GbdtParams& params, const TrainContext& ctx, const CsrMatrix& train_x,
                        const std::vector<int>& train_labels, const CsrMatrix& val_x,
                        const std::vector<int>& val_labels, GbdtTrainResult* out);

// Seeded uniform choice of `max_rows` of `num_rows` rows (ascending); all rows when
// max_rows is 0 or not smaller than num_rows.
std::vector<size_t> ChooseTrainRows(size_t num_rows, int64_t max_rows, uint64_t seed);

}  // namespace prodcat
