// Fallback and shadow models in the real server: an injected primary failure, a primary over
// its time budget, a primary that cannot load, and no fallback model at all (the class prior) —
// each answered with the right `fallback_reason` and counted in /metrics; a shadow model scores
// copies of live requests and reports its agreement with the primary.
#include <gtest/gtest.h>

#include <fstream>

#include "serve_fixture.h"

namespace prodcat::testing {
namespace {

using nlohmann::json;

const std::string kProduct = R"({"title":"stainless steel chef knife 8 inch","price":39.9})";

class ServeFallbackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    TrainBundle(*dir_ / "primary", 1);
    TrainBundle(*dir_ / "backup", 2, 1000);
    std::ofstream(*dir_ / "token") << "drill-token\n";
  }
  static void TearDownTestSuite() { delete dir_; }

  static HttpResult Admin(uint16_t port, const std::string& body) {
    HttpClient c(port);
    return c.Request("POST", "/admin/fault", body, {{"Authorization", "Bearer drill-token"}});
  }
  static json Predict(uint16_t port, const std::string& body = kProduct) {
    HttpClient c(port);
    HttpResult r = c.Request("POST", "/predict", body);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }

  static TempDir* dir_;
};
TempDir* ServeFallbackTest::dir_ = nullptr;

TEST_F(ServeFallbackTest, InjectedPrimaryFailureIsAnsweredByTheFallback) {
  ServeProcess server(*dir_, *dir_ / "primary",
                      {"--fallback", (*dir_ / "backup"), "--admin-token-file", (*dir_ / "token"),
                       "--allow-fault-injection"});
  ASSERT_GT(server.port(), 0) << server.err();
  json normal = Predict(server.port());
  EXPECT_FALSE(normal["fallback"].get<bool>());
  EXPECT_FALSE(normal.contains("fallback_reason"));
  EXPECT_EQ(normal["model"]["name"], "primary");

  // Admin endpoints need the token.
  HttpClient anonymous(server.port());
  EXPECT_EQ(anonymous.Request("POST", "/admin/fault", R"({"primary":"error"})").status, 401);
  EXPECT_EQ(Admin(server.port(), R"({"primary":"explode"})").status, 422);
  ASSERT_EQ(Admin(server.port(), R"({"primary":"error"})").status, 200);

  json failed = Predict(server.port());
  EXPECT_TRUE(failed["fallback"].get<bool>());
  EXPECT_EQ(failed["fallback_reason"], "primary_error");
  EXPECT_EQ(failed["model"]["name"], "backup");
  EXPECT_FALSE(failed["category"].get<std::string>().empty());

  // Batches fall back item by item, and say so per item.
  HttpClient c(server.port());
  HttpResult batch = c.Request("POST", "/predict/batch", "[" + kProduct + "," + kProduct + "]");
  ASSERT_EQ(batch.status, 200) << batch.body;
  for (const json& item : json::parse(batch.body)["results"]) {
    EXPECT_TRUE(item["fallback"].get<bool>());
    EXPECT_EQ(item["fallback_reason"], "primary_error");
    EXPECT_EQ(item["model"]["name"], "backup");
  }
  std::string metrics = c.Request("GET", "/metrics").body;
  EXPECT_EQ(MetricValue(metrics, R"(prodcat_fallbacks_total{reason="primary_error"})"), 3);
  EXPECT_EQ(MetricValue(metrics, R"(prodcat_fallbacks_total{reason="primary_timeout"})"), 0);

  ASSERT_EQ(Admin(server.port(), R"({"primary":"none"})").status, 200);
  EXPECT_FALSE(Predict(server.port())["fallback"].get<bool>());
}

TEST_F(ServeFallbackTest, PrimaryOverItsTimeBudgetIsAnsweredByTheFallback) {
  ServeProcess server(*dir_, *dir_ / "primary",
                      {"--fallback", (*dir_ / "backup"), "--admin-token-file", (*dir_ / "token"),
                       "--allow-fault-injection", "--primary-budget-ms", "25"});
  ASSERT_GT(server.port(), 0) << server.err();
  EXPECT_FALSE(Predict(server.port())["fallback"].get<bool>());  // well within 25 ms
  ASSERT_EQ(Admin(server.port(), R"({"primary":"delay","delay_ms":400})").status, 200);
  auto start = std::chrono::steady_clock::now();
  json slow = Predict(server.port());
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(slow["fallback"].get<bool>());
  EXPECT_EQ(slow["fallback_reason"], "primary_timeout");
  EXPECT_EQ(slow["model"]["name"], "backup");
  EXPECT_LT(ms, 300) << "the request waited for the stalled primary";
}

TEST_F(ServeFallbackTest, WithoutAFallbackModelTheClassPriorAnswersWithLowConfidence) {
  ServeProcess server(
      *dir_, *dir_ / "primary",
      {"--fallback", "none", "--admin-token-file", (*dir_ / "token"), "--allow-fault-injection"});
  ASSERT_GT(server.port(), 0) << server.err();
  ASSERT_EQ(Admin(server.port(), R"({"primary":"error"})").status, 200);
  json prior = Predict(server.port(), R"({"title":"anything at all"})");
  EXPECT_TRUE(prior["fallback"].get<bool>());
  EXPECT_EQ(prior["fallback_reason"], "primary_error");
  EXPECT_EQ(prior["model"]["name"], "class_prior");
  // The prior of the generated data: the most frequent class, with its training share.
  json profile = json::parse(Slurp(*dir_ / "primary/reference_profile.json"));
  double top_share = 0;
  std::string top_class;
  for (const json& c : profile["label_distribution"]) {
    if (c["share"].get<double>() > top_share) {
      top_share = c["share"].get<double>();
      top_class = c["class"];
    }
  }
  EXPECT_EQ(prior["category"], top_class);
  EXPECT_NEAR(prior["confidence"].get<double>(), top_share, 1e-6);
  EXPECT_LT(prior["confidence"].get<double>(), 0.5);
  EXPECT_EQ(prior["probabilities"].size(), 3u);
}

TEST_F(ServeFallbackTest, APrimaryThatCannotLoadLeavesTheFallbackServing) {
  TempDir work;
  std::filesystem::copy(*dir_ / "primary", work / "broken",
                        std::filesystem::copy_options::recursive);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(work / "broken/model")) {
    if (entry.is_regular_file()) std::ofstream(entry.path(), std::ios::app) << "tampered";
  }
  {
    ServeProcess alone(work, work / "broken", {"--fallback", "none"});
    EXPECT_EQ(alone.port(), 0) << "a corrupt primary without a fallback must not serve";
    EXPECT_NE(alone.startup_exit_code(), 0);
  }
  ServeProcess server(work, work / "broken", {"--fallback", (*dir_ / "backup")});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpClient c(server.port());
  HttpResult ready = c.Request("GET", "/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(json::parse(ready.body)["status"], "degraded");
  json answer = Predict(server.port());
  EXPECT_TRUE(answer["fallback"].get<bool>());
  EXPECT_EQ(answer["fallback_reason"], "primary_unavailable");
  EXPECT_EQ(answer["model"]["name"], "backup");
}

TEST_F(ServeFallbackTest, RunRegistersAFallbackThatTheServerFindsByAlias) {
  TempDir work;
  const std::string store = "sqlite:///" + (work / "tracking.db");
  auto run = RunProcess({kServeBin, "run", "--out", work / "run", "--tracking-uri", store, "--set",
                         "generate.rows=2000", "--set", "train.model=linear", "--set",
                         "train.progress=false"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json summary = json::parse(Slurp(work / "run/summary.json"));
  EXPECT_EQ(summary["fallback_model"]["registered"], "models:/prodcat@fallback");
  // The primary is the latest version; the fallback (registered first) has the alias.
  ServeProcess server(
      work, "models:/prodcat/latest",
      {"--tracking-uri", store, "--admin-token-file", *dir_ / "token", "--allow-fault-injection"});
  ASSERT_GT(server.port(), 0) << server.err();
  json normal = Predict(server.port());
  EXPECT_FALSE(normal["fallback"].get<bool>());
  EXPECT_EQ(normal["model"]["version"], std::to_string(summary["tracking"]["version"].get<int>()));
  ASSERT_EQ(Admin(server.port(), R"({"primary":"error"})").status, 200);
  json failed = Predict(server.port());
  EXPECT_TRUE(failed["fallback"].get<bool>());
  EXPECT_EQ(failed["model"]["version"],
            std::to_string(summary["fallback_model"]["version"].get<int>()));
}

TEST_F(ServeFallbackTest, FaultInjectionIsOffUnlessAllowed) {
  ServeProcess server(*dir_, *dir_ / "primary", {"--admin-token-file", (*dir_ / "token")});
  ASSERT_GT(server.port(), 0) << server.err();
  EXPECT_EQ(Admin(server.port(), R"({"primary":"error"})").status, 403);
  EXPECT_FALSE(Predict(server.port())["fallback"].get<bool>());
}

TEST_F(ServeFallbackTest, ShadowModelScoresCopiesOffTheResponsePath) {
  ServeProcess server(*dir_, *dir_ / "primary", {"--shadow", (*dir_ / "backup")});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpClient c(server.port());
  const int n = 40;
  for (int i = 0; i < n; ++i) {
    json r = Predict(server.port(), R"({"title":"wireless mouse )" + std::to_string(i) + R"("})");
    EXPECT_EQ(r["model"]["name"], "primary");  // the shadow never answers
  }
  json shadow;
  ASSERT_TRUE(WaitFor([&] {
    shadow = json::parse(c.Request("GET", "/shadow").body);
    return shadow["scored"].get<int>() + shadow["dropped"].get<int>() == n;
  })) << shadow.dump();
  EXPECT_EQ(shadow["model"]["name"], "backup");
  EXPECT_EQ(shadow["submitted"], n);
  EXPECT_GT(shadow["scored"].get<int>(), 0);
  double agreement = shadow["agreement_rate"].get<double>();
  EXPECT_GE(agreement, 0.0);
  EXPECT_LE(agreement, 1.0);
  EXPECT_GT(shadow["shadow_mean_ms"].get<double>(), 0.0);
  std::string metrics = c.Request("GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(prodcat_model_predict_seconds_count{role="shadow"})"),
            std::string::npos);
}

}  // namespace
}  // namespace prodcat::testing
