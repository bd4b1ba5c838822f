// Kills a real `prodcat train` process with SIGKILL mid-training, resumes it with --resume, and
// checks the final bundle is byte-identical to an uninterrupted run's.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "process.h"

namespace prodcat::testing {
namespace {

const std::string kBin = PRODCAT_BINARY;

size_t CountCheckpointFiles(const std::filesystem::path& dir) {
  size_t n = 0;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return 0;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().string().find(".tmp-") == std::string::npos) ++n;
  }
  return n;
}

TEST(KillResumeTest, ResumedGbdtEqualsUninterrupted) {
  TempDir dir;
  ASSERT_EQ(RunProcess({kBin, "generate", "--rows", "20000", "--seed", "3", "--out", dir / "p.csv"})
                .exit_code,
            0);
  ASSERT_EQ(
      RunProcess({kBin, "prepare", "--input", dir / "p.csv", "--out", dir / "prep"}).exit_code, 0);
  std::vector<std::string> train = {kBin,      "train",
                                    "--train", dir / "prep/train.csv",
                                    "--val",   dir / "prep/val.csv",
                                    "--model", "gbdt",
                                    "--set",   "models.gbdt.num_rounds=120",
                                    "--set",   "models.gbdt.early_stopping_rounds=1000",
                                    "--set",   "train.checkpoint_every=4",
                                    "--set",   "train.progress=false"};
  auto with_out = [&](const std::string& out, bool resume) {
    auto args = train;
    args.insert(args.end(), {"--out", dir / out});
    if (resume) args.push_back("--resume");
    return args;
  };

  // Uninterrupted reference run.
  auto ref = RunProcess(with_out("reference", false));
  ASSERT_EQ(ref.exit_code, 0) << ref.err;

  // The interrupted run: wait for a few checkpoints, then SIGKILL.
  auto ckpt_dir = std::filesystem::path(dir / "victim-checkpoints") / "gbdt";
  pid_t pid = Spawn(with_out("victim", false), dir / "victim.out", dir / "victim.err");
  bool killed_midway = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) break;  // finished before we could kill it
    if (CountCheckpointFiles(ckpt_dir) >= 4) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      killed_midway = WIFSIGNALED(status);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(killed_midway) << "training finished before a checkpoint appeared; "
                             << Slurp(dir / "victim.err");
  EXPECT_FALSE(std::filesystem::exists(dir / "victim/manifest.json"))
      << "a killed run must not leave a bundle behind";

  auto resumed = RunProcess(with_out("victim", true));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resum"), std::string::npos)
      << "resume should say where it resumed: " << resumed.err;
  auto a = nlohmann::json::parse(Slurp(dir / "reference/manifest.json"));
  auto b = nlohmann::json::parse(Slurp(dir / "victim/manifest.json"));
  EXPECT_EQ(a["files"], b["files"]);
}

}  // namespace
}  // namespace prodcat::testing
