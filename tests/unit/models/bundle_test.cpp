#include "prodcat/models/bundle.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "prodcat/common/file_util.h"
#include "prodcat/common/version.h"

namespace prodcat {
namespace {
namespace fs = std::filesystem;

const std::vector<std::string> kClassNames = {"Books", "Cars", "Fruit", "Other"};

// A few dozen hand-made products: three clear categories plus two toys reframed into "Other".
std::vector<ProductRecord> MakeRecords(std::vector<int>* labels) {
  struct Row {
    const char* title;
    const char* brand;
    double price;
    int label;
  };
  const std::vector<Row> rows = {
      {"paperback novel mystery chapter", "penguin", 9.5, 0},
      {"poetry collection hardcover", "penguin", 15, 0},
      {"fantasy novel paperback edition", "orbit", 11, 0},
      {"cookbook hardcover recipes", "phaidon", 30, 0},
      {"children picture book hardcover", "scholastic", 8, 0},
      {"science fiction novel paperback", "orbit", 10, 0},
      {"history book paperback", "penguin", 14, 0},
      {"poetry anthology paperback", "faber", 12, 0},
      {"mystery novel hardcover", "faber", 22, 0},
      {"travel guide book paperback", "lonely planet", 19, 0},
      {"graphic novel paperback", "dc", 17, 0},
      {"biography hardcover book", "penguin", 25, 0},
      {"brake pads front set", "bosch", 45, 1},
      {"engine oil filter", "bosch", 12, 1},
      {"car battery 12v", "varta", 120, 1},
      {"wiper blades pair", "bosch", 25, 1},
      {"spark plugs set engine", "ngk", 30, 1},
      {"brake disc rear", "brembo", 80, 1},
      {"car tire all season", "michelin", 150, 1},
      {"engine air filter", "mann", 18, 1},
      {"tire pressure gauge car", "michelin", 15, 1},
      {"brake fluid dot4", "brembo", 11, 1},
      {"car floor mats set", "weathertech", 90, 1},
      {"oil filter engine wrench", "mann", 14, 1},
      {"fresh apples bag", "orchard", 4, 2},
      {"organic bananas bunch", "dole", 2, 2},
      {"mango fresh ripe", "orchard", 3, 2},
      {"strawberries fresh box", "driscoll", 5, 2},
      {"organic apples gala", "orchard", 4.5, 2},
      {"bananas fresh organic", "chiquita", 2.5, 2},
      {"dried mango slices", "dole", 6, 2},
      {"fresh blueberries box", "driscoll", 5.5, 2},
      {"apple juice fresh pressed", "orchard", 3.5, 2},
      {"pineapple fresh whole", "dole", 4, 2},
      {"organic strawberries fresh", "driscoll", 6, 2},
      {"fruit basket fresh apples bananas", "orchard", 25, 2},
      {"toy robot kit", "lego", 40, 3},
      {"plush bear toy", "steiff", 35, 3},
  };
  std::vector<ProductRecord> records;
  for (size_t i = 0; i < rows.size(); ++i) {
    ProductRecord r;
    r.product_id = std::to_string(i);
    r.title = rows[i].title;
    r.brand = rows[i].brand;
    r.price = rows[i].price;
    r.seller_id = i % 2 ? "s1" : "s2";
    r.category = kClassNames[static_cast<size_t>(rows[i].label)];
    records.push_back(r);
    labels->push_back(rows[i].label);
  }
  return records;
}

Reframing ToyReframing() {
  Reframing reframing;
  reframing.merged = {{"Toys", "Other"}};
  reframing.other_label = "Other";
  return reframing;
}

class ModelBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("prodcat_bundle_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    dir_ = root_ / "bundle";
    records_ = MakeRecords(&labels_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Fits a real FeatureSpec on the records, trains `family` on all of them (validating on the
  // same rows: only the plumbing is under test) and wraps both in a bundle.
  std::unique_ptr<ModelBundle> MakeBundle(const std::string& family,
                                          const nlohmann::json& params = {}) {
    std::unique_ptr<FeatureSpec> spec;
    FeatureSpecOptions options;
    options.tfidf_min_df = 1;
    Status s = FeatureSpec::Fit(records_, options, &spec);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return nullptr;
    std::unique_ptr<Classifier> classifier;
    s = CreateClassifier(family, params, static_cast<int>(kClassNames.size()), &classifier);
    EXPECT_TRUE(s.ok()) << s.ToString();
    TrainSet train;
    train.labels = labels_;
    if (classifier->required_views() & kViewTfidf) spec->TransformTfidf(records_, &train.tfidf);
    if (classifier->required_views() & kViewText) spec->TransformText(records_, &train.text);
    TrainContext ctx;
    ctx.num_classes = static_cast<int>(kClassNames.size());
    ctx.class_names = kClassNames;
    ctx.show_progress = false;
    ctx.spec = spec.get();
    s = classifier->Train(ctx, train, train);
    EXPECT_TRUE(s.ok()) << s.ToString();
    nlohmann::json metadata = {{"data_fingerprint", "sha256:abc"},
                               {"metrics", {{"test", {{"macro_f1", 0.9}}}}},
                               {"training", {{"epochs_requested", 7}}},
                               {"files", "must not survive"}};
    nlohmann::json profile = {{"rows", records_.size()}, {"prediction_mean", {0.1, 0.2}}};
    return std::make_unique<ModelBundle>(std::move(spec), std::move(classifier), kClassNames,
                                         ToyReframing(), metadata, profile);
  }

  std::unique_ptr<ModelBundle> MustLoad() {
    std::unique_ptr<ModelBundle> loaded;
    Status s = ModelBundle::Load(dir_, &loaded);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return loaded;
  }

  nlohmann::json ReadManifest() {
    std::string text;
    EXPECT_TRUE(ReadFile(dir_ / "manifest.json", &text).ok());
    return nlohmann::json::parse(text);
  }

  void ExpectSamePredictions(const ModelBundle& a, const ModelBundle& b) {
    std::vector<float> pa, pb;
    for (const ProductRecord& r : records_) {
      a.PredictProba(r, &pa);
      b.PredictProba(r, &pb);
      ASSERT_EQ(pa.size(), kClassNames.size());
      EXPECT_EQ(pa, pb) << r.title;
    }
  }

  fs::path root_, dir_;
  std::vector<ProductRecord> records_;
  std::vector<int> labels_;
};

TEST_F(ModelBundleTest, LinearRoundTripPredictsIdenticallyAndKeepsEverything) {
  auto bundle = MakeBundle("linear");
  ASSERT_NE(bundle, nullptr);
  Status s = bundle->Save(dir_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto loaded = MustLoad();
  ASSERT_NE(loaded, nullptr);
  ExpectSamePredictions(*bundle, *loaded);

  EXPECT_EQ(loaded->class_names(), kClassNames);
  EXPECT_EQ(loaded->reframing().merged, ToyReframing().merged);
  EXPECT_EQ(loaded->reframing().Apply("Toys"), "Other");
  EXPECT_EQ(loaded->classifier().family(), "linear");
  EXPECT_EQ(loaded->classifier().Hyperparameters(), bundle->classifier().Hyperparameters());
  EXPECT_EQ(loaded->spec().tfidf_dim(), bundle->spec().tfidf_dim());
  EXPECT_EQ(loaded->metadata().at("data_fingerprint"), "sha256:abc");
  EXPECT_EQ(loaded->metadata().at("metrics"), bundle->metadata().at("metrics"));
  EXPECT_EQ(loaded->metadata().at("training").at("epochs_requested"), 7);
  EXPECT_TRUE(loaded->metadata().at("training").contains("temperature"));
  EXPECT_FALSE(loaded->metadata().contains("files"));
  EXPECT_EQ(loaded->reference_profile(), bundle->reference_profile());
  EXPECT_EQ(loaded->ClassIndex("Fruit"), 2);
  EXPECT_EQ(loaded->ClassIndex("Toys"), -1);

  // The model learned something, and top-k agrees with the probability vector.
  std::vector<ScoredLabel> top = loaded->PredictTopK(records_[26], 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].label, "Fruit");
  EXPECT_GE(top[0].probability, top[1].probability);
  EXPECT_GE(top[1].probability, top[2].probability);
  std::vector<float> probs;
  loaded->PredictProba(records_[26], &probs);
  EXPECT_FLOAT_EQ(top[0].probability, probs[2]);
  EXPECT_EQ(loaded->PredictTopK(records_[0], 99).size(), kClassNames.size());

  nlohmann::json manifest = ReadManifest();
  EXPECT_EQ(manifest.at("format_version"), ModelBundle::kFormatVersion);
  EXPECT_EQ(manifest.at("prodcat_version"), kVersion);
  EXPECT_EQ(manifest.at("family"), "linear");
  EXPECT_EQ(manifest.at("num_classes"), kClassNames.size());
  EXPECT_TRUE(std::regex_match(manifest.at("created_at").get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_TRUE(manifest.at("feature_spec").is_object());
  const nlohmann::json& files = manifest.at("files");
  EXPECT_TRUE(files.contains("model/linear_weights.bin"));
  EXPECT_TRUE(files.contains("model/linear.json"));
  EXPECT_TRUE(files.contains("reference_profile.json"));
  EXPECT_FALSE(files.contains("manifest.json"));
  bool has_features = false;
  for (const auto& [path, sha] : files.items()) {
    has_features |= path.rfind("features/", 0) == 0;
    EXPECT_EQ(sha.get<std::string>().size(), 64u) << path;
  }
  EXPECT_TRUE(has_features);
}

TEST_F(ModelBundleTest, FastTextRoundTripPredictsIdentically) {
  auto bundle = MakeBundle("fasttext", {{"dim", 8}, {"epoch", 20}});
  ASSERT_NE(bundle, nullptr);
  ASSERT_TRUE(bundle->Save(dir_).ok());
  auto loaded = MustLoad();
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->classifier().family(), "fasttext");
  ExpectSamePredictions(*bundle, *loaded);
  EXPECT_TRUE(loaded->classifier().Importance(loaded->spec(), 5).empty());
}

TEST_F(ModelBundleTest, TamperedModelFileIsRefusedNamingTheFile) {
  auto bundle = MakeBundle("linear");
  ASSERT_TRUE(bundle->Save(dir_).ok());
  const fs::path weights = dir_ / "model" / "linear_weights.bin";
  std::string bytes;
  ASSERT_TRUE(ReadFile(weights, &bytes).ok());
  bytes[bytes.size() / 2] ^= 0x04;
  ASSERT_TRUE(WriteFileAtomic(weights, bytes).ok());
  std::unique_ptr<ModelBundle> loaded;
  Status s = ModelBundle::Load(dir_, &loaded);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("model/linear_weights.bin failed its checksum"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find(dir_.string()), std::string::npos) << s.message();
  EXPECT_EQ(loaded, nullptr);
}

TEST_F(ModelBundleTest, TruncatedOrMissingFileIsRefused) {
  auto bundle = MakeBundle("linear");
  ASSERT_TRUE(bundle->Save(dir_).ok());
  nlohmann::json files = ReadManifest().at("files");
  std::string feature_file;
  for (const auto& [path, sha] : files.items()) {
    if (path.rfind("features/", 0) == 0) feature_file = path;
  }
  ASSERT_FALSE(feature_file.empty());
  std::string bytes;
  ASSERT_TRUE(ReadFile(dir_ / feature_file, &bytes).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ / feature_file, bytes.substr(0, bytes.size() / 2)).ok());
  std::unique_ptr<ModelBundle> loaded;
  Status s = ModelBundle::Load(dir_, &loaded);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find(feature_file), std::string::npos) << s.message();

  ASSERT_TRUE(WriteFileAtomic(dir_ / feature_file, bytes).ok());
  ASSERT_TRUE(MustLoad() != nullptr);
  fs::remove(dir_ / "reference_profile.json");
  s = ModelBundle::Load(dir_, &loaded);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("reference_profile.json"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("missing"), std::string::npos) << s.message();
}

TEST_F(ModelBundleTest, MissingManifestIsNotABundle) {
  std::unique_ptr<ModelBundle> loaded;
  Status s = ModelBundle::Load(root_ / "nowhere", &loaded);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("not a prodcat model bundle"), std::string::npos) << s.message();

  auto bundle = MakeBundle("linear");
  ASSERT_TRUE(bundle->Save(dir_).ok());
  fs::remove(dir_ / "manifest.json");
  s = ModelBundle::Load(dir_, &loaded);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("no manifest.json in " + dir_.string()), std::string::npos)
      << s.message();
}

TEST_F(ModelBundleTest, NewerFormatVersionAndBadManifestsAreRefused) {
  auto bundle = MakeBundle("linear");
  ASSERT_TRUE(bundle->Save(dir_).ok());
  const nlohmann::json manifest = ReadManifest();
  std::unique_ptr<ModelBundle> loaded;

  nlohmann::json edited = manifest;
  edited["format_version"] = ModelBundle::kFormatVersion + 1;
  ASSERT_TRUE(WriteFileAtomic(dir_ / "manifest.json", edited.dump()).ok());
  Status s = ModelBundle::Load(dir_, &loaded);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("format version " + std::to_string(ModelBundle::kFormatVersion + 1)),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("reads format version " + std::to_string(ModelBundle::kFormatVersion)),
            std::string::npos)
      << s.message();

  // A manifest may not point outside the bundle.
  edited = manifest;
  edited["files"]["../outside.txt"] = std::string(64, '0');
  ASSERT_TRUE(WriteFileAtomic(dir_ / "manifest.json", edited.dump()).ok());
  EXPECT_EQ(ModelBundle::Load(dir_, &loaded).code(), StatusCode::kDataLoss);

  ASSERT_TRUE(WriteFileAtomic(dir_ / "manifest.json", "{\"format_version\": 1, \"fi").ok());
  EXPECT_EQ(ModelBundle::Load(dir_, &loaded).code(), StatusCode::kDataLoss);

  edited = manifest;
  edited["family"] = "bayes";
  ASSERT_TRUE(WriteFileAtomic(dir_ / "manifest.json", edited.dump()).ok());
  s = ModelBundle::Load(dir_, &loaded);
  EXPECT_NE(s.message().find("bayes"), std::string::npos) << s.message();

  ASSERT_TRUE(WriteFileAtomic(dir_ / "manifest.json", manifest.dump()).ok());
  EXPECT_NE(MustLoad(), nullptr);
}

TEST_F(ModelBundleTest, SaveOverAnExistingBundleReplacesIt) {
  auto linear = MakeBundle("linear");
  ASSERT_TRUE(linear->Save(dir_).ok());
  auto fasttext = MakeBundle("fasttext", {{"dim", 8}, {"epoch", 5}});
  Status s = fasttext->Save(dir_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto loaded = MustLoad();
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->classifier().family(), "fasttext");
  EXPECT_FALSE(fs::exists(dir_ / "model" / "linear_weights.bin"));
  ExpectSamePredictions(*fasttext, *loaded);
  std::vector<std::string> siblings;
  for (const auto& e : fs::directory_iterator(root_)) siblings.push_back(e.path().filename());
  EXPECT_EQ(siblings, std::vector<std::string>{"bundle"}) << "staging or .old left behind";
}

TEST_F(ModelBundleTest, LoadRecoversABundleInterruptedBetweenRenames) {
  auto bundle = MakeBundle("linear");
  ASSERT_TRUE(bundle->Save(dir_.string() + "/").ok());  // a trailing separator is the same dir
  ASSERT_TRUE(fs::is_regular_file(dir_ / "manifest.json"));
  fs::rename(dir_, dir_.string() + ".old");  // as if killed between PublishDirectory's renames
  std::unique_ptr<ModelBundle> loaded;
  Status s = ModelBundle::Load(dir_.string() + "/", &loaded);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectSamePredictions(*bundle, *loaded);
}

TEST_F(ModelBundleTest, SaveRefusesMismatchedClassNames) {
  auto bundle = MakeBundle("linear");
  std::unique_ptr<FeatureSpec> spec;
  ASSERT_TRUE(FeatureSpec::Fit(records_, FeatureSpecOptions(), &spec).ok());
  std::unique_ptr<Classifier> classifier;
  ASSERT_TRUE(CreateClassifier("linear", {}, 4, &classifier).ok());
  ModelBundle wrong(std::move(spec), std::move(classifier), {"a", "b"}, Reframing(), {}, {});
  EXPECT_EQ(wrong.Save(dir_).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(dir_));
  EXPECT_TRUE(fs::is_empty(root_));
}

TEST_F(ModelBundleTest, LinearImportanceNamesRealFeatures) {
  auto bundle = MakeBundle("linear");
  std::vector<FeatureImportance> top = bundle->classifier().Importance(bundle->spec(), 10);
  ASSERT_EQ(top.size(), 10u);
  for (size_t i = 0; i < top.size(); ++i) {
    EXPECT_FALSE(top[i].name.empty());
    EXPECT_GT(top[i].importance, 0);
    if (i > 0) {
      EXPECT_GE(top[i - 1].importance, top[i].importance);
    }
  }
}

}  // namespace
}  // namespace prodcat
