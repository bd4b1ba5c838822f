// Checkpoints and exact resume of the gbdt family.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "gbdt_test_data.h"
#include "prodcat/common/file_util.h"
#include "prodcat/models/checkpoint.h"
#include "prodcat/models/classifier.h"

namespace prodcat {
namespace {

using gbdt_test::MakeContext;
using gbdt_test::MakeTabular;
using gbdt_test::ScopedEnv;
using gbdt_test::TempDir;
namespace fs = std::filesystem;

constexpr char kAbortHook[] = "PRODCAT_TEST_ABORT_AFTER_ROUND";

struct Fixture {
  int k = 4;
  TrainSet train = MakeTabular(1500, 4, 51, 0.2);
  TrainSet val = MakeTabular(400, 4, 52, 0.2);
};

// Trains and returns the saved model bytes ("" on failure, with the status in *status).
std::string TrainAndSave(const nlohmann::json& params, const TrainContext& ctx, const Fixture& f,
                         Status* status, nlohmann::json* summary = nullptr) {
  std::unique_ptr<Classifier> model;
  *status = CreateClassifier("gbdt", params, f.k, &model);
  if (!status->ok()) return "";
  *status = model->Train(ctx, f.train, f.val);
  if (!status->ok()) return "";
  if (summary != nullptr) *summary = model->TrainingSummary();
  TempDir dir;
  std::vector<std::string> files;
  *status = model->Save(dir.path(), &files);
  std::string bytes;
  if (status->ok()) *status = ReadFile(dir.path() / "gbdt.ubj", &bytes);
  return bytes;
}

std::set<int> CheckpointRounds(const fs::path& dir) {
  std::set<int> rounds;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("ckpt-") && name.ends_with(".json")) {
      rounds.insert(std::stoi(name.substr(5, 6)));
      EXPECT_TRUE(fs::exists(entry.path().parent_path() / (name.substr(0, 11) + ".ubj"))) << name;
    }
  }
  return rounds;
}

// Interrupts a checkpointed run after `abort_after` rounds, resumes it, and expects the final
// model to equal the uninterrupted one byte for byte.
void ExpectResumeIsExact(const nlohmann::json& params, int threads, int checkpoint_every,
                         int abort_after) {
  Fixture f;
  TrainContext ctx = MakeContext(f.k);
  ctx.threads = threads;
  Status s;
  nlohmann::json uninterrupted_summary;
  const std::string uninterrupted = TrainAndSave(params, ctx, f, &s, &uninterrupted_summary);
  ASSERT_TRUE(s.ok()) << s.ToString();

  TempDir checkpoints;
  ctx.checkpoint_dir = checkpoints.path();
  ctx.checkpoint_every = checkpoint_every;
  {
    ScopedEnv abort(kAbortHook, std::to_string(abort_after));
    TrainAndSave(params, ctx, f, &s);
    ASSERT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
    ASSERT_NE(s.message().find(kAbortHook), std::string::npos);
  }
  std::set<int> rounds = CheckpointRounds(checkpoints.path());
  ASSERT_FALSE(rounds.empty());
  EXPECT_EQ(*rounds.rbegin(), abort_after / checkpoint_every * checkpoint_every);

  ctx.resume = true;
  nlohmann::json resumed_summary;
  const std::string resumed = TrainAndSave(params, ctx, f, &s, &resumed_summary);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(resumed_summary["resumed_from_round"], *rounds.rbegin());
  EXPECT_EQ(resumed_summary["best_iteration"], uninterrupted_summary["best_iteration"]);
  EXPECT_EQ(resumed_summary["rounds_trained"], uninterrupted_summary["rounds_trained"]);
  EXPECT_EQ(resumed_summary["history"], uninterrupted_summary["history"]);
  EXPECT_TRUE(resumed == uninterrupted) << "resumed model differs from the uninterrupted one";
}

TEST(GbdtResumeTest, ResumedModelEqualsUninterruptedOne) {
  ExpectResumeIsExact({{"num_rounds", 30}, {"early_stopping_rounds", 0}}, 1, 4, 10);
}

TEST(GbdtResumeTest, ExactWithRowAndColumnSamplingAndTwoThreads) {
  ExpectResumeIsExact({{"num_rounds", 9},
                       {"subsample", 0.7},
                       {"colsample_bytree", 0.6},
                       {"early_stopping_rounds", 0}},
                      2, 2, 5);
}

TEST(GbdtResumeTest, ExactWhenEarlyStoppingIsUnderWay) {
  // A high learning rate on noisy labels overfits fast, so the patience counter is running
  // when the run is interrupted.
  ExpectResumeIsExact({{"num_rounds", 200}, {"learning_rate", 0.6}, {"early_stopping_rounds", 8}},
                      1, 2, 7);
}

TEST(GbdtResumeTest, ResumeWithoutCheckpointsStartsFromScratch) {
  Fixture f;
  TrainContext ctx = MakeContext(f.k);
  nlohmann::json params = {{"num_rounds", 8}};
  Status s;
  const std::string plain = TrainAndSave(params, ctx, f, &s);
  ASSERT_TRUE(s.ok());
  TempDir empty;
  ctx.checkpoint_dir = empty.path() / "not-yet-created";
  ctx.resume = true;
  nlohmann::json summary;
  EXPECT_EQ(TrainAndSave(params, ctx, f, &s, &summary), plain);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(summary["resumed_from_round"], 0);
}

TEST(GbdtResumeTest, RefusesCheckpointOfOtherDataOrSettings) {
  Fixture f;
  TrainContext ctx = MakeContext(f.k);
  TempDir checkpoints;
  ctx.checkpoint_dir = checkpoints.path();
  ctx.checkpoint_every = 2;
  nlohmann::json params = {{"num_rounds", 20}, {"early_stopping_rounds", 0}};
  Status s;
  {
    ScopedEnv abort(kAbortHook, "6");
    TrainAndSave(params, ctx, f, &s);
  }
  ctx.resume = true;
  TrainContext other_data = ctx;
  other_data.data_fingerprint = "fingerprint-b";
  TrainAndSave(params, other_data, f, &s);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("different data"), std::string::npos) << s.message();

  nlohmann::json other_params = params;
  other_params["learning_rate"] = 0.2;
  TrainAndSave(other_params, ctx, f, &s);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("learning_rate"), std::string::npos) << s.message();

  TrainContext other_seed = ctx;
  other_seed.seed = 99;
  TrainAndSave(params, other_seed, f, &s);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("seed"), std::string::npos) << s.message();

  // The refused attempts left the checkpoints alone: the right run still resumes.
  TrainAndSave(params, ctx, f, &s);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(GbdtResumeTest, CorruptNewestCheckpointIsSkippedForThePreviousOne) {
  Fixture f;
  TrainContext ctx = MakeContext(f.k);
  nlohmann::json params = {{"num_rounds", 20}, {"early_stopping_rounds", 0}};
  Status s;
  const std::string uninterrupted = TrainAndSave(params, ctx, f, &s);
  ASSERT_TRUE(s.ok());

  TempDir checkpoints;
  ctx.checkpoint_dir = checkpoints.path();
  ctx.checkpoint_every = 3;
  ctx.keep_last = 3;
  {
    ScopedEnv abort(kAbortHook, "12");
    TrainAndSave(params, ctx, f, &s);
  }
  ASSERT_EQ(CheckpointRounds(checkpoints.path()), (std::set<int>{6, 9, 12}));
  // Round 12: model file damaged. A round-15 state without its model mimics a kill between
  // the two writes of a checkpoint.
  fs::path newest = checkpoints.path() / "ckpt-000012.ubj";
  std::string bytes;
  ASSERT_TRUE(ReadFile(newest, &bytes).ok());
  bytes[bytes.size() / 3] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomic(newest, bytes).ok());
  std::string state;
  ASSERT_TRUE(ReadFile(checkpoints.path() / "ckpt-000012.json", &state).ok());
  ASSERT_TRUE(WriteFileAtomic(checkpoints.path() / "ckpt-000015.json", state).ok());

  ctx.resume = true;
  nlohmann::json summary;
  const std::string resumed = TrainAndSave(params, ctx, f, &s, &summary);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(summary["resumed_from_round"], 9);
  EXPECT_TRUE(resumed == uninterrupted);
  // The damaged and partial checkpoints were replaced by sound ones of the resumed run.
  std::optional<Checkpoint> latest;
  std::vector<std::string> skipped;
  ASSERT_TRUE(CheckpointDir(checkpoints.path(), "ubj").FindLatestValid(&latest, &skipped).ok());
  EXPECT_TRUE(skipped.empty()) << skipped.front();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->round, 18);
  EXPECT_EQ(latest->state["loop"]["rounds_done"], 18);
}

TEST(GbdtResumeTest, CheckpointsArePrunedToKeepLastPlusBest) {
  Fixture f;
  // Noisy labels and a high learning rate: validation loss bottoms out early and then rises,
  // so the best checkpoint is an old one. Early stopping is off to keep training.
  f.train = MakeTabular(800, f.k, 61, 0.4);
  f.val = MakeTabular(400, f.k, 62, 0.4);
  TrainContext ctx = MakeContext(f.k);
  TempDir checkpoints;
  ctx.checkpoint_dir = checkpoints.path();
  ctx.checkpoint_every = 2;
  ctx.keep_last = 2;
  Status s;
  nlohmann::json summary;
  TrainAndSave({{"num_rounds", 30}, {"learning_rate", 0.8}, {"early_stopping_rounds", 0}}, ctx, f,
               &s, &summary);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // The best checkpoint: the checkpointed round with the lowest validation loss.
  const nlohmann::json& history = summary["history"];
  int best_round = 2;
  for (int round = 2; round <= 30; round += 2) {
    if (history[round - 1]["val_mlogloss"].get<double>() <
        history[best_round - 1]["val_mlogloss"].get<double>()) {
      best_round = round;
    }
  }
  ASSERT_LT(best_round, 28) << "the data should make an early checkpoint the best";
  EXPECT_EQ(CheckpointRounds(checkpoints.path()), (std::set<int>{best_round, 28, 30}));
  // Only checkpoint files remain: no temporaries.
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(checkpoints.path())) ++files;
  EXPECT_EQ(files, 6u);
}

TEST(GbdtResumeTest, FreshRunReplacesOldCheckpoints) {
  Fixture f;
  TrainContext ctx = MakeContext(f.k);
  TempDir checkpoints;
  ctx.checkpoint_dir = checkpoints.path();
  ctx.checkpoint_every = 5;
  Status s;
  TrainAndSave({{"num_rounds", 20}, {"early_stopping_rounds", 0}}, ctx, f, &s);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(*CheckpointRounds(checkpoints.path()).rbegin(), 20);
  TrainAndSave({{"num_rounds", 7}, {"early_stopping_rounds", 0}}, ctx, f, &s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(CheckpointRounds(checkpoints.path()), (std::set<int>{5}));
}

// The child half of HardKillThenResume: trains into the directory named by the environment until
// the parent kills it. Skipped when run on its own.
TEST(GbdtResumeTest, KillChild) {
  const char* dir = std::getenv("PRODCAT_TEST_KILL_CHILD_DIR");
  if (dir == nullptr) GTEST_SKIP() << "only run as the child of HardKillThenResume";
  Fixture f;
  TrainContext ctx = MakeContext(f.k);
  ctx.checkpoint_dir = dir;
  ctx.checkpoint_every = 1;
  Status s;
  TrainAndSave({{"num_rounds", 40}, {"early_stopping_rounds", 0}}, ctx, f, &s);
}

TEST(GbdtResumeTest, HardKillThenResume) {
  Fixture f;
  TrainContext ctx = MakeContext(f.k);
  const nlohmann::json params = {{"num_rounds", 40}, {"early_stopping_rounds", 0}};
  Status s;
  const std::string uninterrupted = TrainAndSave(params, ctx, f, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();

  TempDir checkpoints;
  pid_t child = 0;
  {
    ScopedEnv dir("PRODCAT_TEST_KILL_CHILD_DIR", checkpoints.path().string());
    ScopedEnv slow("PRODCAT_TEST_ROUND_DELAY_MS", "40");
    std::string self = fs::read_symlink("/proc/self/exe").string();
    std::string filter = "--gtest_filter=GbdtResumeTest.KillChild";
    char* argv[] = {self.data(), filter.data(), nullptr};
    ASSERT_EQ(posix_spawn(&child, self.c_str(), nullptr, nullptr, argv, environ), 0);
  }
  // Kill -9 once a few checkpoints exist: mid-round or mid-write, wherever it lands.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline &&
         CheckpointDir(checkpoints.path(), "ubj").ListRounds().size() < 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(97));
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the child finished before it was killed";

  ctx.checkpoint_dir = checkpoints.path();
  ctx.checkpoint_every = 1;
  ctx.resume = true;
  nlohmann::json summary;
  const std::string resumed = TrainAndSave(params, ctx, f, &s, &summary);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GT(summary["resumed_from_round"].get<int>(), 0);
  EXPECT_LT(summary["resumed_from_round"].get<int>(), 40);
  EXPECT_TRUE(resumed == uninterrupted) << "resumed after kill -9 differs from uninterrupted";
}

}  // namespace
}  // namespace prodcat
