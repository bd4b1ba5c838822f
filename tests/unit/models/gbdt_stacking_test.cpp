// The gbdt family end to end on product records (FeatureSpec views), with and without stacked
// text-model scores.
#include "prodcat/models/gbdt_stacking.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "gbdt_test_data.h"
#include "prodcat/common/file_util.h"
#include "prodcat/features/feature_spec.h"
#include "prodcat/models/classifier.h"

namespace prodcat {
namespace {

using gbdt_test::TempDir;

const std::vector<std::string> kCategories = {"kitchen", "books", "toys"};
const std::vector<std::vector<std::string>> kWords = {
    {"knife", "skillet", "spatula", "kettle", "whisk", "colander"},
    {"novel", "paperback", "hardcover", "edition", "memoir", "anthology"},
    {"lego", "puzzle", "doll", "robot", "plush", "blocks"}};
const std::vector<std::string> kCommon = {"blue", "large", "new", "premium", "classic", "deluxe"};

std::vector<ProductRecord> MakeRecords(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<ProductRecord> records;
  for (size_t i = 0; i < n; ++i) {
    size_t c = rng() % kCategories.size();
    // A quarter of the titles borrow a word from another category.
    size_t other = rng() % 4 == 0 ? (c + 1 + rng() % 2) % kCategories.size() : c;
    ProductRecord r;
    r.product_id = fmt::format("p{}", i);
    r.title = kWords[c][rng() % 6] + " " + kCommon[rng() % 6] + " " + kWords[other][rng() % 6] +
              " " + kCommon[rng() % 6];
    r.brand = fmt::format("brand{}", rng() % 8);
    r.seller_id = fmt::format("s{}", rng() % 5);
    r.price = 10.0 * static_cast<double>(c + 1) + static_cast<double>(rng() % 30);
    r.category = kCategories[c];
    records.push_back(std::move(r));
  }
  return records;
}

struct Data {
  std::unique_ptr<FeatureSpec> spec;
  std::vector<ProductRecord> train_records, val_records;
  TrainSet train, val;
};

Data MakeData() {
  Data d;
  d.train_records = MakeRecords(1500, 1);
  d.val_records = MakeRecords(400, 2);
  FeatureSpecOptions options;
  options.hash_bits = 14;
  Status s = FeatureSpec::Fit(d.train_records, options, &d.spec);
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto fill = [&](const std::vector<ProductRecord>& records, TrainSet* set) {
    for (const ProductRecord& r : records) {
      set->labels.push_back(static_cast<int>(
          std::find(kCategories.begin(), kCategories.end(), r.category) - kCategories.begin()));
    }
    d.spec->TransformTabular(records, &set->tabular);
    d.spec->TransformTfidf(records, &set->tfidf);
  };
  fill(d.train_records, &d.train);
  fill(d.val_records, &d.val);
  return d;
}

TrainContext Context() {
  TrainContext ctx = gbdt_test::MakeContext(3);
  ctx.class_names = kCategories;
  return ctx;
}

std::unique_ptr<Classifier> Make(const nlohmann::json& params) {
  std::unique_ptr<Classifier> model;
  Status s = CreateClassifier("gbdt", params, 3, &model);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return model;
}

double Accuracy(const Classifier& model, const Data& d, std::vector<float>* all_probs) {
  size_t correct = 0;
  FeatureVector x;
  std::vector<float> probs(3);
  for (size_t i = 0; i < d.val_records.size(); ++i) {
    d.spec->Transform(d.val_records[i], model.required_views(), &x);
    model.PredictProba(x, probs.data());
    if (all_probs) all_probs->insert(all_probs->end(), probs.begin(), probs.end());
    correct += std::max_element(probs.begin(), probs.end()) - probs.begin() == d.val.labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(d.val_records.size());
}

TEST(GbdtOnFeatureSpecTest, ImportanceNamesComeFromTheSpec) {
  Data d = MakeData();
  auto model = Make({{"num_rounds", 30}, {"nthread", 1}});
  ASSERT_TRUE(model->Train(Context(), d.train, d.val).ok());
  EXPECT_GT(Accuracy(*model, d, nullptr), 0.8);
  std::vector<FeatureImportance> top = model->Importance(*d.spec, 5);
  ASSERT_EQ(top.size(), 5u);
  for (size_t i = 0; i < top.size(); ++i) {
    EXPECT_FALSE(top[i].name.empty());
    EXPECT_EQ(top[i].name.find("column "), std::string::npos) << top[i].name;
    EXPECT_GT(top[i].importance, 0.0);
    if (i > 0) {
      EXPECT_GE(top[i - 1].importance, top[i].importance);
    }
  }
}

TEST(GbdtOnFeatureSpecTest, StackedTextScoresTrainSaveAndLoad) {
  Data d = MakeData();
  nlohmann::json params = {
      {"num_rounds", 30}, {"nthread", 1}, {"stack_text", true}, {"stack_folds", 3}};
  auto model = Make(params);
  EXPECT_EQ(model->required_views(), static_cast<unsigned>(kViewTabular | kViewTfidf));
  EXPECT_EQ(model->Hyperparameters()["stack_params"]["calibration"], "none");
  Status s = model->Train(Context(), d.train, d.val);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<float> probs;
  EXPECT_GT(Accuracy(*model, d, &probs), 0.8);

  std::vector<FeatureImportance> top = model->Importance(*d.spec, 10);
  bool has_text_score = false;
  for (const auto& f : top) has_text_score |= f.name.starts_with("text_score=");
  EXPECT_TRUE(has_text_score) << "out-of-fold text scores should be among the top features";

  TempDir dir;
  std::vector<std::string> files;
  ASSERT_TRUE(model->Save(dir.path(), &files).ok());
  bool has_stack_file = false;
  for (const std::string& f : files) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() / f)) << f;
    has_stack_file |= f.starts_with("stack_linear/");
  }
  EXPECT_TRUE(has_stack_file);
  auto loaded = Make(nlohmann::json::object());
  s = loaded->Load(dir.path());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(loaded->required_views(), model->required_views());
  std::vector<float> loaded_probs;
  Accuracy(*loaded, d, &loaded_probs);
  ASSERT_EQ(probs.size(), loaded_probs.size());
  EXPECT_EQ(0, std::memcmp(probs.data(), loaded_probs.data(), probs.size() * sizeof(float)));

  // Same seed, same data: same model, stacked models included.
  auto again = Make(params);
  ASSERT_TRUE(again->Train(Context(), d.train, d.val).ok());
  TempDir dir2;
  ASSERT_TRUE(again->Save(dir2.path(), &files).ok());
  std::string a, b;
  ASSERT_TRUE(ReadFile(dir.path() / "gbdt.ubj", &a).ok());
  ASSERT_TRUE(ReadFile(dir2.path() / "gbdt.ubj", &b).ok());
  EXPECT_TRUE(a == b);
}

TEST(GbdtOnFeatureSpecTest, StackingNeedsTheTfidfViewAndValidStackParams) {
  Data d = MakeData();
  auto model = Make({{"num_rounds", 3}, {"stack_text", true}});
  TrainSet no_tfidf = d.train;
  no_tfidf.tfidf = CsrMatrix();
  Status s = model->Train(Context(), no_tfidf, d.val);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("tfidf"), std::string::npos) << s.message();

  std::unique_ptr<Classifier> bad;
  s = CreateClassifier("gbdt", {{"stack_text", true}, {"stack_params", {{"Cee", 1}}}}, 3, &bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Cee"), std::string::npos) << s.message();
  s = CreateClassifier("gbdt", {{"stack_params", 3}}, 3, &bad);
  EXPECT_NE(s.message().find("stack_params"), std::string::npos) << s.message();
}

TEST(GbdtOnFeatureSpecTest, StackedRunResumesExactly) {
  Data d = MakeData();
  nlohmann::json params = {{"num_rounds", 12},
                           {"nthread", 1},
                           {"stack_text", true},
                           {"stack_folds", 3},
                           {"early_stopping_rounds", 0}};
  auto save_bytes = [&](Classifier& model) {
    TempDir dir;
    std::vector<std::string> files;
    EXPECT_TRUE(model.Save(dir.path(), &files).ok());
    std::string bytes;
    EXPECT_TRUE(ReadFile(dir.path() / "gbdt.ubj", &bytes).ok());
    return bytes;
  };
  auto uninterrupted = Make(params);
  ASSERT_TRUE(uninterrupted->Train(Context(), d.train, d.val).ok());

  TempDir checkpoints;
  TrainContext ctx = Context();
  ctx.checkpoint_dir = checkpoints.path();
  ctx.checkpoint_every = 3;
  {
    gbdt_test::ScopedEnv abort("PRODCAT_TEST_ABORT_AFTER_ROUND", "7");
    EXPECT_EQ(Make(params)->Train(ctx, d.train, d.val).code(), StatusCode::kInternal);
  }
  ctx.resume = true;
  auto resumed = Make(params);
  ASSERT_TRUE(resumed->Train(ctx, d.train, d.val).ok());
  EXPECT_EQ(resumed->TrainingSummary()["resumed_from_round"], 6);
  EXPECT_TRUE(save_bytes(*resumed) == save_bytes(*uninterrupted));
}

TEST(GbdtStackingTest, FoldsAreSeededAndBalanced) {
  std::vector<int> a = AssignFolds(3000, 5, 1), b = AssignFolds(3000, 5, 1);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, AssignFolds(3000, 5, 2));
  std::vector<int> counts(5, 0);
  for (int f : a) {
    ASSERT_GE(f, 0);
    ASSERT_LT(f, 5);
    ++counts[f];
  }
  for (int c : counts) EXPECT_NEAR(c, 600, 90);
}

TEST(GbdtStackingTest, AppendDenseColumnsPlacesScoresAfterTheBase) {
  CsrMatrix base;
  base.num_cols = 10;
  SparseVector r0, r1;
  r0.indices = {1, 7};
  r0.values = {0.5f, 2.0f};
  base.AppendRow(r0);
  base.AppendRow(r1);
  CsrMatrix out = AppendDenseColumns(base, {0.1f, 0.9f, 0.3f, 0.7f}, 2);
  EXPECT_EQ(out.num_cols, 12u);
  EXPECT_EQ(out.indptr, (std::vector<uint64_t>{0, 4, 6}));
  EXPECT_EQ(out.indices, (std::vector<uint32_t>{1, 7, 10, 11, 10, 11}));
  EXPECT_EQ(out.values, (std::vector<float>{0.5f, 2.0f, 0.1f, 0.9f, 0.3f, 0.7f}));
}

}  // namespace
}  // namespace prodcat
