// Stacking for the `gbdt` family (param stack_text): the class probabilities of a linear model
// over the TF-IDF view become extra dense columns of the tabular view, named
// "text_score=<class>". So that the trees see, during training, scores of the same quality as at
// inference, each training row's scores come from a linear model that did not train on it
// (k-fold out-of-fold scores); a final linear model trained on all training rows scores the
// validation rows and, at inference, every new row.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/features/sparse.h"
#include "prodcat/models/classifier.h"

namespace prodcat {

// Fold of each row in [0, folds), from a stable hash of (seed, row): the same on every machine.
std::vector<int> AssignFolds(size_t num_rows, int folds, uint64_t seed);

// Rows `rows` of every filled view of `set`.
TrainSet SubsetRows(const TrainSet& set, const std::vector<size_t>& rows);

// Trains `folds` linear models (CreateClassifier("linear", linear_params)) on the other folds'
// TF-IDF rows to fill *oof_scores (rows x num_classes, row-major) and one final model on every
// row. Fold models get no validation rows, like the final one, so both score identically.
Status FitTextStack(const nlohmann::json& linear_params, int folds, const TrainContext& ctx,
                    const TrainSet& train, std::vector<float>* oof_scores,
                    std::unique_ptr<Classifier>* final_model);

// Class probabilities of `model` for every row of `tfidf` (rows x num_classes, row-major).
void ScoreTfidfRows(const Classifier& model, const CsrMatrix& tfidf, std::vector<float>* scores);

// `base` with `width` dense columns appended after its last column, taken row by row from
// `scores` (base.rows() x width).
CsrMatrix AppendDenseColumns(const CsrMatrix& base, const std::vector<float>& scores, int width);

}  // namespace prodcat
