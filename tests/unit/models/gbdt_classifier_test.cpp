#include "prodcat/models/gbdt_classifier.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gbdt_test_data.h"
#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/models/classifier.h"

namespace prodcat {
namespace {

using gbdt_test::MakeContext;
using gbdt_test::MakeTabular;
using gbdt_test::RowOf;
using gbdt_test::TempDir;
namespace fs = std::filesystem;

std::unique_ptr<Classifier> MakeGbdt(const nlohmann::json& params, int num_classes) {
  std::unique_ptr<Classifier> model;
  Status s = CreateClassifier("gbdt", params, num_classes, &model);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return model;
}

std::string ReadBytes(const fs::path& path) {
  std::string bytes;
  EXPECT_TRUE(ReadFile(path, &bytes).ok()) << path;
  return bytes;
}

double Accuracy(const Classifier& model, const TrainSet& set) {
  std::vector<float> probs(static_cast<size_t>(model.num_classes()));
  size_t correct = 0;
  for (size_t r = 0; r < set.rows(); ++r) {
    model.PredictProba(RowOf(set, r), probs.data());
    int best = static_cast<int>(std::max_element(probs.begin(), probs.end()) - probs.begin());
    correct += best == set.labels[r] ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(set.rows());
}

TEST(GbdtParamsTest, UnknownKeyIsRejectedByName) {
  std::unique_ptr<Classifier> model;
  Status s = CreateClassifier("gbdt", {{"num_round", 10}}, 3, &model);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'num_round'"), std::string::npos) << s.message();
}

TEST(GbdtParamsTest, WrongTypeNamesTheKey) {
  std::unique_ptr<Classifier> model;
  Status s = CreateClassifier("gbdt", {{"max_depth", "deep"}}, 3, &model);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'max_depth'"), std::string::npos) << s.message();
  s = CreateClassifier("gbdt", {{"subsample", 1.5}}, 3, &model);
  EXPECT_NE(s.message().find("'subsample'"), std::string::npos) << s.message();
  s = CreateClassifier("gbdt", {{"tree_method", "gpu_hist"}}, 3, &model);
  EXPECT_NE(s.message().find("'tree_method'"), std::string::npos) << s.message();
}

TEST(GbdtParamsTest, DefaultsAreReported) {
  auto model = MakeGbdt(nlohmann::json::object(), 3);
  nlohmann::json h = model->Hyperparameters();
  EXPECT_EQ(h["num_rounds"], 300);
  EXPECT_EQ(h["learning_rate"], 0.1);
  EXPECT_EQ(h["max_depth"], 6);
  EXPECT_EQ(h["early_stopping_rounds"], 20);
  EXPECT_EQ(h["tree_method"], "hist");
  EXPECT_EQ(h["max_train_rows"], 300000);
  EXPECT_EQ(model->family(), "gbdt");
  EXPECT_EQ(model->required_views(), static_cast<unsigned>(kViewTabular));
}

TEST(GbdtClassifierTest, LearnsSyntheticProblemWithNormalizedProbabilities) {
  const int k = 4;
  TrainSet train = MakeTabular(2000, k, 1), val = MakeTabular(500, k, 2);
  auto model = MakeGbdt({{"num_rounds", 40}, {"nthread", 1}}, k);
  std::vector<int> steps;
  TrainContext ctx = MakeContext(k);
  ctx.on_round = [&](int step, const std::map<std::string, double>& metrics) {
    steps.push_back(step);
    EXPECT_TRUE(metrics.count("val_mlogloss") && metrics.count("val_merror") &&
                metrics.count("train_mlogloss"));
  };
  Status s = model->Train(ctx, train, val);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_FALSE(steps.empty());
  for (size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i], static_cast<int>(i) + 1);

  EXPECT_GT(Accuracy(*model, val), 0.75);  // chance is 0.25
  std::vector<float> probs(k);
  for (size_t r = 0; r < 50; ++r) {
    model->PredictProba(RowOf(val, r), probs.data());
    double sum = 0;
    for (float p : probs) {
      EXPECT_GE(p, 0.0f);
      sum += p;
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
  nlohmann::json summary = model->TrainingSummary();
  EXPECT_TRUE(summary.contains("best_iteration"));
  EXPECT_TRUE(summary.contains("best_val_mlogloss"));
}

TEST(GbdtClassifierTest, BinaryProblemUsesTwoClassSoftprob) {
  TrainSet train = MakeTabular(1000, 2, 3), val = MakeTabular(300, 2, 4);
  auto model = MakeGbdt({{"num_rounds", 20}, {"nthread", 1}}, 2);
  ASSERT_TRUE(model->Train(MakeContext(2), train, val).ok());
  EXPECT_GT(Accuracy(*model, val), 0.75);
}

TEST(GbdtClassifierTest, SameSeedGivesIdenticalModelBytes) {
  const int k = 3;
  TrainSet train = MakeTabular(1500, k, 5), val = MakeTabular(300, k, 6);
  nlohmann::json params = {
      {"num_rounds", 15}, {"subsample", 0.8}, {"colsample_bytree", 0.8}, {"nthread", 1}};
  TempDir dir;
  std::vector<std::string> bytes;
  for (uint64_t seed : {11, 11, 12}) {
    auto model = MakeGbdt(params, k);
    TrainContext ctx = MakeContext(k);
    ctx.seed = seed;
    ASSERT_TRUE(model->Train(ctx, train, val).ok());
    fs::path out = dir.path() / std::to_string(bytes.size());
    std::vector<std::string> files;
    ASSERT_TRUE(model->Save(out, &files).ok());
    bytes.push_back(ReadBytes(out / "gbdt.ubj"));
  }
  EXPECT_EQ(bytes[0], bytes[1]);
  EXPECT_NE(bytes[0], bytes[2]) << "a different seed should sample differently";
}

TEST(GbdtClassifierTest, EarlyStoppingKeepsTheBestIteration) {
  const int k = 3;
  // Easy and noisy: validation loss bottoms out early, then rises as the trees fit the noise.
  TrainSet train = MakeTabular(800, k, 7, /*label_noise=*/0.3), val = MakeTabular(400, k, 8, 0.3);
  auto model = MakeGbdt(
      {{"num_rounds", 300}, {"learning_rate", 0.5}, {"early_stopping_rounds", 5}, {"nthread", 1}},
      k);
  ASSERT_TRUE(model->Train(MakeContext(k), train, val).ok());
  nlohmann::json summary = model->TrainingSummary();
  int best = summary["best_iteration"];
  int trained = summary["rounds_trained"];
  EXPECT_TRUE(summary["stopped_early"].get<bool>());
  EXPECT_LT(trained, 300);
  EXPECT_EQ(trained, best + 1 + 5);
  // The best round really is the minimum of the recorded validation losses.
  const nlohmann::json& history = summary["history"];
  ASSERT_EQ(static_cast<int>(history.size()), trained);
  int argmin = 0;
  for (int i = 0; i < trained; ++i) {
    if (history[i]["val_mlogloss"].get<double>() < history[argmin]["val_mlogloss"].get<double>()) {
      argmin = i;
    }
  }
  EXPECT_EQ(best, argmin);
  EXPECT_DOUBLE_EQ(summary["best_val_mlogloss"].get<double>(),
                   history[argmin]["val_mlogloss"].get<double>());

  // The saved model holds exactly best + 1 rounds of k trees.
  TempDir dir;
  std::vector<std::string> files;
  ASSERT_TRUE(model->Save(dir.path(), &files).ok());
  std::string text;
  ASSERT_TRUE(ReadFile(dir.path() / "gbdt.json", &text).ok());
  EXPECT_EQ(nlohmann::json::parse(text)["best_iteration"], best);
}

TEST(GbdtClassifierTest, SaveLoadRoundTripGivesIdenticalPredictions) {
  const int k = 4;
  TrainSet train = MakeTabular(1500, k, 9), val = MakeTabular(300, k, 10);
  auto model = MakeGbdt({{"num_rounds", 25}, {"max_depth", 4}, {"nthread", 1}}, k);
  ASSERT_TRUE(model->Train(MakeContext(k), train, val).ok());
  TempDir dir;
  std::vector<std::string> files;
  ASSERT_TRUE(model->Save(dir.path(), &files).ok());
  EXPECT_EQ(files, (std::vector<std::string>{"gbdt.ubj", "gbdt.json"}));

  // Created with other parameters: Load restores the saved ones.
  auto loaded = MakeGbdt({{"num_rounds", 3}}, k);
  Status s = loaded->Load(dir.path());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(loaded->Hyperparameters(), model->Hyperparameters());
  EXPECT_EQ(loaded->TrainingSummary()["best_iteration"],
            model->TrainingSummary()["best_iteration"]);
  std::vector<float> a(k), b(k);
  for (size_t r = 0; r < val.rows(); ++r) {
    model->PredictProba(RowOf(val, r), a.data());
    loaded->PredictProba(RowOf(val, r), b.data());
    ASSERT_EQ(0, std::memcmp(a.data(), b.data(), sizeof(float) * k)) << "row " << r;
  }
  // Saving the loaded model reproduces the model file byte for byte.
  TempDir again;
  ASSERT_TRUE(loaded->Save(again.path(), &files).ok());
  EXPECT_EQ(ReadBytes(dir.path() / "gbdt.ubj"), ReadBytes(again.path() / "gbdt.ubj"));
}

TEST(GbdtClassifierTest, CorruptModelFilesAreDataLossNamingTheFile) {
  const int k = 3;
  TrainSet train = MakeTabular(600, k, 11), val = MakeTabular(200, k, 12);
  auto model = MakeGbdt({{"num_rounds", 5}, {"nthread", 1}}, k);
  ASSERT_TRUE(model->Train(MakeContext(k), train, val).ok());
  TempDir dir;
  std::vector<std::string> files;
  ASSERT_TRUE(model->Save(dir.path(), &files).ok());
  const fs::path model_path = dir.path() / "gbdt.ubj";
  const fs::path meta_path = dir.path() / "gbdt.json";
  const std::string good_model = ReadBytes(model_path);
  const std::string good_meta = ReadBytes(meta_path);

  auto expect_data_loss = [&](const std::string& model_bytes, bool fix_digest, const char* what) {
    ASSERT_TRUE(WriteFileAtomic(model_path, model_bytes).ok());
    nlohmann::json meta = nlohmann::json::parse(good_meta);
    if (fix_digest) meta["model_sha256"] = Sha256Hex(model_bytes);
    ASSERT_TRUE(WriteFileAtomic(meta_path, meta.dump()).ok());
    auto fresh = MakeGbdt(nlohmann::json::object(), k);
    Status s = fresh->Load(dir.path());
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << what << ": " << s.ToString();
    EXPECT_NE(s.message().find("gbdt.ubj"), std::string::npos) << what << ": " << s.message();
  };
  std::string flipped = good_model;
  flipped[flipped.size() / 2] ^= 0x5a;
  expect_data_loss(flipped, /*fix_digest=*/false, "flipped byte");
  // Damage that the digest does not catch (the digest was updated too) is caught by parsing.
  expect_data_loss(good_model.substr(0, good_model.size() / 2), true, "truncated");
  expect_data_loss(std::string(4096, '\x7f'), true, "garbage");
  expect_data_loss("", true, "empty");

  ASSERT_TRUE(WriteFileAtomic(model_path, good_model).ok());
  ASSERT_TRUE(WriteFileAtomic(meta_path, "{\"format\": \"prodcat.gbdt\", ").ok());
  auto fresh = MakeGbdt(nlohmann::json::object(), k);
  Status s = fresh->Load(dir.path());
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("gbdt.json"), std::string::npos) << s.message();

  // A model saved for another number of classes is refused.
  ASSERT_TRUE(WriteFileAtomic(meta_path, good_meta).ok());
  auto other = MakeGbdt(nlohmann::json::object(), k + 1);
  EXPECT_EQ(other->Load(dir.path()).code(), StatusCode::kDataLoss);
  // And the intact files still load.
  EXPECT_TRUE(fresh->Load(dir.path()).ok());
}

TEST(GbdtClassifierTest, ClassWeightsShiftPredictions) {
  const int k = 3;
  TrainSet train = MakeTabular(1200, k, 13, 0.4), val = MakeTabular(300, k, 14, 0.4);
  auto plain = MakeGbdt({{"num_rounds", 15}, {"nthread", 1}}, k);
  auto weighted = MakeGbdt({{"num_rounds", 15}, {"nthread", 1}}, k);
  TrainContext ctx = MakeContext(k);
  ASSERT_TRUE(plain->Train(ctx, train, val).ok());
  ctx.class_weights = {5.0, 1.0, 1.0};
  ASSERT_TRUE(weighted->Train(ctx, train, val).ok());
  double mean_plain = 0, mean_weighted = 0;
  std::vector<float> probs(k);
  for (size_t r = 0; r < val.rows(); ++r) {
    plain->PredictProba(RowOf(val, r), probs.data());
    mean_plain += probs[0];
    weighted->PredictProba(RowOf(val, r), probs.data());
    mean_weighted += probs[0];
  }
  EXPECT_GT(mean_weighted, mean_plain + 0.05 * static_cast<double>(val.rows()));

  ctx.class_weights = {1.0, 2.0};
  EXPECT_EQ(weighted->Train(ctx, train, val).code(), StatusCode::kInvalidArgument);
}

TEST(GbdtClassifierTest, RejectsInconsistentInputs) {
  const int k = 3;
  TrainSet train = MakeTabular(100, k, 15), val = MakeTabular(50, k, 16);
  auto model = MakeGbdt({{"num_rounds", 2}}, k);
  TrainSet bad = train;
  bad.labels[5] = 7;
  Status s = model->Train(MakeContext(k), bad, val);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("row 5"), std::string::npos) << s.message();
  EXPECT_EQ(model->Train(MakeContext(k + 1), train, val).code(), StatusCode::kInvalidArgument);
  std::vector<std::string> files;
  TempDir dir;
  EXPECT_EQ(model->Save(dir.path(), &files).code(), StatusCode::kFailedPrecondition);
}

TEST(GbdtClassifierTest, TrainsWithoutValidationRows) {
  const int k = 3;
  TrainSet train = MakeTabular(600, k, 17), empty;
  empty.tabular.num_cols = train.tabular.num_cols;
  auto model = MakeGbdt({{"num_rounds", 12}, {"nthread", 1}}, k);
  ASSERT_TRUE(model->Train(MakeContext(k), train, empty).ok());
  EXPECT_EQ(model->TrainingSummary()["rounds_trained"], 12);
  EXPECT_EQ(model->TrainingSummary()["best_iteration"], 11);
}

TEST(GbdtClassifierTest, MaxTrainRowsSubsamplesDeterministically) {
  const int k = 3;
  TrainSet train = MakeTabular(1000, k, 18), val = MakeTabular(200, k, 19);
  auto model = MakeGbdt({{"num_rounds", 5}, {"max_train_rows", 400}, {"nthread", 1}}, k);
  ASSERT_TRUE(model->Train(MakeContext(k), train, val).ok());
  EXPECT_EQ(model->TrainingSummary()["train_rows_used"], 400);
  EXPECT_EQ(model->TrainingSummary()["train_rows_total"], 1000);
}

TEST(GbdtClassifierTest, ConcurrentPredictionsMatchSequentialOnes) {
  const int k = 5;
  TrainSet train = MakeTabular(1500, k, 20), val = MakeTabular(400, k, 21);
  auto model = MakeGbdt({{"num_rounds", 20}, {"nthread", 1}}, k);
  ASSERT_TRUE(model->Train(MakeContext(k), train, val).ok());
  std::vector<float> expected(val.rows() * k);
  for (size_t r = 0; r < val.rows(); ++r) model->PredictProba(RowOf(val, r), &expected[r * k]);
  std::vector<std::vector<float>> got(4, std::vector<float>(val.rows() * k));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int repeat = 0; repeat < 3; ++repeat) {
        for (size_t r = 0; r < val.rows(); ++r) model->PredictProba(RowOf(val, r), &got[t][r * k]);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(got[t], expected) << "thread " << t;
}

}  // namespace
}  // namespace prodcat
