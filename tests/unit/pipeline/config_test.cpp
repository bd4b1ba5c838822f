#include "prodcat/pipeline/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace prodcat {
namespace {

std::filesystem::path WriteTemp(const std::string& name, const std::string& text) {
  auto p = std::filesystem::temp_directory_path() / ("prodcat_config_test_" + name);
  std::ofstream(p) << text;
  return p;
}

TEST(ConfigTest, DefaultsAreCompiledIn) {
  Config c = Config::Defaults();
  EXPECT_EQ(c.GetString("train", "model"), "auto");
  EXPECT_EQ(c.GetInt("generate", "rows"), 20000);
  EXPECT_DOUBLE_EQ(c.GetDouble("prepare", "train_fraction"), 0.8);
  EXPECT_TRUE(c.GetBool("prepare", "dedupe"));
  EXPECT_EQ(c.section("train")["candidates"].size(), 3u);
}

TEST(ConfigTest, FileMergesOverDefaults) {
  auto p = WriteTemp("merge.yaml", "train:\n  seed: 7\nmodels:\n  gbdt:\n    num_rounds: 5\n");
  Config c;
  ASSERT_TRUE(Config::Load(p, {}, &c).ok());
  EXPECT_EQ(c.GetInt("train", "seed"), 7);
  EXPECT_EQ(c.GetString("train", "model"), "auto");  // untouched default
  EXPECT_EQ(c.section("models")["gbdt"]["num_rounds"], 5);
}

TEST(ConfigTest, UnknownKeyIsRejectedWithItsPath) {
  auto p = WriteTemp("typo.yaml", "train:\n  sead: 7\n");
  Config c;
  Status s = Config::Load(p, {}, &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("train.sead"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(p.string()), std::string::npos) << s.message();
}

TEST(ConfigTest, WrongTypeIsRejected) {
  Config c = Config::Defaults();
  Status s = c.Set("prepare.train_fraction=lots");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("must be a number"), std::string::npos) << s.message();
}

TEST(ConfigTest, SetOverridesNestedAndLists) {
  Config c = Config::Defaults();
  ASSERT_TRUE(c.Set("train.candidates=[linear, gbdt]").ok());
  ASSERT_TRUE(c.Set("models.linear.C=2.5").ok());
  ASSERT_TRUE(c.Set("data.columns.title=product_name").ok());
  EXPECT_EQ(c.section("train")["candidates"].size(), 2u);
  EXPECT_DOUBLE_EQ(c.section("models")["linear"]["C"].get<double>(), 2.5);
  EXPECT_EQ(c.section("data")["columns"]["title"], "product_name");
  EXPECT_FALSE(c.Set("novalue").ok());
  EXPECT_FALSE(c.Set("models.xgb.depth=3").ok());  // unknown family
}

TEST(ConfigTest, InvalidYamlNamesFileAndLine) {
  auto p = WriteTemp("bad.yaml", "train:\n  seed: [1, 2\n");
  Config c;
  Status s = Config::Load(p, {}, &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("invalid YAML"), std::string::npos) << s.message();
}

TEST(ConfigTest, MissingFileIsNotFound) {
  Config c;
  Status s = Config::Load("/nonexistent/prodcat.yaml", {}, &c);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace prodcat
