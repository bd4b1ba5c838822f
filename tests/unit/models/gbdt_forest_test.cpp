#include "prodcat/models/gbdt_forest.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <random>

#include "gbdt_test_data.h"
#include "prodcat/models/gbdt_training.h"
#include "prodcat/models/gbdt_xgboost.h"

namespace prodcat {
namespace {

using gbdt_test::MakeContext;
using gbdt_test::MakeTabular;

// Drops some dense entries (missing values) and zeroes others (explicit zeros), so both of
// XGBoost's default directions and real zero values are exercised.
TrainSet WithHoles(const TrainSet& set, uint32_t seed) {
  TrainSet out;
  out.labels = set.labels;
  out.tabular.num_cols = set.tabular.num_cols;
  std::mt19937 rng(seed);
  for (size_t r = 0; r < set.rows(); ++r) {
    SparseVector row;
    for (uint64_t i = set.tabular.indptr[r]; i < set.tabular.indptr[r + 1]; ++i) {
      uint32_t c = set.tabular.indices[i];
      unsigned dice = rng() % 10;
      if (c < gbdt_test::kDenseColumns && dice < 2) continue;
      row.indices.push_back(c);
      row.values.push_back(c < gbdt_test::kDenseColumns && dice == 2 ? 0.0f
                                                                     : set.tabular.values[i]);
    }
    out.tabular.AppendRow(row);
  }
  return out;
}

SparseVector SparseRow(const CsrMatrix& m, size_t r) {
  SparseVector row;
  for (uint64_t i = m.indptr[r]; i < m.indptr[r + 1]; ++i) {
    row.indices.push_back(m.indices[i]);
    row.values.push_back(m.values[i]);
  }
  return row;
}

void ExpectForestMatchesXgboost(const nlohmann::json& params_json, int k) {
  TrainSet train = WithHoles(MakeTabular(1500, k, 31), 1);
  TrainSet val = WithHoles(MakeTabular(400, k, 32), 2);
  GbdtParams params;
  ASSERT_TRUE(GbdtParams::FromJson(params_json, &params).ok());
  GbdtTrainResult result;
  Status s = TrainGbdtBooster(params, MakeContext(k), train.tabular, train.labels, val.tabular,
                              val.labels, &result);
  ASSERT_TRUE(s.ok()) << s.ToString();

  GbdtForest forest;
  ASSERT_TRUE(GbdtForest::FromModelBytes(result.model_bytes, &forest).ok());
  EXPECT_EQ(forest.num_classes(), k);
  EXPECT_EQ(forest.num_features(), gbdt_test::kColumns);
  EXPECT_EQ(forest.num_trees(), static_cast<size_t>(k * (result.best_iteration + 1)));

  XgbBooster booster;
  ASSERT_TRUE(XgbBooster::FromModelBytes(result.model_bytes, &booster).ok());
  XgbMatrix matrix;
  std::vector<float> labels(val.labels.begin(), val.labels.end());
  ASSERT_TRUE(XgbMatrix::FromCsr(val.tabular, nullptr, labels, {}, 1, &matrix).ok());
  std::vector<float> expected;
  ASSERT_TRUE(booster.Predict(matrix, &expected).ok());
  ASSERT_EQ(expected.size(), val.rows() * k);
  std::vector<float> got(k);
  for (size_t r = 0; r < val.rows(); ++r) {
    forest.PredictProba(SparseRow(val.tabular, r), got.data());
    ASSERT_EQ(0, std::memcmp(got.data(), &expected[r * k], sizeof(float) * k))
        << "row " << r << ": " << got[0] << " vs " << expected[r * k];
  }
}

TEST(GbdtForestTest, ProbabilitiesAreBitIdenticalToXgboost) {
  ExpectForestMatchesXgboost({{"num_rounds", 30}, {"nthread", 1}}, 4);
}

TEST(GbdtForestTest, BitIdenticalWithSamplingDeepTreesAndTwoClasses) {
  ExpectForestMatchesXgboost({{"num_rounds", 20},
                              {"max_depth", 9},
                              {"subsample", 0.7},
                              {"colsample_bytree", 0.6},
                              {"min_child_weight", 0},
                              {"nthread", 1}},
                             2);
}

TEST(GbdtForestTest, RejectsMalformedModels) {
  GbdtForest forest;
  EXPECT_EQ(GbdtForest::FromModelBytes("", &forest).code(), StatusCode::kDataLoss);
  EXPECT_EQ(GbdtForest::FromModelBytes("{\"learner\": 3}", &forest).code(), StatusCode::kDataLoss);
  nlohmann::json model = {
      {"learner",
       {{"objective", {{"name", "multi:softprob"}}},
        {"learner_model_param", {{"base_score", "5E-1"}, {"num_class", "2"}, {"num_feature", "3"}}},
        {"gradient_booster",
         {{"name", "gbtree"},
          {"model",
           {{"tree_info", {0}},
            {"trees",
             {{{"left_children", {1, -1, -1}},
               {"right_children", {2, -1, -1}},
               {"split_indices", {1, 0, 0}},
               {"split_conditions", {0.5, -1.0, 1.0}},
               {"default_left", {1, 0, 0}}}}}}}}}}}};
  ASSERT_TRUE(GbdtForest::FromModelJson(model, &forest).ok());
  // x[1] = 0.2 < 0.5 goes left (-1), x[1] missing goes left too; class 1 keeps its base score.
  float probs[2];
  SparseVector x;
  x.indices = {1};
  x.values = {0.2f};
  forest.PredictProba(x, probs);
  EXPECT_LT(probs[0], probs[1]);
  x.values = {0.9f};
  forest.PredictProba(x, probs);
  EXPECT_GT(probs[0], probs[1]);

  nlohmann::json cyclic = model;
  cyclic["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"] = {1, 0, -1};
  EXPECT_EQ(GbdtForest::FromModelJson(cyclic, &forest).code(), StatusCode::kDataLoss);
  nlohmann::json out_of_range = model;
  out_of_range["learner"]["gradient_booster"]["model"]["trees"][0]["split_indices"] = {9, 0, 0};
  EXPECT_EQ(GbdtForest::FromModelJson(out_of_range, &forest).code(), StatusCode::kDataLoss);
  nlohmann::json regression = model;
  regression["learner"]["objective"]["name"] = "reg:squarederror";
  EXPECT_EQ(GbdtForest::FromModelJson(regression, &forest).code(), StatusCode::kDataLoss);
}

// Single-row latency on a realistically shaped model. Prints the numbers; the bound only
// catches a gross regression (the machine running the tests may be busy).
TEST(GbdtForestTest, SingleRowLatency) {
  const int k = 10;
  TrainSet train = MakeTabular(2000, k, 41);
  TrainSet val = MakeTabular(200, k, 42);
  GbdtParams params;
  ASSERT_TRUE(GbdtParams::FromJson({{"num_rounds", 60},
                                    {"early_stopping_rounds", 0},
                                    {"min_child_weight", 0},
                                    {"nthread", 1}},
                                   &params)
                  .ok());
  GbdtTrainResult result;
  ASSERT_TRUE(TrainGbdtBooster(params, MakeContext(k), train.tabular, train.labels, val.tabular,
                               val.labels, &result)
                  .ok());
  GbdtForest forest;
  ASSERT_TRUE(GbdtForest::FromModelBytes(result.model_bytes, &forest).ok());
  std::vector<SparseVector> rows;
  for (size_t r = 0; r < val.rows(); ++r) rows.push_back(SparseRow(val.tabular, r));
  std::vector<float> probs(k);
  const int repeats = 20;
  auto start = std::chrono::steady_clock::now();
  float checksum = 0;
  for (int i = 0; i < repeats; ++i) {
    for (const SparseVector& row : rows) {
      forest.PredictProba(row, probs.data());
      checksum += probs[0];
    }
  }
  double micros =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      static_cast<double>(repeats * rows.size());
  std::printf("gbdt single-row predict: %.2f us/row (%zu trees, %zu nodes, %zu nnz/row) [%g]\n",
              micros, forest.num_trees(), forest.num_nodes(), rows[0].size(), checksum);
  EXPECT_LT(micros, 2000.0);
}

TEST(GbdtTrainingTest, ChooseTrainRowsIsSeededAndUniform) {
  auto a = ChooseTrainRows(10000, 1000, 1);
  auto b = ChooseTrainRows(10000, 1000, 1);
  auto c = ChooseTrainRows(10000, 1000, 2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  ASSERT_EQ(a.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::adjacent_find(a.begin(), a.end()), a.end());
  size_t first_half = std::count_if(a.begin(), a.end(), [](size_t r) { return r < 5000; });
  EXPECT_GT(first_half, 400u);
  EXPECT_LT(first_half, 600u);
  EXPECT_EQ(ChooseTrainRows(50, 0, 1).size(), 50u);
  EXPECT_EQ(ChooseTrainRows(50, 100, 1).size(), 50u);
}

}  // namespace
}  // namespace prodcat

namespace prodcat {
namespace {

// Manual benchmark (run with --gtest_also_run_disabled_tests): a product-catalog-sized model
// scored row by row with GbdtForest and with XGBoost's in-place CSR prediction.
TEST(GbdtForestTest, DISABLED_LatencyReport) {
  const int k =
      std::getenv("PRODCAT_BENCH_CLASSES") ? std::atoi(std::getenv("PRODCAT_BENCH_CLASSES")) : 20;
  const size_t columns = 20000;
  std::mt19937 rng(5);
  auto make = [&](size_t rows) {
    TrainSet set;
    set.tabular.num_cols = columns;
    std::normal_distribution<float> normal;
    for (size_t r = 0; r < rows; ++r) {
      int label = static_cast<int>(rng() % k);
      SparseVector row;
      for (uint32_t c = 0; c < 20; ++c) {
        row.indices.push_back(c);
        row.values.push_back(normal(rng) + (static_cast<int>(c) == label ? 1.0f : 0.0f));
      }
      std::vector<uint32_t> sparse = {static_cast<uint32_t>(100 + label * 5 + rng() % 5)};
      for (int i = 0; i < 30; ++i) sparse.push_back(200 + rng() % (columns - 200));
      std::sort(sparse.begin(), sparse.end());
      sparse.erase(std::unique(sparse.begin(), sparse.end()), sparse.end());
      for (uint32_t c : sparse) {
        row.indices.push_back(c);
        row.values.push_back(1.0f);
      }
      set.tabular.AppendRow(row);
      set.labels.push_back(rng() % 10 == 0 ? static_cast<int>(rng() % k) : label);
    }
    return set;
  };
  // Sizes can be overridden from the environment for ad-hoc measurements.
  auto env = [](const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v != nullptr ? std::atoi(v) : fallback;
  };
  TrainSet train = make(static_cast<size_t>(env("PRODCAT_BENCH_ROWS", 20000))), val = make(2000);
  GbdtParams params;
  ASSERT_TRUE(GbdtParams::FromJson({{"num_rounds", env("PRODCAT_BENCH_ROUNDS", 150)},
                                    {"early_stopping_rounds", 0},
                                    {"nthread", env("PRODCAT_BENCH_THREADS", 2)}},
                                   &params)
                  .ok());
  TrainContext ctx = MakeContext(k);
  ctx.show_progress = true;
  GbdtTrainResult result;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      TrainGbdtBooster(params, ctx, train.tabular, train.labels, val.tabular, val.labels, &result)
          .ok());
  double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("training: %zu rows x %d rounds x %d classes in %.1fs (%.0f row-rounds/s)\n",
              train.rows(), params.num_rounds, k, train_seconds,
              static_cast<double>(train.rows()) * params.num_rounds / train_seconds);
  GbdtForest forest;
  ASSERT_TRUE(GbdtForest::FromModelBytes(result.model_bytes, &forest).ok());
  std::vector<SparseVector> rows;
  for (size_t r = 0; r < val.rows(); ++r) rows.push_back(SparseRow(val.tabular, r));
  std::vector<float> probs(k);
  auto t1 = std::chrono::steady_clock::now();
  for (const SparseVector& row : rows) forest.PredictProba(row, probs.data());
  double forest_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t1).count() /
      rows.size();

  XgbBooster booster;
  ASSERT_TRUE(XgbBooster::FromModelBytes(result.model_bytes, &booster).ok());
  ASSERT_TRUE(booster.SetParam("nthread", "1").ok());
  // In-place prediction through the C API, one row per call.
  std::vector<float> xgb_probs;
  auto t2 = std::chrono::steady_clock::now();
  size_t xgb_rows = 200;
  for (size_t r = 0; r < xgb_rows; ++r) {
    CsrMatrix one;
    one.num_cols = columns;
    one.AppendRow(rows[r]);
    XgbMatrix m;
    ASSERT_TRUE(XgbMatrix::FromCsr(one, nullptr, {0.0f}, {}, 1, &m).ok());
    ASSERT_TRUE(booster.Predict(m, &xgb_probs).ok());
  }
  double xgb_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t2).count() /
      xgb_rows;
  std::printf(
      "single row: GbdtForest %.1f us, XGBoost DMatrix-per-row %.1f us (%zu trees, %zu "
      "nodes, %zu nnz/row)\n",
      forest_us, xgb_us, forest.num_trees(), forest.num_nodes(), rows[0].size());
}

}  // namespace
}  // namespace prodcat
