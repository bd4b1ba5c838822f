#include "prodcat/models/gbdt_stacking.h"

#include <string>
#include <string_view>

#include "prodcat/common/stable_hash.h"

namespace prodcat {
namespace {

CsrMatrix SubsetCsr(const CsrMatrix& m, const std::vector<size_t>& rows) {
  CsrMatrix out;
  out.num_cols = m.num_cols;
  if (m.rows() == 0) return out;
  for (size_t row : rows) {
    out.indices.insert(out.indices.end(), m.indices.begin() + m.indptr[row],
                       m.indices.begin() + m.indptr[row + 1]);
    out.values.insert(out.values.end(), m.values.begin() + m.indptr[row],
                      m.values.begin() + m.indptr[row + 1]);
    out.indptr.push_back(out.indices.size());
  }
  return out;
}

}  // namespace

std::vector<int> AssignFolds(size_t num_rows, int folds, uint64_t seed) {
  std::vector<int> fold(num_rows);
  for (size_t i = 0; i < num_rows; ++i) {
    uint64_t key[3] = {seed, static_cast<uint64_t>(i), 0x666f6c64 /* "fold" */};
    uint64_t hash = StableHash(std::string_view(reinterpret_cast<const char*>(key), sizeof key));
    fold[i] = static_cast<int>(hash % static_cast<uint64_t>(folds));
  }
  return fold;
}

TrainSet SubsetRows(const TrainSet& set, const std::vector<size_t>& rows) {
  TrainSet out;
  out.labels.reserve(rows.size());
  for (size_t row : rows) out.labels.push_back(set.labels[row]);
  out.tfidf = SubsetCsr(set.tfidf, rows);
  out.tabular = SubsetCsr(set.tabular, rows);
  if (!set.text.empty()) {
    for (size_t row : rows) out.text.push_back(set.text[row]);
  }
  return out;
}

void ScoreTfidfRows(const Classifier& model, const CsrMatrix& tfidf, std::vector<float>* scores) {
  const size_t k = static_cast<size_t>(model.num_classes());
  scores->assign(tfidf.rows() * k, 0.0f);
  FeatureVector x;
  for (size_t row = 0; row < tfidf.rows(); ++row) {
    x.tfidf.indices.assign(tfidf.indices.begin() + tfidf.indptr[row],
                           tfidf.indices.begin() + tfidf.indptr[row + 1]);
    x.tfidf.values.assign(tfidf.values.begin() + tfidf.indptr[row],
                          tfidf.values.begin() + tfidf.indptr[row + 1]);
    model.PredictProba(x, scores->data() + row * k);
  }
}

Status FitTextStack(const nlohmann::json& linear_params, int folds, const TrainContext& ctx,
                    const TrainSet& train, std::vector<float>* oof_scores,
                    std::unique_ptr<Classifier>* final_model) {
  const size_t k = static_cast<size_t>(ctx.num_classes);
  if (train.tfidf.rows() != train.rows()) {
    return Status::InvalidArgument("gbdt stacking needs the tfidf view: train has " +
                                   std::to_string(train.tfidf.rows()) + " tfidf rows for " +
                                   std::to_string(train.rows()) + " labels");
  }
  // The text models are helpers of this training: no checkpoints or tracking of their own.
  TrainContext helper_ctx = ctx;
  helper_ctx.checkpoint_dir.clear();
  helper_ctx.resume = false;
  helper_ctx.on_round = nullptr;
  TrainSet no_val;
  no_val.tfidf.num_cols = train.tfidf.num_cols;

  std::vector<int> fold = AssignFolds(train.rows(), folds, ctx.seed);
  oof_scores->assign(train.rows() * k, 0.0f);
  for (int f = 0; f < folds; ++f) {
    std::vector<size_t> in_rows, out_rows;
    for (size_t row = 0; row < train.rows(); ++row) {
      (fold[row] == f ? out_rows : in_rows).push_back(row);
    }
    if (out_rows.empty()) continue;
    TrainSet fold_train;
    fold_train.labels.reserve(in_rows.size());
    for (size_t row : in_rows) fold_train.labels.push_back(train.labels[row]);
    fold_train.tfidf = SubsetCsr(train.tfidf, in_rows);
    std::unique_ptr<Classifier> model;
    const std::string context =
        "gbdt stacking fold " + std::to_string(f + 1) + " of " + std::to_string(folds);
    PRODCAT_RETURN_IF_ERROR(
        CreateClassifier("linear", linear_params, ctx.num_classes, &model).WithContext(context));
    PRODCAT_RETURN_IF_ERROR(model->Train(helper_ctx, fold_train, no_val).WithContext(context));
    std::vector<float> scores;
    ScoreTfidfRows(*model, SubsetCsr(train.tfidf, out_rows), &scores);
    for (size_t i = 0; i < out_rows.size(); ++i) {
      std::copy(scores.begin() + i * k, scores.begin() + (i + 1) * k,
                oof_scores->begin() + out_rows[i] * k);
    }
  }
  TrainSet all;
  all.labels = train.labels;
  all.tfidf = train.tfidf;
  PRODCAT_RETURN_IF_ERROR(CreateClassifier("linear", linear_params, ctx.num_classes, final_model)
                              .WithContext("gbdt stacking final text model"));
  return (*final_model)
      ->Train(helper_ctx, all, no_val)
      .WithContext("gbdt stacking final text model");
}

CsrMatrix AppendDenseColumns(const CsrMatrix& base, const std::vector<float>& scores, int width) {
  CsrMatrix out;
  out.num_cols = base.num_cols + static_cast<size_t>(width);
  out.indices.reserve(base.nnz() + base.rows() * static_cast<size_t>(width));
  out.values.reserve(out.indices.capacity());
  out.indptr.reserve(base.rows() + 1);
  for (size_t row = 0; row < base.rows(); ++row) {
    out.indices.insert(out.indices.end(), base.indices.begin() + base.indptr[row],
                       base.indices.begin() + base.indptr[row + 1]);
    out.values.insert(out.values.end(), base.values.begin() + base.indptr[row],
                      base.values.begin() + base.indptr[row + 1]);
    for (int j = 0; j < width; ++j) {
      out.indices.push_back(static_cast<uint32_t>(base.num_cols + static_cast<size_t>(j)));
      out.values.push_back(scores[row * static_cast<size_t>(width) + static_cast<size_t>(j)]);
    }
    out.indptr.push_back(out.indices.size());
  }
  return out;
}

}  // namespace prodcat
