// `prodcat drift` through the real binary: same-distribution data reports no drift, a shifted
// file reports dataset drift (exit 3 with --fail-on-drift), a model bundle as reference adds
// prediction drift, and bad arguments fail with a clear message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "process.h"

namespace prodcat::testing {
namespace {

const std::string kBin = PRODCAT_BINARY;

std::vector<std::string> Lines(const std::string& path) {
  std::istringstream in(Slurp(path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary);
  for (const std::string& line : lines) out << line << '\n';
}

// Every input moves: price x3, rating 1.5, unseen brands, sellers and subcategories, an upper-case
// title of unseen words, a description everywhere.
std::string Shift(const std::string& line, size_t i) {
  nlohmann::json r = nlohmann::json::parse(line);
  if (r.contains("price") && r["price"].is_number()) r["price"] = r["price"].get<double>() * 3;
  r["rating"] = 1.5;
  r["brand"] = "Novabrand" + std::to_string(i % 7);
  r["seller_id"] = "X" + std::to_string(i % 50);
  r["subcategory"] = "Gadgets " + std::to_string(i % 5);
  r["description"] = "brand new item with a long description of features";
  std::istringstream words(r["title"].get<std::string>());
  std::string title;
  for (std::string w; words >> w;) {
    if (std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isalpha(c); })) {
      w = "zq" + w;
    }
    std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return std::toupper(c); });
    title += (title.empty() ? "" : " ") + w;
  }
  r["title"] = title;
  return r.dump();
}

class DriftCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto g = RunProcess(
        {kBin, "generate", "--rows", "4000", "--seed", "4", "--out", dir_ / "all.jsonl"});
    ASSERT_EQ(g.exit_code, 0) << g.err;
    const std::vector<std::string> all = Lines(dir_ / "all.jsonl");
    ASSERT_EQ(all.size(), 4000u);
    WriteLines(dir_ / "reference.jsonl", {all.begin(), all.begin() + 2000});
    WriteLines(dir_ / "current.jsonl", {all.begin() + 2000, all.end()});
    std::vector<std::string> shifted;
    for (size_t i = 2000; i < all.size(); ++i) shifted.push_back(Shift(all[i], i));
    WriteLines(dir_ / "shifted.jsonl", shifted);
  }

  TempDir dir_;
};

TEST_F(DriftCliTest, SameDistributionHasNoDatasetDrift) {
  auto r = RunProcess({kBin, "drift", "--reference", dir_ / "reference.jsonl", "--current",
                       dir_ / "current.jsonl", "--out", dir_ / "report.json", "--fail-on-drift"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dataset drift: no"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("price"), std::string::npos);
  const nlohmann::json report = nlohmann::json::parse(Slurp(dir_ / "report.json"));
  const nlohmann::json& w = report["windows"]["file"];
  EXPECT_EQ(w["observations"], 2000);
  EXPECT_FALSE(report["dataset_drift"].get<bool>());
  EXPECT_EQ(w["drifted_features"].size(), 0u) << w["drifted_features"].dump();
  // A data file as reference: exact bins, no predictions to compare.
  EXPECT_EQ(w["numeric"]["price"]["reference_bins"], "exact");
  EXPECT_FALSE(w.contains("predictions"));
}

TEST_F(DriftCliTest, ShiftedFileReportsDatasetDrift) {
  const std::vector<std::string> args = {kBin,          "drift",
                                         "--reference", dir_ / "reference.jsonl",
                                         "--current",   dir_ / "shifted.jsonl",
                                         "--out",       dir_ / "report.json"};
  auto r = RunProcess(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;  // drift is a finding, not an error
  EXPECT_NE(r.out.find("dataset drift: yes"), std::string::npos) << r.out;
  const nlohmann::json report = nlohmann::json::parse(Slurp(dir_ / "report.json"));
  EXPECT_TRUE(report["dataset_drift"].get<bool>());
  EXPECT_EQ(report["status"], "alert");
  const nlohmann::json& drifted = report["windows"]["file"]["drifted_features"];
  for (const char* f : {"price", "rating", "brand", "seller_id", "title_tokens"}) {
    EXPECT_NE(std::find(drifted.begin(), drifted.end(), f), drifted.end()) << f;
  }
  std::vector<std::string> failing = args;
  failing.push_back("--fail-on-drift");
  EXPECT_EQ(RunProcess(failing).exit_code, 3);
  // Drift thresholds come from --set drift.*: nothing can reach a PSI of 1000.
  failing.insert(failing.end(), {"--set", "drift.psi_warning=999", "--set", "drift.psi_alert=1000",
                                 "--set", "drift.js_alert=1", "--set", "drift.js_warning=1",
                                 "--set", "drift.oov_increase_alert=1"});
  auto relaxed = RunProcess(failing);
  EXPECT_EQ(relaxed.exit_code, 0) << relaxed.out << relaxed.err;
}

TEST_F(DriftCliTest, ModelReferenceComparesPredictions) {
  auto p = RunProcess(
      {kBin, "prepare", "--input", dir_ / "reference.jsonl", "--out", dir_ / "prepared"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto t = RunProcess({kBin, "train", "--train", dir_ / "prepared/train.csv", "--val",
                       dir_ / "prepared/val.csv", "--out", dir_ / "model", "--model", "linear",
                       "--no-tracking", "--set", "train.progress=false"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  auto r = RunProcess({kBin, "drift", "--reference", dir_ / "model", "--current",
                       dir_ / "shifted.jsonl", "--out", dir_ / "report.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = nlohmann::json::parse(Slurp(dir_ / "report.json"));
  const nlohmann::json& w = report["windows"]["file"];
  ASSERT_TRUE(w.contains("predictions")) << w.dump();
  EXPECT_EQ(w["predictions"]["count"], 2000);
  EXPECT_TRUE(w["confidence"]["current_mean"].is_number());
  EXPECT_TRUE(report["dataset_drift"].get<bool>());
  EXPECT_NE(r.out.find("confidence"), std::string::npos);
}

TEST_F(DriftCliTest, BadArgumentsFailClearly) {
  auto missing = RunProcess({kBin, "drift", "--reference", dir_ / "reference.jsonl"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("--current"), std::string::npos) << missing.err;

  auto no_reference = RunProcess(
      {kBin, "drift", "--reference", dir_ / "nope.csv", "--current", dir_ / "current.jsonl"});
  EXPECT_NE(no_reference.exit_code, 0);
  EXPECT_NE(no_reference.err.find("no such model directory or file"), std::string::npos)
      << no_reference.err;

  std::filesystem::create_directories(dir_ / "empty_model");
  auto no_profile = RunProcess(
      {kBin, "drift", "--reference", dir_ / "empty_model", "--current", dir_ / "current.jsonl"});
  EXPECT_NE(no_profile.exit_code, 0);
  EXPECT_NE(no_profile.err.find("no reference_profile.json"), std::string::npos) << no_profile.err;

  auto bad_key = RunProcess({kBin, "drift", "--reference", dir_ / "reference.jsonl", "--current",
                             dir_ / "current.jsonl", "--set", "drift.psi_alrt=1"});
  EXPECT_NE(bad_key.exit_code, 0);
  EXPECT_NE(bad_key.err.find("unknown key 'psi_alrt'"), std::string::npos) << bad_key.err;

  WriteLines(dir_ / "bad.csv", {"product_id,title,price", "1,usb cable,cheap"});
  auto bad_row = RunProcess(
      {kBin, "drift", "--reference", dir_ / "reference.jsonl", "--current", dir_ / "bad.csv"});
  EXPECT_NE(bad_row.exit_code, 0);
  EXPECT_NE(bad_row.err.find("bad.csv:2"), std::string::npos) << bad_row.err;
  EXPECT_NE(bad_row.err.find("price"), std::string::npos) << bad_row.err;
}

}  // namespace
}  // namespace prodcat::testing
