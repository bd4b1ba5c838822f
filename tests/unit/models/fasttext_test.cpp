#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/models/fasttext_bucket_estimate.h"
#include "prodcat/models/fasttext_classifier.h"

namespace prodcat {
namespace {
namespace fs = std::filesystem;

// Each class has its own vocabulary; every row mixes 2-3 class words with shared filler words.
TrainSet MakeToyTexts(size_t rows, uint64_t seed) {
  const std::vector<std::vector<std::string>> vocab = {
      {"apple", "banana", "mango", "fruit", "juicy", "orchard"},
      {"engine", "wheel", "brake", "tire", "sedan", "motor"},
      {"novel", "poetry", "chapter", "author", "paperback", "fiction"},
  };
  const std::vector<std::string> filler = {"new", "best", "offer", "pack", "size", "set", "sale"};
  std::mt19937_64 rng(seed);
  TrainSet set;
  for (size_t r = 0; r < rows; ++r) {
    int c = static_cast<int>(r % vocab.size());
    std::string text;
    size_t words = 2 + rng() % 2;
    for (size_t w = 0; w < words; ++w) {
      text += vocab[static_cast<size_t>(c)][rng() % vocab[static_cast<size_t>(c)].size()] + " ";
      text += filler[rng() % filler.size()] + " ";
    }
    set.text.push_back(text);
    set.labels.push_back(c);
  }
  return set;
}

FeatureVector TextRow(const std::string& text) {
  FeatureVector x;
  x.text = text;
  return x;
}

TrainContext QuietContext(int num_classes) {
  TrainContext ctx;
  ctx.num_classes = num_classes;
  ctx.show_progress = false;
  ctx.seed = 5;
  return ctx;
}

// Small and fast: the toy problem needs neither large embeddings nor many epochs.
nlohmann::json SmallParams() {
  return {{"dim", 10}, {"epoch", 25}};
}

std::unique_ptr<Classifier> MustCreate(const nlohmann::json& params, int num_classes) {
  std::unique_ptr<Classifier> model;
  Status s = CreateClassifier("fasttext", params, num_classes, &model);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return model;
}

std::vector<float> Predict(const Classifier& model, const std::string& text) {
  std::vector<float> probs(static_cast<size_t>(model.num_classes()));
  model.PredictProba(TextRow(text), probs.data());
  return probs;
}

class FastTextClassifierTest : public ::testing::Test {
 protected:
  // One model trained for the whole suite (training dominates the runtime); tests only read it.
  static void SetUpTestSuite() {
    train_ = MakeToyTexts(300, 1);
    val_ = MakeToyTexts(60, 2);
    shared_rounds_ = 0;
    TrainContext ctx = QuietContext(3);
    ctx.on_round = [](int step, const std::map<std::string, double>& metrics) {
      ++shared_rounds_;
      shared_round_step_ = step;
      shared_round_metrics_ = metrics;
    };
    shared_ = MustCreate(SmallParams(), 3);
    shared_status_ = shared_->Train(ctx, train_, val_);
  }
  static void TearDownTestSuite() { shared_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(shared_status_.ok()) << shared_status_.ToString();
    dir_ = fs::temp_directory_path() /
           ("prodcat_fasttext_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Classifier> TrainAnother() {
    auto model = MustCreate(SmallParams(), 3);
    Status s = model->Train(QuietContext(3), train_, val_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return model;
  }

  static inline TrainSet train_, val_;
  static inline std::unique_ptr<Classifier> shared_;  // trained in SetUpTestSuite
  static inline Status shared_status_;
  static inline int shared_rounds_ = 0;
  static inline int shared_round_step_ = 0;
  static inline std::map<std::string, double> shared_round_metrics_;
  fs::path dir_;
};

TEST_F(FastTextClassifierTest, LearnsToyTextProblem) {
  const Classifier& model = *shared_;
  EXPECT_EQ(shared_rounds_, 1);
  EXPECT_EQ(shared_round_step_, 25);
  EXPECT_TRUE(shared_round_metrics_.count("val_macro_f1"));
  EXPECT_EQ(model.family(), "fasttext");
  EXPECT_EQ(model.required_views(), static_cast<unsigned>(kViewText));
  size_t correct = 0;
  for (size_t r = 0; r < val_.rows(); ++r) {
    std::vector<float> probs = Predict(model, val_.text[r]);
    double sum = 0;
    for (float p : probs) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-5);
    correct += std::max_element(probs.begin(), probs.end()) - probs.begin() == val_.labels[r];
  }
  double accuracy = static_cast<double>(correct) / static_cast<double>(val_.rows());
  EXPECT_GE(accuracy, 0.95);
  EXPECT_NEAR(shared_round_metrics_.at("val_accuracy"), accuracy, 1e-9);
  EXPECT_EQ(model.TrainingSummary().at("bucket_used"), 100000);  // tiny data: the floor
}

TEST_F(FastTextClassifierTest, DeterministicWithOneThread) {
  auto again = TrainAnother();
  for (const std::string& text : {val_.text[0], val_.text[1], std::string("apple motor")}) {
    EXPECT_EQ(Predict(*shared_, text), Predict(*again, text));
  }
}

TEST_F(FastTextClassifierTest, SaveLoadRoundTripPredictsIdentically) {
  const auto& model = shared_;
  std::vector<std::string> files;
  ASSERT_TRUE(model->Save(dir_, &files).ok());
  EXPECT_EQ(files, (std::vector<std::string>{"fasttext.bin", "fasttext.json"}));
  auto loaded = MustCreate(model->Hyperparameters(), 3);
  Status s = loaded->Load(dir_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(loaded->Hyperparameters(), model->Hyperparameters());
  EXPECT_EQ(loaded->TrainingSummary(), ReproducibleSummary(model->TrainingSummary()));
  for (size_t r = 0; r < val_.rows(); ++r) {
    EXPECT_EQ(Predict(*model, val_.text[r]), Predict(*loaded, val_.text[r])) << r;
  }
  EXPECT_EQ(Predict(*model, "unseen words only"), Predict(*loaded, "unseen words only"));
  // No staging files are left beside the model.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 2u);
}

TEST_F(FastTextClassifierTest, TruncatedOrCorruptModelIsAStatusNotACrash) {
  const auto& model = shared_;
  ASSERT_TRUE(model->Save(dir_, nullptr).ok());
  const fs::path bin = dir_ / "fasttext.bin";
  std::string original;
  ASSERT_TRUE(ReadFile(bin, &original).ok());

  ASSERT_TRUE(WriteFileAtomic(bin, original.substr(0, original.size() / 2)).ok());
  auto loaded = MustCreate(SmallParams(), 3);
  Status s = loaded->Load(dir_);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("fasttext.bin"), std::string::npos) << s.message();

  std::string flipped = original;
  flipped[original.size() / 3] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomic(bin, flipped).ok());
  s = loaded->Load(dir_);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.message();

  // Even a garbage file whose size and checksum were updated to match reaches fastText's loader
  // and must come back as a Status, not an exception or exit().
  std::string garbage(original.size(), 'x');
  ASSERT_TRUE(WriteFileAtomic(bin, garbage).ok());
  std::string meta_text;
  ASSERT_TRUE(ReadFile(dir_ / "fasttext.json", &meta_text).ok());
  nlohmann::json meta = nlohmann::json::parse(meta_text);
  meta["model_file"]["sha256"] = Sha256Hex(garbage);
  ASSERT_TRUE(WriteFileAtomic(dir_ / "fasttext.json", meta.dump()).ok());
  s = loaded->Load(dir_);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("fastText cannot load"), std::string::npos) << s.message();

  fs::remove(bin);
  EXPECT_EQ(loaded->Load(dir_).code(), StatusCode::kDataLoss);
}

TEST_F(FastTextClassifierTest, AwkwardTextsStillGiveADistribution) {
  const auto& model = shared_;
  for (const std::string& text :
       {std::string(""), std::string("apple\nengine\n"), std::string("__label__2 apple fruit"),
        std::string("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC")}) {
    std::vector<float> probs = Predict(*model, text);
    double sum = 0;
    for (float p : probs) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-5) << text;
  }
  // A "__label__" token in the text is read as a word, not as a label.
  std::vector<float> probs = Predict(*model, "__label__1 apple fruit juicy");
  EXPECT_EQ(std::max_element(probs.begin(), probs.end()) - probs.begin(), 0);
}

TEST_F(FastTextClassifierTest, ConcurrentPredictionsMatchSequentialOnes) {
  const auto& model = shared_;
  std::vector<std::vector<float>> expected;
  for (const std::string& text : val_.text) expected.push_back(Predict(*model, text));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int pass = 0; pass < 20; ++pass) {
        for (size_t r = 0; r < val_.rows(); ++r) {
          if (Predict(*model, val_.text[r]) != expected[r]) ++mismatches[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST_F(FastTextClassifierTest, ClassNeverSeenGetsZero) {
  auto model = MustCreate(SmallParams(), 4);  // class 3 has no training row
  ASSERT_TRUE(model->Train(QuietContext(4), train_, val_).ok());
  std::vector<float> probs = Predict(*model, val_.text[0]);
  EXPECT_EQ(probs[3], 0.0f);
  EXPECT_NEAR(probs[0] + probs[1] + probs[2], 1.0, 1e-5);
  EXPECT_EQ(model->TrainingSummary().at("labels_seen"), 3);
}

TEST_F(FastTextClassifierTest, RejectsBadInputsAndParams) {
  auto model = MustCreate(SmallParams(), 3);
  TrainSet bad = train_;
  bad.labels[7] = 3;
  Status s = model->Train(QuietContext(3), bad, val_);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("row 7"), std::string::npos) << s.message();
  bad = train_;
  bad.text.pop_back();
  EXPECT_EQ(model->Train(QuietContext(3), bad, val_).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(model->Save(dir_, nullptr).code(), StatusCode::kFailedPrecondition);

  std::unique_ptr<Classifier> out;
  s = CreateClassifier("fasttext", {{"dims", 10}}, 3, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'dims'"), std::string::npos) << s.message();
  s = CreateClassifier("fasttext", {{"minn", 4}, {"maxn", 3}}, 3, &out);
  EXPECT_NE(s.message().find("minn"), std::string::npos) << s.message();
  EXPECT_FALSE(CreateClassifier("fasttext", {{"deterministic", 1}}, 3, &out).ok());
  EXPECT_FALSE(CreateClassifier("fasttext", {{"loss", "ns"}}, 3, &out).ok());
  ASSERT_TRUE(CreateClassifier("fasttext", nlohmann::json(), 3, &out).ok());
  nlohmann::json h = out->Hyperparameters();
  EXPECT_EQ(h.at("dim"), 50);
  EXPECT_EQ(h.at("deterministic"), true);
  EXPECT_EQ(h.at("bucket"), 0);
}

TEST_F(FastTextClassifierTest, MultiThreadedTrainingAndRowCapWork) {
  auto model = MustCreate({{"dim", 10},
                           {"epoch", 25},
                           {"deterministic", false},
                           {"threads", 2},
                           {"max_train_rows", 150}},
                          3);
  ASSERT_TRUE(model->Train(QuietContext(3), train_, val_).ok());
  nlohmann::json summary = model->TrainingSummary();
  EXPECT_EQ(summary.at("threads_used"), 2);
  EXPECT_EQ(summary.at("train_rows_used"), 150);
  EXPECT_GE(summary.at("val_accuracy").get<double>(), 0.9);
}

TEST(FastTextBucketTest, EstimateIsExactOnSmallData) {
  // "ab": "<ab>" has char 2-grams <a ab b> and 3-grams <ab ab>: 5 (minn 2, maxn 3).
  std::vector<std::string> texts = {"ab", "ab ab"};
  EXPECT_EQ(EstimateDistinctNgrams(texts, {0}, 1, 2, 3), 5u);
  // "ab ab" adds the word bigram "ab ab" only.
  EXPECT_EQ(EstimateDistinctNgrams(texts, {0, 1}, 2, 2, 3), 6u);
  // Multi-byte characters count as one: "<é>" has 2-grams "<é", "é>" and the 3-gram "<é>".
  EXPECT_EQ(EstimateDistinctNgrams({"\xC3\xA9"}, {0}, 1, 2, 3), 3u);
  EXPECT_EQ(EstimateDistinctNgrams(texts, {0, 1}, 2, 2, 0), 1u);  // no char n-grams
}

TEST(FastTextBucketTest, EstimateIsCloseOnLargerData) {
  std::vector<std::string> texts;
  std::vector<size_t> rows;
  for (size_t i = 0; i < 20000; ++i) {
    std::string text = std::to_string(i);
    text += " common";
    texts.push_back(std::move(text));
    rows.push_back(i);
  }
  // 20000 distinct bigrams "<i> common"; char n-grams disabled.
  double estimate = static_cast<double>(EstimateDistinctNgrams(texts, rows, 2, 0, 0));
  EXPECT_NEAR(estimate, 20000, 20000 * 0.06);
}

TEST(FastTextBucketTest, DefaultBucketCountRule) {
  EXPECT_EQ(DefaultBucketCount(10, 2, 5), 100000);
  EXPECT_EQ(DefaultBucketCount(100000, 2, 5), 400000);
  EXPECT_EQ(DefaultBucketCount(10000000, 2, 5), 2000000);
  EXPECT_EQ(DefaultBucketCount(5000, 1, 0), 0);
}

}  // namespace
}  // namespace prodcat
