#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "prodcat/common/file_util.h"
#include "prodcat/models/liblinear_random.h"
#include "prodcat/models/linear_classifier.h"
#include "prodcat/models/linear_row_sample.h"
#include "prodcat/models/task_pool.h"

namespace prodcat {
namespace {
namespace fs = std::filesystem;

// Rows of class c carry a few of the class's own "signature" columns plus shared noise columns;
// with noise > 0 that share of labels is replaced by a random class.
TrainSet MakeSyntheticSet(int num_classes, size_t rows, uint64_t seed, double label_noise = 0) {
  const uint32_t signature_per_class = 8, noise_columns = 40;
  TrainSet set;
  set.tfidf.num_cols = num_classes * signature_per_class + noise_columns;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  for (size_t r = 0; r < rows; ++r) {
    int c = static_cast<int>(r % static_cast<size_t>(num_classes));
    SparseVector v;
    for (uint32_t j = 0; j < signature_per_class; ++j) {
      if (unit(rng) < 0.4) v.indices.push_back(c * signature_per_class + j);
    }
    if (v.indices.empty()) v.indices.push_back(c * signature_per_class);
    for (uint32_t j = 0; j < noise_columns; ++j) {
      if (unit(rng) < 0.1) v.indices.push_back(num_classes * signature_per_class + j);
    }
    double norm = 0;
    for (size_t i = 0; i < v.indices.size(); ++i) {
      float value = static_cast<float>(0.5 + unit(rng));
      v.values.push_back(value);
      norm += value * value;
    }
    for (float& value : v.values) value = static_cast<float>(value / std::sqrt(norm));
    set.tfidf.AppendRow(v);
    if (unit(rng) < label_noise) c = static_cast<int>(rng() % static_cast<uint64_t>(num_classes));
    set.labels.push_back(c);
  }
  return set;
}

FeatureVector RowOf(const TrainSet& set, size_t r) {
  FeatureVector x;
  for (uint64_t k = set.tfidf.indptr[r]; k < set.tfidf.indptr[r + 1]; ++k) {
    x.tfidf.indices.push_back(set.tfidf.indices[k]);
    x.tfidf.values.push_back(set.tfidf.values[k]);
  }
  return x;
}

double Accuracy(const Classifier& model, const TrainSet& set) {
  std::vector<float> probs(static_cast<size_t>(model.num_classes()));
  size_t correct = 0;
  for (size_t r = 0; r < set.rows(); ++r) {
    model.PredictProba(RowOf(set, r), probs.data());
    int best = static_cast<int>(std::max_element(probs.begin(), probs.end()) - probs.begin());
    correct += best == set.labels[r];
  }
  return static_cast<double>(correct) / static_cast<double>(set.rows());
}

TrainContext QuietContext(int num_classes) {
  TrainContext ctx;
  ctx.num_classes = num_classes;
  ctx.show_progress = false;
  ctx.seed = 11;
  return ctx;
}

std::unique_ptr<Classifier> MustCreate(const nlohmann::json& params, int num_classes) {
  std::unique_ptr<Classifier> model;
  Status s = CreateClassifier("linear", params, num_classes, &model);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return model;
}

class LinearClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("prodcat_linear_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(LinearClassifierTest, LearnsSeparableProblemWithNormalizedProbabilities) {
  const int k = 4;
  TrainSet train = MakeSyntheticSet(k, 400, 1), val = MakeSyntheticSet(k, 120, 2);
  auto model = MustCreate(nlohmann::json::object(), k);
  TrainContext ctx = QuietContext(k);
  int rounds = 0;
  double reported_accuracy = -1;
  ctx.on_round = [&](int, const std::map<std::string, double>& metrics) {
    ++rounds;
    reported_accuracy = metrics.at("val_accuracy");
    EXPECT_TRUE(metrics.count("val_macro_f1"));
  };
  ASSERT_TRUE(model->Train(ctx, train, val).ok());
  EXPECT_EQ(model->family(), "linear");
  EXPECT_EQ(model->required_views(), static_cast<unsigned>(kViewTfidf));
  EXPECT_GE(Accuracy(*model, val), 0.98);
  EXPECT_GE(rounds, 1);
  EXPECT_NEAR(reported_accuracy, Accuracy(*model, val), 1e-9);
  std::vector<float> probs(k);
  for (size_t r = 0; r < val.rows(); ++r) {
    model->PredictProba(RowOf(val, r), probs.data());
    double sum = 0;
    for (float p : probs) {
      EXPECT_GE(p, 0.0f);
      sum += p;
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
  double temperature = model->TrainingSummary().at("temperature").get<double>();
  EXPECT_GT(temperature, 0.0);
}

TEST_F(LinearClassifierTest, TemperatureReducesLogLossOnNoisyLabels) {
  const int k = 3;
  TrainSet train = MakeSyntheticSet(k, 600, 3, 0.3), val = MakeSyntheticSet(k, 300, 4, 0.3);
  auto model = MustCreate(nlohmann::json::object(), k);
  ASSERT_TRUE(model->Train(QuietContext(k), train, val).ok());
  nlohmann::json summary = model->TrainingSummary();
  double temperature = summary.at("temperature").get<double>();
  EXPECT_GT(temperature, 0.0);
  EXPECT_GT(std::fabs(std::log(temperature)), 0.05) << "noise should move T away from 1";
  EXPECT_LT(summary.at("val_log_loss").get<double>(),
            summary.at("val_log_loss_uncalibrated").get<double>());

  auto uncalibrated = MustCreate({{"calibration", "none"}}, k);
  ASSERT_TRUE(uncalibrated->Train(QuietContext(k), train, val).ok());
  EXPECT_EQ(uncalibrated->TrainingSummary().at("temperature").get<double>(), 1.0);
}

TEST_F(LinearClassifierTest, SameSeedGivesIdenticalWeights) {
  const int k = 3;
  TrainSet train = MakeSyntheticSet(k, 300, 5, 0.1), val = MakeSyntheticSet(k, 60, 6);
  std::string bytes[3];
  for (int i = 0; i < 3; ++i) {
    auto model = MustCreate(nlohmann::json::object(), k);
    TrainContext ctx = QuietContext(k);
    if (i == 2) ctx.seed = 12345;  // liblinear's shuffle order follows the seed
    ASSERT_TRUE(model->Train(ctx, train, val).ok());
    fs::path out = dir_ / std::to_string(i);
    ASSERT_TRUE(model->Save(out, nullptr).ok());
    ASSERT_TRUE(ReadFile(out / "linear_weights.bin", &bytes[i]).ok());
  }
  EXPECT_FALSE(bytes[0].empty());
  EXPECT_EQ(bytes[0], bytes[1]);
  EXPECT_NE(bytes[0], bytes[2]);
}

TEST_F(LinearClassifierTest, SaveLoadRoundTripPredictsIdentically) {
  const int k = 4;
  TrainSet train = MakeSyntheticSet(k, 300, 7, 0.1), val = MakeSyntheticSet(k, 80, 8);
  auto model = MustCreate({{"solver", "logreg"}, {"C", 2.0}}, k);
  ASSERT_TRUE(model->Train(QuietContext(k), train, val).ok());
  std::vector<std::string> files;
  ASSERT_TRUE(model->Save(dir_, &files).ok());
  EXPECT_EQ(files, (std::vector<std::string>{"linear_weights.bin", "linear.json"}));

  std::unique_ptr<Classifier> loaded;
  ASSERT_TRUE(CreateClassifier("linear", model->Hyperparameters(), k, &loaded).ok());
  Status s = loaded->Load(dir_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(loaded->Hyperparameters(), model->Hyperparameters());
  EXPECT_EQ(loaded->Hyperparameters().at("solver"), "logreg");
  EXPECT_EQ(loaded->TrainingSummary(), ReproducibleSummary(model->TrainingSummary()));
  std::vector<float> a(k), b(k);
  for (size_t r = 0; r < val.rows(); ++r) {
    model->PredictProba(RowOf(val, r), a.data());
    loaded->PredictProba(RowOf(val, r), b.data());
    EXPECT_EQ(a, b) << "row " << r;
  }
}

TEST_F(LinearClassifierTest, TruncatedOrCorruptWeightsAreDataLoss) {
  const int k = 3;
  TrainSet train = MakeSyntheticSet(k, 150, 9), val = MakeSyntheticSet(k, 30, 10);
  auto model = MustCreate(nlohmann::json::object(), k);
  ASSERT_TRUE(model->Train(QuietContext(k), train, val).ok());
  ASSERT_TRUE(model->Save(dir_, nullptr).ok());
  const fs::path weights = dir_ / "linear_weights.bin";
  std::string original;
  ASSERT_TRUE(ReadFile(weights, &original).ok());

  for (size_t keep : {original.size() - 5, size_t{20}, size_t{0}}) {
    ASSERT_TRUE(WriteFileAtomic(weights, original.substr(0, keep)).ok());
    auto loaded = MustCreate(nlohmann::json::object(), k);
    Status s = loaded->Load(dir_);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
    EXPECT_NE(s.message().find("linear_weights.bin"), std::string::npos) << s.message();
  }

  std::string flipped = original;
  flipped[original.size() / 2] ^= 0x10;
  ASSERT_TRUE(WriteFileAtomic(weights, flipped).ok());
  auto loaded = MustCreate(nlohmann::json::object(), k);
  Status s = loaded->Load(dir_);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.message();

  // A model saved for 3 classes does not load as a 4-class model.
  ASSERT_TRUE(WriteFileAtomic(weights, original).ok());
  auto wider = MustCreate(nlohmann::json::object(), k + 1);
  EXPECT_EQ(wider->Load(dir_).code(), StatusCode::kDataLoss);
}

TEST(LinearParamsTest, UnknownKeyAndWrongTypesAreNamed) {
  std::unique_ptr<Classifier> model;
  Status s = CreateClassifier("linear", {{"C", 1.0}, {"regularisation", 3}}, 3, &model);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'regularisation'"), std::string::npos) << s.message();

  s = CreateClassifier("linear", {{"C", "large"}}, 3, &model);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'C'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("number"), std::string::npos) << s.message();

  s = CreateClassifier("linear", {{"solver", "lasso"}}, 3, &model);
  EXPECT_NE(s.message().find("svm, logreg"), std::string::npos) << s.message();
  EXPECT_FALSE(CreateClassifier("linear", {{"C", -1}}, 3, &model).ok());
  EXPECT_FALSE(CreateClassifier("linear", {{"max_train_rows", 2.5}}, 3, &model).ok());

  ASSERT_TRUE(CreateClassifier("linear", {{"max_train_rows", 1000.0}}, 3, &model).ok());
  nlohmann::json h = model->Hyperparameters();
  EXPECT_EQ(h.at("max_train_rows"), 1000);
  for (const char* key : {"solver", "C", "eps", "bias", "calibration"}) {
    EXPECT_TRUE(h.contains(key)) << key;
  }
}

TEST_F(LinearClassifierTest, BinaryProblemUsesBothClasses) {
  TrainSet train = MakeSyntheticSet(2, 200, 11), val = MakeSyntheticSet(2, 60, 12);
  for (const char* solver : {"svm", "logreg"}) {
    auto model = MustCreate({{"solver", solver}}, 2);
    ASSERT_TRUE(model->Train(QuietContext(2), train, val).ok());
    EXPECT_GE(Accuracy(*model, val), 0.98) << solver;
    std::vector<float> probs(2);
    model->PredictProba(RowOf(val, 0), probs.data());
    EXPECT_NEAR(probs[0] + probs[1], 1.0, 1e-6);
    EXPECT_GT(probs[static_cast<size_t>(val.labels[0])], 0.5f);
  }
}

TEST_F(LinearClassifierTest, ClassAbsentFromTrainingGetsNoProbability) {
  const int k = 4;
  TrainSet full = MakeSyntheticSet(3, 150, 13), val = MakeSyntheticSet(3, 30, 14);
  auto model = MustCreate(nlohmann::json::object(), k);  // class 3 never appears
  ASSERT_TRUE(model->Train(QuietContext(k), full, val).ok());
  std::vector<float> probs(k);
  model->PredictProba(RowOf(val, 0), probs.data());
  EXPECT_LT(probs[3], 1e-6f);
  EXPECT_NEAR(probs[0] + probs[1] + probs[2] + probs[3], 1.0, 1e-5);
  EXPECT_EQ(model->TrainingSummary().at("classes_in_training"), 3);
}

TEST_F(LinearClassifierTest, RejectsBadInputs) {
  const int k = 3;
  TrainSet train = MakeSyntheticSet(k, 60, 15), val = MakeSyntheticSet(k, 10, 16);
  auto model = MustCreate(nlohmann::json::object(), k);
  TrainContext ctx = QuietContext(k);
  ctx.class_weights = {1.0, 2.0};  // one short
  EXPECT_EQ(model->Train(ctx, train, val).code(), StatusCode::kInvalidArgument);

  TrainSet bad_label = train;
  bad_label.labels[5] = 9;
  Status s = model->Train(QuietContext(k), bad_label, val);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("row 5"), std::string::npos) << s.message();

  TrainSet one_class = train;
  std::fill(one_class.labels.begin(), one_class.labels.end(), 1);
  EXPECT_EQ(model->Train(QuietContext(k), one_class, val).code(), StatusCode::kInvalidArgument);

  auto untrained = MustCreate(nlohmann::json::object(), k);
  EXPECT_EQ(untrained->Save(dir_, nullptr).code(), StatusCode::kFailedPrecondition);
  std::vector<float> probs(k);
  untrained->PredictProba(RowOf(val, 0), probs.data());
  EXPECT_FLOAT_EQ(probs[0], 1.0f / 3);
}

TEST_F(LinearClassifierTest, ClassWeightsShiftDecisionsTowardsHeavyClass) {
  const int k = 2;
  TrainSet train = MakeSyntheticSet(k, 300, 17, 0.45), val = MakeSyntheticSet(k, 200, 18, 0.45);
  auto count_predicted = [&](const Classifier& model, int cls) {
    std::vector<float> probs(k);
    int n = 0;
    for (size_t r = 0; r < val.rows(); ++r) {
      model.PredictProba(RowOf(val, r), probs.data());
      n += (probs[cls] > probs[1 - cls]);
    }
    return n;
  };
  auto plain = MustCreate({{"calibration", "none"}}, k);
  ASSERT_TRUE(plain->Train(QuietContext(k), train, val).ok());
  auto weighted = MustCreate({{"calibration", "none"}}, k);
  TrainContext ctx = QuietContext(k);
  ctx.class_weights = {20.0, 1.0};
  ASSERT_TRUE(weighted->Train(ctx, train, val).ok());
  EXPECT_GT(count_predicted(*weighted, 0), count_predicted(*plain, 0));
}

TEST_F(LinearClassifierTest, MaxTrainRowsSubsamples) {
  const int k = 3;
  TrainSet train = MakeSyntheticSet(k, 900, 19), val = MakeSyntheticSet(k, 60, 20);
  auto model = MustCreate({{"max_train_rows", 300}}, k);
  ASSERT_TRUE(model->Train(QuietContext(k), train, val).ok());
  nlohmann::json summary = model->TrainingSummary();
  EXPECT_EQ(summary.at("train_rows"), 900);
  EXPECT_EQ(summary.at("train_rows_used"), 300);
  EXPECT_GE(Accuracy(*model, val), 0.95);
}

// The weights file of a model trained with `ctx` (which may name a pool or a thread count).
std::string TrainedWeights(const TrainSet& train, const TrainSet& val, const TrainContext& ctx,
                           const fs::path& dir) {
  auto model = MustCreate(nlohmann::json::object(), ctx.num_classes);
  Status s = model->Train(ctx, train, val);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(model->Save(dir, nullptr).ok());
  std::string bytes;
  EXPECT_TRUE(ReadFile(dir / "linear_weights.bin", &bytes).ok());
  return bytes;
}

TEST_F(LinearClassifierTest, ThreadCountAndPoolDoNotChangeTheWeights) {
  ASSERT_TRUE(ThreadLocalRandIsActive()) << "rand() is not interposed; training is serialized";
  for (int k : {2, 7}) {
    TrainSet train = MakeSyntheticSet(k, 700, 21, 0.2), val = MakeSyntheticSet(k, 70, 22);
    TrainContext ctx = QuietContext(k);
    ctx.threads = 1;
    const std::string serial = TrainedWeights(train, val, ctx, dir_ / "serial");
    ctx.threads = 4;
    EXPECT_EQ(TrainedWeights(train, val, ctx, dir_ / "threads"), serial) << k << " classes";
    TaskPool pool(3);
    ctx.pool = &pool;
    EXPECT_EQ(TrainedWeights(train, val, ctx, dir_ / "pool"), serial) << k << " classes";
  }
}

TEST_F(LinearClassifierTest, ConcurrentTrainingsDoNotShareTheirRandomStreams) {
  const int k = 5;
  TrainSet a = MakeSyntheticSet(k, 600, 23, 0.3), b = MakeSyntheticSet(k, 600, 24, 0.3);
  TrainSet val = MakeSyntheticSet(k, 50, 25);
  TrainContext ctx = QuietContext(k);
  ctx.threads = 2;
  const std::string alone_a = TrainedWeights(a, val, ctx, dir_ / "alone_a");
  const std::string alone_b = TrainedWeights(b, val, ctx, dir_ / "alone_b");
  std::string together_a, together_b;
  for (int round = 0; round < 3; ++round) {
    std::thread other([&] { together_b = TrainedWeights(b, val, ctx, dir_ / "together_b"); });
    together_a = TrainedWeights(a, val, ctx, dir_ / "together_a");
    other.join();
    EXPECT_EQ(together_a, alone_a);
    EXPECT_EQ(together_b, alone_b);
  }
}

TEST_F(LinearClassifierTest, ReportsProgressToTheContextInsteadOfABar) {
  const int k = 4;
  TrainSet train = MakeSyntheticSet(k, 200, 26), val = MakeSyntheticSet(k, 40, 27);
  std::vector<std::pair<size_t, size_t>> reports;
  std::mutex mutex;
  TrainContext ctx = QuietContext(k);
  ctx.threads = 3;
  ctx.on_progress = [&](size_t done, size_t total, const std::string&) {
    std::lock_guard<std::mutex> lock(mutex);
    reports.emplace_back(done, total);
  };
  auto model = MustCreate(nlohmann::json::object(), k);
  ASSERT_TRUE(model->Train(ctx, train, val).ok());
  ASSERT_EQ(reports.size(), static_cast<size_t>(k) + 1);  // one per class, then the finish
  for (size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].second, static_cast<size_t>(k));
    EXPECT_EQ(reports[i].first, std::min(i + 1, static_cast<size_t>(k)));
  }
  // liblinear's "#iter = N" messages reach the monitor of the problem that printed them.
  EXPECT_GE(model->TrainingSummary().at("solver_iterations").get<int>(), k);
}

TEST(ThreadLocalRandTest, EachThreadReplaysGlibcSequenceForItsSeed) {
  ASSERT_TRUE(ThreadLocalRandIsActive());
  // The C library's own generator, found past this executable's definitions.
  using RandFn = int (*)();
  using SrandFn = void (*)(unsigned);
  auto libc_rand = reinterpret_cast<RandFn>(::dlsym(RTLD_NEXT, "rand"));
  auto libc_srand = reinterpret_cast<SrandFn>(::dlsym(RTLD_NEXT, "srand"));
  ASSERT_NE(libc_rand, nullptr);
  ASSERT_NE(libc_srand, nullptr);
  ASSERT_NE(reinterpret_cast<void*>(libc_rand), reinterpret_cast<void*>(&::rand));
  auto libc_sequence = [&](unsigned seed) {
    libc_srand(seed);
    std::vector<int> out(200);
    for (int& v : out) v = libc_rand();
    return out;
  };
  const std::vector<int> seeded = libc_sequence(7), unseeded = libc_sequence(1);
  ASSERT_NE(seeded, unseeded);

  // Two threads draw interleaved (each waits for the other between draws): with one shared
  // generator their sequences would be mixed.
  std::vector<int> draws[2];
  std::mutex mutex;
  std::condition_variable turn_changed;
  int turn = 0;
  auto draw = [&](int me) {
    SeedRand(7);
    for (int i = 0; i < 200; ++i) {
      std::unique_lock<std::mutex> lock(mutex);
      turn_changed.wait(lock, [&] { return turn == me; });
      draws[me].push_back(std::rand());
      turn = 1 - me;
      turn_changed.notify_all();
    }
  };
  std::thread first(draw, 0), second(draw, 1);
  first.join();
  second.join();
  EXPECT_EQ(draws[0], seeded);
  EXPECT_EQ(draws[1], seeded);

  std::vector<int> fresh;  // a thread that never seeds behaves as after srand(1)
  std::thread([&] {
    for (int i = 0; i < 200; ++i) fresh.push_back(std::rand());
  }).join();
  EXPECT_EQ(fresh, unseeded);
}

TEST(StratifiedRowSampleTest, DeterministicProportionalAndKeepsRareClasses) {
  std::vector<int> labels;
  for (int i = 0; i < 10000; ++i) labels.push_back(i % 100 == 0 ? 2 : i % 2);  // class 2: 100 rows
  labels.push_back(3);                                                         // class 3: 1 row
  std::vector<size_t> a = StratifiedRowSample(labels, 4, 1000, 42, 20);
  EXPECT_EQ(a, StratifiedRowSample(labels, 4, 1000, 42, 20));
  EXPECT_NE(a, StratifiedRowSample(labels, 4, 1000, 43, 20));
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_TRUE(std::adjacent_find(a.begin(), a.end()) == a.end());
  std::vector<int> counts(4, 0);
  for (size_t r : a) ++counts[labels[r]];
  EXPECT_EQ(counts[0], 490);
  EXPECT_EQ(counts[1], 500);
  EXPECT_EQ(counts[2], 20);  // 10 by proportion, raised to the per-class minimum
  EXPECT_EQ(counts[3], 1);   // all it has
  EXPECT_EQ(StratifiedRowSample(labels, 4, 0, 1).size(), labels.size());
  EXPECT_EQ(StratifiedRowSample(labels, 4, 20000, 1).size(), labels.size());
}

}  // namespace
}  // namespace prodcat
