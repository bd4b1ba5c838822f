#include "prodcat/models/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gbdt_test_data.h"
#include "prodcat/common/file_util.h"

namespace prodcat {
namespace {

using gbdt_test::TempDir;
namespace fs = std::filesystem;

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(CheckpointDirTest, WritesModelAndStateAndReadsTheNewestBack) {
  TempDir tmp;
  CheckpointDir dir(tmp.path() / "ckpt", "bin");
  ASSERT_TRUE(dir.Write(10, "model-10", {{"x", 1}}, 0.5).ok());
  ASSERT_TRUE(dir.Write(20, "model-20", {{"x", 2}}, 0.4).ok());
  EXPECT_EQ(Names(dir.dir()), (std::vector<std::string>{"ckpt-000010.bin", "ckpt-000010.json",
                                                        "ckpt-000020.bin", "ckpt-000020.json"}));
  EXPECT_EQ(dir.ListRounds(), (std::vector<int>{10, 20}));
  std::optional<Checkpoint> latest;
  std::vector<std::string> skipped;
  ASSERT_TRUE(dir.FindLatestValid(&latest, &skipped).ok());
  ASSERT_TRUE(latest.has_value());
  EXPECT_TRUE(skipped.empty());
  EXPECT_EQ(latest->round, 20);
  EXPECT_EQ(latest->model_bytes, "model-20");
  EXPECT_EQ(latest->state["x"], 2);
  EXPECT_EQ(latest->state["score"], 0.4);
}

TEST(CheckpointDirTest, EmptyOrMissingDirectoryHasNoCheckpoint) {
  TempDir tmp;
  CheckpointDir dir(tmp.path() / "missing", "bin");
  std::optional<Checkpoint> latest;
  ASSERT_TRUE(dir.FindLatestValid(&latest, nullptr).ok());
  EXPECT_FALSE(latest.has_value());
  EXPECT_TRUE(dir.ListRounds().empty());
}

TEST(CheckpointDirTest, PartialAndCorruptCheckpointsAreSkipped) {
  TempDir tmp;
  CheckpointDir dir(tmp.path(), "bin");
  ASSERT_TRUE(dir.Write(1, "good", nlohmann::json::object(), 1.0).ok());
  ASSERT_TRUE(dir.Write(2, "flipped", nlohmann::json::object(), 1.0).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.ModelPath(2), "flippeD").ok());
  ASSERT_TRUE(dir.Write(3, "truncated", nlohmann::json::object(), 1.0).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.ModelPath(3), "trunc").ok());
  ASSERT_TRUE(dir.Write(4, "state torn", nlohmann::json::object(), 1.0).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.StatePath(4), "{\"round\": 4, \"mod").ok());
  ASSERT_TRUE(dir.Write(5, "model missing", nlohmann::json::object(), 1.0).ok());
  fs::remove(dir.ModelPath(5));
  // A model without a state is not a checkpoint at all (killed between the two writes).
  ASSERT_TRUE(WriteFileAtomic(dir.ModelPath(6), "orphan").ok());

  std::optional<Checkpoint> latest;
  std::vector<std::string> skipped;
  ASSERT_TRUE(dir.FindLatestValid(&latest, &skipped).ok());
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->round, 1);
  EXPECT_EQ(latest->model_bytes, "good");
  ASSERT_EQ(skipped.size(), 4u);
  EXPECT_NE(skipped[0].find("round 5"), std::string::npos) << skipped[0];
  EXPECT_NE(skipped[1].find("round 4"), std::string::npos) << skipped[1];
  EXPECT_NE(skipped[2].find("bytes"), std::string::npos) << skipped[2];
  EXPECT_NE(skipped[3].find("SHA-256"), std::string::npos) << skipped[3];
}

TEST(CheckpointDirTest, PruneKeepsLastAndBestAndRemovesLeftovers) {
  TempDir tmp;
  CheckpointDir dir(tmp.path(), "bin");
  const double scores[] = {0.9, 0.3, 0.5, 0.6, 0.7, 0.8};
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(dir.Write((i + 1) * 10, "m", nlohmann::json::object(), scores[i]).ok());
  }
  // Leftovers: a temporary of an interrupted atomic write, a checkpoint from the future of an
  // abandoned run, and an unrelated file that must survive.
  ASSERT_TRUE(WriteFileAtomic(tmp.path() / "ckpt-000070.bin.tmp-123-0", "partial").ok());
  ASSERT_TRUE(dir.Write(90, "m", nlohmann::json::object(), 0.1).ok());
  ASSERT_TRUE(WriteFileAtomic(tmp.path() / "notes.txt", "keep me").ok());

  ASSERT_TRUE(dir.Prune(/*keep_last=*/2, /*current_round=*/60).ok());
  EXPECT_EQ(dir.ListRounds(), (std::vector<int>{20, 50, 60}));
  EXPECT_EQ(Names(tmp.path()),
            (std::vector<std::string>{"ckpt-000020.bin", "ckpt-000020.json", "ckpt-000050.bin",
                                      "ckpt-000050.json", "ckpt-000060.bin", "ckpt-000060.json",
                                      "notes.txt"}));
  // keep_last below 1 still keeps the newest, so there is always something to resume from.
  ASSERT_TRUE(dir.Prune(0, 60).ok());
  EXPECT_EQ(dir.ListRounds(), (std::vector<int>{20, 60}));
  ASSERT_TRUE(dir.RemoveAll().ok());
  EXPECT_EQ(Names(tmp.path()), (std::vector<std::string>{"notes.txt"}));
}

TEST(CheckpointDirTest, BestIsKeptWhenItIsAlsoRecent) {
  TempDir tmp;
  CheckpointDir dir(tmp.path(), "bin");
  for (int round = 1; round <= 5; ++round) {
    ASSERT_TRUE(dir.Write(round, "m", nlohmann::json::object(), 1.0 / round).ok());
    ASSERT_TRUE(dir.Prune(2, round).ok());
  }
  EXPECT_EQ(dir.ListRounds(), (std::vector<int>{4, 5}));
}

}  // namespace
}  // namespace prodcat
