// Drives the real `prodcat` binary through the whole chain on small generated data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "process.h"

namespace prodcat::testing {
namespace {

const std::string kBin = PRODCAT_BINARY;

nlohmann::json ReadJson(const std::string& path) {
  return nlohmann::json::parse(Slurp(path));
}

size_t CountLines(const std::string& path) {
  std::string s = Slurp(path);
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

// Small, quick hyperparameters so the suite stays fast.
const std::vector<std::string> kQuick = {"--set", "models.gbdt.num_rounds=30",
                                         "--set", "models.fasttext.epoch=5",
                                         "--set", "train.progress=false"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(CliChainTest, GeneratePrepareTrainEvaluatePredict) {
  TempDir dir;
  auto g = RunProcess(
      {kBin, "generate", "--rows", "4000", "--seed", "7", "--out", dir / "products.csv"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(CountLines(dir / "products.csv"), 4001u);

  auto p =
      RunProcess({kBin, "prepare", "--input", dir / "products.csv", "--out", dir / "prepared"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("imbalance ratio"), std::string::npos);
  auto q = ReadJson(dir / "prepared/quality_report.json");
  EXPECT_EQ(q["rows_in"], 4000);
  EXPECT_EQ(q["num_classes"], 12);
  EXPECT_GT(q["imbalance_ratio"].get<double>(), 5.0);

  auto t = RunProcess(With({kBin, "train", "--train", dir / "prepared/train.csv", "--val",
                            dir / "prepared/val.csv", "--out", dir / "model", "--model", "linear"},
                           kQuick));
  ASSERT_EQ(t.exit_code, 0) << t.err;
  auto manifest = ReadJson(dir / "model/manifest.json");
  EXPECT_EQ(manifest["family"], "linear");
  EXPECT_EQ(manifest["class_names"].size(), 12u);
  EXPECT_TRUE(manifest.contains("data_fingerprint"));
  EXPECT_FALSE(manifest["files"].empty());

  auto e = RunProcess({kBin, "evaluate", "--model", dir / "model", "--data",
                       dir / "prepared/test.csv", "--out", dir / "eval/report.json"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  auto report = ReadJson(dir / "eval/report.json");
  for (const char* key : {"accuracy", "macro_f1", "weighted_f1", "top3_accuracy", "log_loss"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  EXPECT_GT(report["macro_f1"].get<double>(), 0.6);
  EXPECT_GE(report["top3_accuracy"].get<double>(), report["accuracy"].get<double>());
  EXPECT_TRUE(std::filesystem::exists(dir / "eval/confusion_matrix.svg"));
  EXPECT_TRUE(std::filesystem::exists(dir / "eval/feature_importance.svg"));
  EXPECT_NE(e.out.find("macro"), std::string::npos);

  auto pr = RunProcess({kBin, "predict", "--model", dir / "model", "--input",
                        dir / "prepared/test.csv", "--output", dir / "pred.csv", "--top-k", "3"});
  ASSERT_EQ(pr.exit_code, 0) << pr.err;
  EXPECT_EQ(CountLines(dir / "pred.csv"), CountLines(dir / "prepared/test.csv"));
  auto pj = RunProcess({kBin, "predict", "--model", dir / "model", "--input",
                        dir / "prepared/test.csv", "--output", dir / "pred.jsonl"});
  ASSERT_EQ(pj.exit_code, 0) << pj.err;
  std::string first = Slurp(dir / "pred.jsonl").substr(0, Slurp(dir / "pred.jsonl").find('\n'));
  auto row = nlohmann::json::parse(first);
  EXPECT_EQ(row["probabilities"].size(), 3u);
}

TEST(CliChainTest, RunMainJobOnGeneratedDataWithAllCandidates) {
  TempDir dir;
  auto r =
      RunProcess(With({kBin, "run", "--out", dir / "run", "--set", "generate.rows=3000"}, kQuick));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("prodcat run finished"), std::string::npos);
  auto summary = ReadJson(dir / "run/summary.json");
  EXPECT_EQ(summary["model"]["candidates"].size(), 3u);
  EXPECT_GT(summary["evaluation"]["macro_f1"].get<double>(), 0.5);
  EXPECT_TRUE(std::filesystem::exists(dir / "run/model/manifest.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "run/evaluation/report.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "run/prepared/quality_report.json"));
  // The bundle records every candidate's figures.
  auto manifest = ReadJson(dir / "run/model/manifest.json");
  EXPECT_EQ(manifest["candidates"].size(), 3u);
  // The small fallback model is trained beside the primary, on title text only.
  ASSERT_TRUE(summary.contains("fallback_model"));
  EXPECT_GT(summary["fallback_model"]["val_macro_f1"].get<double>(), 0.5);
  auto fallback = ReadJson(dir / "run/fallback_model/manifest.json");
  EXPECT_EQ(fallback["feature_spec"]["options"]["word_ngram_max"], 1);
  EXPECT_EQ(fallback["candidates"].size(), 1u);
  EXPECT_NE(r.out.find("fallback model"), std::string::npos);
}

TEST(CliChainTest, TrainingIsDeterministicForASeed) {
  TempDir dir;
  ASSERT_EQ(RunProcess({kBin, "generate", "--rows", "2000", "--out", dir / "p.csv"}).exit_code, 0);
  ASSERT_EQ(
      RunProcess({kBin, "prepare", "--input", dir / "p.csv", "--out", dir / "prep"}).exit_code, 0);
  for (const char* family : {"linear", "gbdt", "fasttext"}) {
    for (const char* out : {"m1", "m2"}) {
      auto t = RunProcess(With({kBin, "train", "--train", dir / "prep/train.csv", "--val",
                                dir / "prep/val.csv", "--out", dir / out, "--model", family},
                               kQuick));
      ASSERT_EQ(t.exit_code, 0) << t.err;
    }
    auto a = ReadJson(dir / "m1/manifest.json")["files"];
    auto b = ReadJson(dir / "m2/manifest.json")["files"];
    EXPECT_EQ(a, b) << family << ": same seed and data must give byte-identical model files";
  }
}

TEST(CliChainTest, TamperedBundleIsRefused) {
  TempDir dir;
  ASSERT_EQ(RunProcess({kBin, "generate", "--rows", "1500", "--out", dir / "p.csv"}).exit_code, 0);
  ASSERT_EQ(
      RunProcess({kBin, "prepare", "--input", dir / "p.csv", "--out", dir / "prep"}).exit_code, 0);
  ASSERT_EQ(RunProcess(With({kBin, "train", "--train", dir / "prep/train.csv", "--val",
                             dir / "prep/val.csv", "--out", dir / "m", "--model", "linear"},
                            kQuick))
                .exit_code,
            0);
  auto manifest = ReadJson(dir / "m/manifest.json");
  std::string victim;
  for (const auto& [name, sha] : manifest["files"].items()) {
    if (name.rfind("model/", 0) == 0) victim = name;
  }
  ASSERT_FALSE(victim.empty());
  {
    std::fstream f(dir / ("m/" + victim), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('\x7f');
  }
  auto e = RunProcess({kBin, "evaluate", "--model", dir / "m", "--data", dir / "prep/test.csv",
                       "--out", dir / "r.json"});
  EXPECT_NE(e.exit_code, 0);
  EXPECT_NE(e.err.find(victim), std::string::npos) << e.err;
  EXPECT_NE(e.err.find("checksum"), std::string::npos) << e.err;
}

}  // namespace
}  // namespace prodcat::testing
