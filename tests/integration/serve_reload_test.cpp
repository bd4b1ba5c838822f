// Models go live without downtime: `prodcat serve` follows its bundle directory or registry
// alias (poll, SIGHUP, POST /admin/reload), swaps a new bundle in under load with zero failed
// requests, and rejects a corrupt bundle while the current model keeps serving.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "serve_fixture.h"

namespace prodcat::testing {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

std::string ServedVersion(uint16_t port) {
  HttpClient c(port);
  auto r = c.Request("GET", "/");
  if (r.status != 200) return "";
  return Json::parse(r.body)["model"]["version"];
}

double Metric(uint16_t port, const std::string& series) {
  HttpClient c(port);
  return MetricValue(c.Request("GET", "/metrics").body, series);
}

void CorruptModelFile(const fs::path& bundle) {
  for (const auto& entry : fs::recursive_directory_iterator(bundle / "model")) {
    if (entry.is_regular_file()) {
      std::ofstream(entry.path(), std::ios::app) << "tampered";
      return;
    }
  }
  FAIL() << "no model file";
}

class ServeReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TrainBundle(dir_.path() / "model", 11);
    TrainBundle(dir_.path() / "next", 12);
    if (HasFatalFailure()) return;
    v1_ = ManifestVersion(dir_.path() / "model");
    v2_ = ManifestVersion(dir_.path() / "next");
    ASSERT_NE(v1_, v2_);
    std::ofstream(dir_ / "token") << "reload-token\n";
  }
  TempDir dir_;
  std::string v1_, v2_;
};

TEST_F(ServeReloadTest, AdminReloadUnderConcurrentLoadDropsNothing) {
  ServeProcess server(dir_, dir_.path() / "model",
                      {"--admin-token-file", dir_ / "token", "--poll-seconds", "0"});
  ASSERT_NE(server.port(), 0) << server.err();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::mutex mutex;
  std::set<std::string> versions;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      HttpClient c(server.port());
      std::set<std::string> seen;
      for (int i = 0; i < 200000 && !stop.load(); ++i) {
        auto r = c.Request("POST", "/predict",
                           t % 2 ? R"({"title": "Stainless steel water bottle"})"
                                 : R"({"title": "Wireless earbuds", "price": 29.99})");
        if (r.status == 200) {
          ++ok;
          seen.insert(Json::parse(r.body)["model"]["version"].get<std::string>());
        } else {
          ++failed;
          std::lock_guard<std::mutex> lock(mutex);
          failures.push_back(std::to_string(r.status) + " " + r.body);
        }
      }
      std::lock_guard<std::mutex> lock(mutex);
      versions.insert(seen.begin(), seen.end());
    });
  }
  ASSERT_TRUE(WaitFor([&] { return ok.load() > 200; }));
  ReplaceDirectory(dir_.path() / "model", dir_.path() / "next");
  HttpClient admin(server.port());
  auto r = admin.Request("POST", "/admin/reload", "", {{"Authorization", "Bearer reload-token"}});
  int after_reload = ok.load();
  ASSERT_TRUE(WaitFor([&] { return ok.load() > after_reload + 200; }));
  stop = true;
  for (auto& c : clients) c.join();

  ASSERT_EQ(r.status, 200) << r.body;
  Json result = Json::parse(r.body);
  EXPECT_EQ(result["result"], "reloaded");
  EXPECT_EQ(result["previous_version"], v1_);
  EXPECT_EQ(result["version"], v2_);
  EXPECT_EQ(failed.load(), 0) << (failures.empty() ? "" : failures.front());
  EXPECT_EQ(versions, (std::set<std::string>{v1_, v2_}));
  EXPECT_EQ(ServedVersion(server.port()), v2_);
  EXPECT_EQ(Metric(server.port(), "prodcat_model_reloads_total{result=\"success\"}"), 1);
  EXPECT_EQ(Metric(server.port(),
                   "prodcat_model_info{name=\"model\",version=\"" + v2_ + "\",family=\"linear\"}"),
            1);
  // Unchanged source: nothing to do.
  r = admin.Request("POST", "/admin/reload", "", {{"Authorization", "Bearer reload-token"}});
  EXPECT_EQ(Json::parse(r.body)["result"], "unchanged");
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(ServeReloadTest, CorruptBundleIsRejectedWhileServingContinues) {
  ServeProcess server(dir_, dir_.path() / "model",
                      {"--admin-token-file", dir_ / "token", "--poll-seconds", "0.2"});
  ASSERT_NE(server.port(), 0) << server.err();
  CorruptModelFile(dir_.path() / "next");
  ReplaceDirectory(dir_.path() / "model", dir_.path() / "next");
  // The poll notices the new manifest, the checksum check rejects the bundle.
  const std::string failures = "prodcat_model_reloads_total{result=\"failure\"}";
  ASSERT_TRUE(WaitFor([&] { return Metric(server.port(), failures) == 1; })) << server.err();
  HttpClient c(server.port());
  auto r = c.Request("POST", "/predict", R"({"title": "Wireless earbuds"})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["model"]["version"], v1_);
  // Polls do not retry the same bad bundle.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(Metric(server.port(), failures), 1);
  EXPECT_NE(server.err().find("checksum"), std::string::npos) << server.err();
  // An explicit reload tries again and reports why.
  r = c.Request("POST", "/admin/reload", "", {{"Authorization", "Bearer reload-token"}});
  EXPECT_EQ(r.status, 500);
  Json e = Json::parse(r.body);
  EXPECT_EQ(e["error"]["code"], "reload_failed");
  EXPECT_NE(e["error"]["message"].get<std::string>().find("still serving version " + v1_),
            std::string::npos);
  EXPECT_EQ(Metric(server.port(), failures), 2);
  EXPECT_EQ(ServedVersion(server.port()), v1_);

  // A good bundle published over the bad one goes live by itself.
  TrainBundle(dir_.path() / "fixed", 13);
  std::string v3 = ManifestVersion(dir_.path() / "fixed");
  ReplaceDirectory(dir_.path() / "model", dir_.path() / "fixed");
  ASSERT_TRUE(WaitFor([&] { return ServedVersion(server.port()) == v3; })) << server.err();
  EXPECT_EQ(Metric(server.port(), "prodcat_model_reloads_total{result=\"success\"}"), 1);
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(ServeReloadTest, SighupReloadsAndAdminNeedsTheToken) {
  ServeProcess server(dir_, dir_.path() / "model", {"--poll-seconds", "0"});
  ASSERT_NE(server.port(), 0) << server.err();
  HttpClient c(server.port());
  // No token configured: administration is disabled.
  auto r = c.Request("POST", "/admin/reload");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "admin_disabled");

  ReplaceDirectory(dir_.path() / "model", dir_.path() / "next");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(ServedVersion(server.port()), v1_);  // no polling: nothing happens by itself
  server.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return ServedVersion(server.port()) == v2_; })) << server.err();
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

TEST_F(ServeReloadTest, StartupFailsClearlyOnABadBundle) {
  CorruptModelFile(dir_.path() / "model");
  ServeProcess bad(dir_, dir_.path() / "model");
  EXPECT_EQ(bad.port(), 0);
  EXPECT_FALSE(bad.running());
  EXPECT_NE(bad.startup_exit_code(), 0);
  EXPECT_NE(bad.err().find("checksum"), std::string::npos) << bad.err();

  ServeProcess missing(dir_, dir_.path() / "does-not-exist");
  EXPECT_EQ(missing.port(), 0);
  EXPECT_NE(missing.startup_exit_code(), 0);
  EXPECT_NE(missing.err().find("does-not-exist"), std::string::npos) << missing.err();

  ServeProcess registry(dir_, "models:/catalog@production",
                        {"--tracking-uri", "sqlite://" + (dir_.path() / "empty.db").string()});
  EXPECT_NE(registry.startup_exit_code(), 0);
  EXPECT_NE(registry.err().find("catalog"), std::string::npos) << registry.err();
}

TEST_F(ServeReloadTest, FollowsARegistryAlias) {
  const std::string store = "sqlite://" + (dir_.path() / "tracking.db").string();
  for (const char* bundle : {"model", "next"}) {
    auto r = RunProcess(
        {kServeBin, "registry", "register", "catalog", dir_ / bundle, "--tracking-uri", store});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto alias = RunProcess(
      {kServeBin, "registry", "alias", "catalog", "champion", "1", "--tracking-uri", store});
  ASSERT_EQ(alias.exit_code, 0) << alias.err;
  ServeProcess server(dir_, "models:/catalog@champion",
                      {"--tracking-uri", store, "--poll-seconds", "0.2"});
  ASSERT_NE(server.port(), 0) << server.err();
  HttpClient c(server.port());
  auto r = c.Request("GET", "/");
  ASSERT_EQ(r.status, 200);
  Json info = Json::parse(r.body);
  EXPECT_EQ(info["model"]["name"], "catalog");
  EXPECT_EQ(info["model"]["version"], "1");  // the registry's version number
  EXPECT_EQ(c.Request("GET", "/v2/models/catalog/versions/1/ready").status, 200);

  alias = RunProcess(
      {kServeBin, "registry", "alias", "catalog", "champion", "2", "--tracking-uri", store});
  ASSERT_EQ(alias.exit_code, 0) << alias.err;
  ASSERT_TRUE(WaitFor([&] { return ServedVersion(server.port()) == "2"; })) << server.err();
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace prodcat::testing
