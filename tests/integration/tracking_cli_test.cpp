// The registry and runs commands of the real `prodcat` binary: register, promote through the
// gate (and its refusal message), aliases, archive, the audit trail, and runs list/show/compare,
// on the embedded SQLite store and through a tracking server.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>
#include <thread>

#include "process.h"
#include "prodcat/tracking/run_logger.h"

namespace prodcat {
namespace {

using testing::ProcessResult;
using testing::TempDir;

class TrackingCliTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = "sqlite://" + (dir_.path() / "store" / "tracking.db").string(); }

  ProcessResult Prodcat(std::vector<std::string> args) {
    args.insert(args.begin(), PRODCAT_BINARY);
    args.push_back("--store");
    args.push_back(store_);
    return testing::Run(args, 120);
  }

  // An evaluated training run as the pipeline would log it; returns the run id.
  std::string EvaluatedRun(const std::string& model, double macro_f1,
                           const std::string& fingerprint) {
    std::unique_ptr<tracking::RunLogger> run;
    Status s = tracking::RunLogger::Start(store_, "catalog-exp", "train-" + model, &run);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(run->LogParams({{"model", model}, {"seed", "7"}}).ok());
    EXPECT_TRUE(run->LogMetric("macro_f1", macro_f1).ok());
    EXPECT_TRUE(run->SetTag("eval_data_fingerprint", fingerprint).ok());
    EXPECT_TRUE(run->End().ok());
    return run->run_id();
  }

  std::string Bundle(const std::string& name) {
    std::filesystem::path b = dir_.path() / name;
    std::filesystem::create_directories(b);
    std::ofstream(b / "manifest.json") << "{\"name\":\"" << name << "\"}";
    return b.string();
  }

  TempDir dir_;
  std::string store_;
};

TEST_F(TrackingCliTest, RegisterPromoteGateAliasArchiveAndHistory) {
  std::string run1 = EvaluatedRun("linear", 0.82, "fp-eval");
  std::string run2 = EvaluatedRun("gbdt", 0.79, "fp-eval");
  ProcessResult r = Prodcat({"registry", "register", "catalog", Bundle("b1"), "--run-id", run1});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("registered catalog version 1"), std::string::npos) << r.out;
  r = Prodcat(
      {"registry", "register", "catalog", Bundle("b2"), "--run-id", run2, "--tag", "family=gbdt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = Prodcat({"registry", "promote", "catalog", "1", "--to", "Production", "--user", "ana"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("-> Production (by ana)"), std::string::npos) << r.out;

  // Version 2 is worse on the same evaluation data: refused, saying why.
  r = Prodcat({"registry", "promote", "catalog", "2", "--to", "Production", "--user", "bob"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("worse"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("macro_f1 0.79"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("0.82"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("version 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;

  r = Prodcat(
      {"registry", "promote", "catalog", "2", "--to", "Production", "--force", "--user", "bob"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("FORCED"), std::string::npos) << r.out;

  r = Prodcat({"registry", "alias", "catalog", "champion", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Prodcat({"registry", "archive", "catalog", "2", "--user", "carol"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = Prodcat({"registry", "show", "catalog"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("@champion"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("None       -> Production by ana"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("by bob: forced past the promotion gate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Production -> Archived   by carol"), std::string::npos) << r.out;

  r = Prodcat({"registry", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("catalog"), std::string::npos);

  r = Prodcat({"registry", "promote", "catalog", "9", "--to", "Production"});
  EXPECT_EQ(r.exit_code, 2);  // not found
  EXPECT_NE(r.err.find("version=9"), std::string::npos) << r.err;
}

TEST_F(TrackingCliTest, RunsListShowCompare) {
  std::string a = EvaluatedRun("linear", 0.82, "fp");
  std::string b = EvaluatedRun("gbdt", 0.79, "fp");
  ProcessResult r = Prodcat(
      {"runs", "list", "--experiment", "catalog-exp", "--filter", "metrics.macro_f1 > 0.8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(a), std::string::npos);
  EXPECT_EQ(r.out.find(b), std::string::npos);
  r = Prodcat({"runs", "show", b});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("gbdt"), std::string::npos);
  EXPECT_NE(r.out.find("macro_f1"), std::string::npos);
  r = Prodcat({"runs", "compare", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Differing rows carry the '*' marker; equal ones do not.
  EXPECT_NE(r.out.find("*  params.model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("*  metrics.macro_f1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("   params.seed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "no ANSI codes when not a terminal";
  r = Prodcat({"runs", "list", "--experiment", "catalog-exp", "--filter", "metrics.macro_f1 >"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected a value"), std::string::npos) << r.err;
}

TEST_F(TrackingCliTest, CommandsWorkThroughATrackingServer) {
  std::string run1 = EvaluatedRun("linear", 0.82, "fp");
  pid_t pid = testing::Spawn(
      {PRODCAT_BINARY, "tracking-server", "--backend-store-uri", store_, "--port", "0"},
      dir_ / "server.out", dir_ / "server.err");
  std::regex listening("listening on 127\\.0\\.0\\.1:(\\d+)");
  std::string port;
  for (int i = 0; i < 300 && port.empty(); ++i) {
    std::smatch m;
    std::string out = testing::Slurp(dir_ / "server.out");
    if (std::regex_search(out, m, listening)) port = m[1];
    if (port.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(port.empty()) << testing::Slurp(dir_ / "server.err");
  std::string http = "http://127.0.0.1:" + port;
  ProcessResult r = testing::Run({PRODCAT_BINARY, "registry", "register", "remote", Bundle("rb"),
                                  "--run-id", run1, "--tracking-uri", http});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = testing::Run({PRODCAT_BINARY, "registry", "promote", "remote", "1", "--to", "Staging",
                    "--user", "dana", "--tracking-uri", http});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = testing::Run({PRODCAT_BINARY, "registry", "show", "remote", "--tracking-uri", http});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("by dana"), std::string::npos) << r.out;
  r = testing::Run({PRODCAT_BINARY, "runs", "show", run1, "--tracking-uri", http});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("macro_f1"), std::string::npos);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace prodcat
