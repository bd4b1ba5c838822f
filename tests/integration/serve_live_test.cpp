// Drift, out-of-support fallback and A/B experiments in the real server: GET /drift and its
// gauges, the out_of_support and drift_alert fallback rules, and an experiment from creation
// through sticky assignment, feedback, summary, stop and a restart that keeps everything.
#include <gtest/gtest.h>

#include <fstream>

#include "serve_fixture.h"

namespace prodcat::testing {
namespace {

using nlohmann::json;

class ServeLiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    TrainBundle(*dir_ / "primary", 1);
    TrainBundle(*dir_ / "candidate", 2, 1000);
    std::ofstream(*dir_ / "token") << "ops-token\n";
  }
  static void TearDownTestSuite() { delete dir_; }

  static json Post(uint16_t port, const std::string& target, const std::string& body,
                   int expect_status, const std::map<std::string, std::string>& headers = {}) {
    HttpClient c(port);
    HttpResult r = c.Request("POST", target, body, headers);
    EXPECT_EQ(r.status, expect_status) << target << " " << body << " -> " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  static json Get(uint16_t port, const std::string& target, int expect_status = 200) {
    HttpClient c(port);
    HttpResult r = c.Request("GET", target);
    EXPECT_EQ(r.status, expect_status) << target << " -> " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  static std::map<std::string, std::string> Auth() {
    return {{"Authorization", "Bearer ops-token"}};
  }

  static TempDir* dir_;
};
TempDir* ServeLiveTest::dir_ = nullptr;

TEST_F(ServeLiveTest, OutOfSupportProductsGoToTheFallback) {
  ServeProcess server(*dir_, *dir_ / "primary", {"--fallback", *dir_ / "candidate"});
  ASSERT_GT(server.port(), 0) << server.err();
  json normal = Post(server.port(), "/predict", R"({"title":"garden hose 20m","price":25})", 200);
  EXPECT_FALSE(normal["fallback"].get<bool>());
  // Generated prices stay under a few thousand; ten times the training maximum is out of range.
  json odd = Post(server.port(), "/predict", R"({"title":"garden hose 20m","price":9000000})", 200);
  EXPECT_TRUE(odd["fallback"].get<bool>());
  EXPECT_EQ(odd["fallback_reason"], "out_of_support");
  EXPECT_EQ(odd["fallback_detail"], "price_out_of_range");
  EXPECT_EQ(odd["model"]["name"], "candidate");
  json unknown_words = Post(server.port(), "/predict", R"({"title":"qzxv wplk frrtg zzkq"})", 200);
  EXPECT_EQ(unknown_words["fallback_reason"], "out_of_support");

  ServeProcess lenient(*dir_, *dir_ / "primary",
                       {"--fallback", *dir_ / "candidate", "--no-support-fallback"});
  ASSERT_GT(lenient.port(), 0) << lenient.err();
  json scored = Post(lenient.port(), "/predict", R"({"title":"garden hose","price":9000000})", 200);
  EXPECT_FALSE(scored["fallback"].get<bool>());
}

TEST_F(ServeLiveTest, DriftIsReportedAndCanRouteToTheFallback) {
  ServeProcess server(
      *dir_, *dir_ / "primary",
      {"--fallback", *dir_ / "candidate", "--fallback-on-drift", "--drift-set", "count_window=300",
       "--drift-set", "min_observations=100", "--drift-set", "level_refresh_ms=0"});
  ASSERT_GT(server.port(), 0) << server.err();
  json empty = Get(server.port(), "/drift");
  EXPECT_EQ(empty["status"], "insufficient_data");
  EXPECT_EQ(empty["model"]["name"], "primary");
  // A shifted stream: one product over and over, priced far above the training median.
  json last;
  for (int i = 0; i < 300; ++i) {
    last = Post(server.port(), "/predict",
                R"({"title":"titanium drone controller","brand":"Nobrand","price":4000})", 200);
  }
  json report = Get(server.port(), "/drift");
  EXPECT_EQ(report["status"], "alert") << report.dump().substr(0, 2000);
  EXPECT_TRUE(report["dataset_drift"].get<bool>());
  EXPECT_EQ(report["windows"]["count"]["observations"], 300) << report["windows"]["count"].dump();
  json after = Post(server.port(), "/predict", R"({"title":"garden hose","price":25})", 200);
  EXPECT_TRUE(after["fallback"].get<bool>());
  EXPECT_EQ(after["fallback_reason"], "drift_alert");
  HttpClient c(server.port());
  std::string metrics = c.Request("GET", "/metrics").body;
  EXPECT_NE(metrics.find("prodcat_drift{window=\"count\",feature=\"price\",metric=\"psi\"}"),
            std::string::npos);
  EXPECT_GT(MetricValue(metrics, R"(prodcat_fallbacks_total{reason="drift_alert"})"), 0);

  ServeProcess off(*dir_, *dir_ / "primary", {"--no-drift"});
  ASSERT_GT(off.port(), 0) << off.err();
  Get(off.port(), "/drift", 404);
}

TEST_F(ServeLiveTest, ExperimentFromCreationToVerdictSurvivesARestart) {
  TempDir work;
  const std::string primary = *dir_ / "primary";
  const std::string candidate = *dir_ / "candidate";
  const std::string db = work / "experiments.db";
  const std::string spec = R"({"id":"title-v2","arms":[{"name":"control","model":")" + primary +
                           R"(","weight":50},{"name":"candidate","model":")" + candidate +
                           R"(","weight":50}]})";
  std::map<std::string, std::string> arm_of_user;
  std::vector<std::string> request_ids;
  json summary_before;
  {
    ServeProcess server(work, *dir_ / "primary",
                        {"--experiments-db", db, "--admin-token-file", *dir_ / "token"});
    ASSERT_GT(server.port(), 0) << server.err();
    const uint16_t port = server.port();
    Post(port, "/experiments", spec, 401);
    Post(port, "/experiments", R"({"id":"bad","arms":[{"name":"only","model":"x","weight":1}]})",
         422, Auth());
    Post(port, "/experiments",
         R"({"id":"ghost","arms":[{"name":"a","model":")" + primary +
             R"(","weight":1},{"name":"b","model":"/no/such/bundle","weight":1}]})",
         422, Auth());
    json created = Post(port, "/experiments", spec, 201, Auth());
    EXPECT_EQ(created["id"], "title-v2");
    EXPECT_EQ(Get(port, "/experiments")["active"], "title-v2");

    for (int u = 0; u < 60; ++u) {
      std::string user = "user-" + std::to_string(u);
      json r = Post(port, "/predict",
                    R"({"title":"wireless earbuds","user_id":")" + user + R"(","product_id":"p)" +
                        std::to_string(u) + R"("})",
                    200);
      ASSERT_TRUE(r.contains("experiment")) << r.dump();
      EXPECT_EQ(r["experiment"]["id"], "title-v2");
      std::string arm = r["experiment"]["arm"];
      EXPECT_EQ(r["model"]["name"], arm == "control" ? "primary" : "candidate");
      arm_of_user[user] = arm;
      request_ids.push_back(r["request_id"]);
    }
    // Sticky: the same user gets the same arm, whether the key comes in the body or a header.
    for (int u = 0; u < 60; u += 7) {
      std::string user = "user-" + std::to_string(u);
      HttpClient c(port);
      HttpResult r =
          c.Request("POST", "/predict", R"({"title":"yoga mat"})", {{"X-User-Id", user}});
      EXPECT_EQ(json::parse(r.body)["experiment"]["arm"], arm_of_user[user]);
    }
    std::set<std::string> arms_seen;
    for (const auto& [user, arm] : arm_of_user) arms_seen.insert(arm);
    EXPECT_EQ(arms_seen.size(), 2u) << "60 users all landed in one arm";

    json fb =
        Post(port, "/feedback",
             R"({"request_id":")" + request_ids[0] + R"(","true_category":"Electronics"})", 200);
    EXPECT_EQ(fb["arm"], arm_of_user["user-0"]);
    Post(port, "/feedback",
         R"({"request_id":")" + request_ids[0] + R"(","true_category":"Electronics"})", 409);
    Post(port, "/feedback", R"({"request_id":"nope","true_category":"Electronics"})", 404);
    Post(port, "/feedback", R"({"product_id":"p1","true_category":"Books"})", 200);
    Post(port, "/feedback", R"({"request_id":")" + request_ids[2] + R"("})", 422);

    summary_before = Get(port, "/experiments/title-v2");
    int64_t requests = 0, feedback = 0;
    for (const json& arm : summary_before["arms"]) {
      requests += arm["requests"].get<int64_t>();
      feedback += arm["feedback"].get<int64_t>();
    }
    EXPECT_EQ(requests, 60 + 9);
    EXPECT_EQ(feedback, 2);
    EXPECT_TRUE(summary_before.contains("srm"));
    EXPECT_EQ(summary_before["verdict"], "keep_running");
    Get(port, "/experiments/unknown", 404);
    EXPECT_EQ(server.Stop(), 0);  // graceful: every buffered row is committed
  }
  ServeProcess restarted(work, *dir_ / "primary",
                         {"--experiments-db", db, "--admin-token-file", *dir_ / "token"});
  ASSERT_GT(restarted.port(), 0) << restarted.err();
  json summary_after = Get(restarted.port(), "/experiments/title-v2");
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(summary_after["arms"][i]["requests"], summary_before["arms"][i]["requests"]);
    EXPECT_EQ(summary_after["arms"][i]["feedback"], summary_before["arms"][i]["feedback"]);
  }
  // Assignment is unchanged after the restart, and feedback still matches old requests.
  json again =
      Post(restarted.port(), "/predict", R"({"title":"wireless earbuds","user_id":"user-3"})", 200);
  EXPECT_EQ(again["experiment"]["arm"], arm_of_user["user-3"]);
  Post(restarted.port(), "/feedback",
       R"({"request_id":")" + request_ids[5] + R"(","true_category":"Electronics"})", 200);
  json stopped = Post(restarted.port(), "/experiments/title-v2/stop", "", 200, Auth());
  json outside = Post(restarted.port(), "/predict", R"({"title":"x y z","user_id":"user-3"})", 200);
  EXPECT_FALSE(outside.contains("experiment"));
}

TEST_F(ServeLiveTest, ExperimentsDeclaredInTheConfigStartWithTheServer) {
  TempDir work;
  std::ofstream(work / "serve.yaml") << "serve:\n  experiments:\n    - id: declared\n      arms:\n"
                                     << "        - {name: control, model: \""
                                     << std::string(*dir_ / "primary") << "\", weight: 90}\n"
                                     << "        - {name: candidate, model: \""
                                     << std::string(*dir_ / "candidate") << "\", weight: 10}\n";
  ServeProcess server(work, *dir_ / "primary",
                      {"--config", work / "serve.yaml", "--experiments-db", work / "e.db"});
  ASSERT_GT(server.port(), 0) << server.err();
  json list = Get(server.port(), "/experiments");
  EXPECT_EQ(list["active"], "declared");
  json r = Post(server.port(), "/predict", R"({"title":"dog leash","session_id":"s-1"})", 200);
  EXPECT_EQ(r["experiment"]["id"], "declared");
}

}  // namespace
}  // namespace prodcat::testing
