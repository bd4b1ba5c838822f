// Save/Load of a fitted FeatureSpec: exact round trip, and clean errors on damaged files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "prodcat/common/file_util.h"
#include "prodcat/features/feature_spec.h"
#include "test_records.h"

namespace prodcat {
namespace {

namespace fs = std::filesystem;
using testing::MakeRecord;

std::vector<ProductRecord> Rows() {
  std::vector<ProductRecord> rows;
  const char* titles[] = {"Apple iPhone 8 Plus 64GB Silver", "Samsung Galaxy S9 Case",
                          "Bosch Dishwasher SMS24",          "Canon EOS 2000D Camera",
                          "Straße Café Crème 500 ml",        "USB-C Cable 2m 3-Pack"};
  for (int i = 0; i < 60; ++i) {
    ProductRecord r = MakeRecord(titles[i % 6], i % 6 < 4 ? "Brand" + std::to_string(i % 3) : "",
                                 i % 5 ? std::optional<double>(1.5 * i) : std::nullopt);
    r.seller_id = std::to_string(i % 4);
    r.subcategory = i % 2 ? "Sub" : "";
    r.rating = i % 3 ? std::optional<double>(i % 5) : std::nullopt;
    r.description = i % 2 ? "Fast shipping" : "";
    rows.push_back(r);
  }
  return rows;
}

class FeatureSpecIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("prodcat_features_io_" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    FeatureSpecOptions o;
    o.hash_bits = 16;
    o.tabular_min_count = 2;
    ASSERT_TRUE(FeatureSpec::Fit(Rows(), o, &spec_).ok());
    std::vector<std::string> files;
    ASSERT_TRUE(spec_->Save(dir_ / "spec", &files).ok());
    EXPECT_EQ(files, (std::vector<std::string>{"feature_spec.json", "feature_spec.bin"}));
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path bin() const { return dir_ / "spec" / "feature_spec.bin"; }
  fs::path json() const { return dir_ / "spec" / "feature_spec.json"; }
  std::string ReadAll(const fs::path& p) {
    std::string s;
    EXPECT_TRUE(ReadFile(p, &s).ok());
    return s;
  }
  void WriteAll(const fs::path& p, const std::string& s) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << s;
  }
  Status Load() {
    std::unique_ptr<FeatureSpec> loaded;
    return FeatureSpec::Load(dir_ / "spec", &loaded);
  }

  fs::path dir_;
  std::unique_ptr<FeatureSpec> spec_;
};

TEST_F(FeatureSpecIoTest, RoundTripGivesBitwiseIdenticalTransforms) {
  std::unique_ptr<FeatureSpec> loaded;
  Status s = FeatureSpec::Load(dir_ / "spec", &loaded);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(loaded->tfidf_dim(), spec_->tfidf_dim());
  EXPECT_EQ(loaded->tabular_dim(), spec_->tabular_dim());
  EXPECT_EQ(loaded->Summary(), spec_->Summary());
  for (uint32_t c = 0; c < spec_->tfidf_dim(); ++c) {
    ASSERT_EQ(loaded->TfidfFeatureName(c), spec_->TfidfFeatureName(c));
  }
  for (uint32_t c = 0; c < spec_->tabular_dim(); ++c) {
    ASSERT_EQ(loaded->TabularFeatureName(c), spec_->TabularFeatureName(c));
  }
  auto rows = Rows();
  rows.push_back(MakeRecord("Never seen before qqq", "Unknown", 1e9));
  FeatureVector a, b;
  const unsigned all = kViewText | kViewTfidf | kViewTabular;
  for (const ProductRecord& r : rows) {
    spec_->Transform(r, all, &a);
    loaded->Transform(r, all, &b);
    ASSERT_EQ(a.text, b.text);
    ASSERT_EQ(a.tfidf.indices, b.tfidf.indices);
    ASSERT_EQ(a.tabular.indices, b.tabular.indices);
    ASSERT_EQ(a.tfidf.values.size(), b.tfidf.values.size());
    ASSERT_EQ(0, std::memcmp(a.tfidf.values.data(), b.tfidf.values.data(),
                             a.tfidf.values.size() * sizeof(float)));
    ASSERT_EQ(0, std::memcmp(a.tabular.values.data(), b.tabular.values.data(),
                             a.tabular.values.size() * sizeof(float)));
  }
}

TEST_F(FeatureSpecIoTest, TruncatedBinaryIsDataLoss) {
  const std::string full = ReadAll(bin());
  for (size_t size : {size_t{0}, size_t{10}, size_t{30}, full.size() / 2, full.size() - 1}) {
    WriteAll(bin(), full.substr(0, size));
    Status s = Load();
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << size << ": " << s.ToString();
    EXPECT_NE(s.message().find("feature_spec.bin"), std::string::npos) << s.message();
  }
}

TEST_F(FeatureSpecIoTest, CorruptedBinaryIsDataLoss) {
  const std::string full = ReadAll(bin());
  for (size_t pos : {size_t{3}, size_t{20}, full.size() / 2, full.size() - 3}) {
    std::string bad = full;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x5A);
    WriteAll(bin(), bad);
    Status s = Load();
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << pos << ": " << s.ToString();
  }
  WriteAll(bin(), full + "extra");
  EXPECT_EQ(Load().code(), StatusCode::kDataLoss);
}

TEST_F(FeatureSpecIoTest, WrongFormatVersionIsAClearError) {
  nlohmann::json j = nlohmann::json::parse(ReadAll(json()));
  j["format_version"] = FeatureSpec::kFormatVersion + 1;
  WriteAll(json(), j.dump());
  Status s = Load();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("format version " + std::to_string(FeatureSpec::kFormatVersion + 1)),
            std::string::npos)
      << s.message();
}

TEST_F(FeatureSpecIoTest, InconsistentOrBrokenJsonIsDataLoss) {
  const std::string original = ReadAll(json());
  nlohmann::json j = nlohmann::json::parse(original);
  j["tfidf_dim"] = spec_->tfidf_dim() + 1;
  WriteAll(json(), j.dump());
  EXPECT_EQ(Load().code(), StatusCode::kDataLoss);

  j = nlohmann::json::parse(original);
  j["imputation"]["price"] = "cheap";
  WriteAll(json(), j.dump());
  Status s = Load();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("imputation.price"), std::string::npos) << s.message();

  j = nlohmann::json::parse(original);
  j["options"]["hash_bits"] = 17;  // the binary was written with 16
  WriteAll(json(), j.dump());
  EXPECT_EQ(Load().code(), StatusCode::kDataLoss);

  WriteAll(json(), original.substr(0, original.size() / 2));
  s = Load();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("feature_spec.json"), std::string::npos) << s.message();

  fs::remove(json());
  EXPECT_EQ(Load().code(), StatusCode::kNotFound);
}

TEST_F(FeatureSpecIoTest, BadMagicIsDataLoss) {
  std::string full = ReadAll(bin());
  full[0] = 'X';
  WriteAll(bin(), full);
  Status s = Load();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace prodcat
