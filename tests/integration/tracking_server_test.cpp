// Drives the real `prodcat tracking-server` process over HTTP with MLflow's REST API: every
// endpoint, MLflow's JSON shapes and error codes, the filter grammar, pagination, bearer-token
// auth, artifact path confinement and concurrent writers.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "http_client.h"
#include "process.h"

namespace prodcat {
namespace {

using Json = nlohmann::json;
using testing::HttpClient;
using testing::HttpResult;
using testing::TempDir;

std::string UrlEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

class TrackingServerProcess {
 public:
  explicit TrackingServerProcess(const TempDir& dir, const std::string& token = "") {
    std::vector<std::string> args = {PRODCAT_BINARY,
                                     "tracking-server",
                                     "--backend-store-uri",
                                     "sqlite://" + dir / "store.db",
                                     "--artifacts-destination",
                                     dir / "artifacts",
                                     "--port",
                                     "0",
                                     "--max-artifact-mb",
                                     "1"};
    if (!token.empty()) {
      std::ofstream(dir / "token") << token << "\n";
      args.insert(args.end(), {"--auth-token-file", dir / "token"});
    }
    out_ = dir / "server.out";
    err_ = dir / "server.err";
    pid_ = testing::Spawn(args, out_, err_);
    std::regex listening("listening on 127\\.0\\.0\\.1:(\\d+)");
    for (int i = 0; i < 300 && port_ == 0; ++i) {
      std::smatch m;
      std::string out = testing::Slurp(out_);
      if (std::regex_search(out, m, listening)) port_ = static_cast<uint16_t>(std::stoi(m[1]));
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~TrackingServerProcess() { Stop(); }
  int Stop() {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }
  uint16_t port() const { return port_; }
  std::string stderr_text() const { return testing::Slurp(err_); }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int exit_code_ = -1;
  std::string out_, err_;
};

class TrackingServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TrackingServerProcess>(dir_);
    ASSERT_NE(server_->port(), 0) << server_->stderr_text();
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  void TearDown() override {
    client_.reset();
    EXPECT_EQ(server_->Stop(), 0) << server_->stderr_text();
  }

  // Calls an MLflow endpoint; GETs take the JSON as query parameters.
  Json Call(const std::string& method, const std::string& endpoint, const Json& body,
            int expect_status = 200, const std::string& prefix = "/api/2.0/mlflow/") {
    std::string target = prefix + endpoint;
    HttpResult r;
    if (method == "GET") {
      std::string query;
      for (auto it = body.begin(); it != body.end(); ++it) {
        auto add = [&](const Json& v) {
          query += (query.empty() ? "?" : "&") + it.key() + "=" +
                   UrlEncode(v.is_string() ? v.get<std::string>() : v.dump());
        };
        if (it->is_array()) {
          for (const Json& v : *it) add(v);
        } else {
          add(*it);
        }
      }
      r = client_->Request("GET", target + query);
    } else {
      r = client_->Request(method, target, body.dump());
    }
    EXPECT_EQ(r.status, expect_status) << method << " " << target << " -> " << r.body;
    Json j = Json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.body;
    return j;
  }

  TempDir dir_;
  std::unique_ptr<TrackingServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(TrackingServerTest, TrackingEndpointsSpeakMlflowJson) {
  Json created = Call("POST", "experiments/create",
                      {{"name", "pricing"}, {"tags", {{{"key", "team"}, {"value", "ml"}}}}});
  ASSERT_TRUE(created["experiment_id"].is_string());
  std::string exp = created["experiment_id"];
  Json got = Call("GET", "experiments/get", {{"experiment_id", exp}});
  EXPECT_EQ(got["experiment"]["name"], "pricing");
  EXPECT_EQ(got["experiment"]["lifecycle_stage"], "active");
  EXPECT_TRUE(got["experiment"]["creation_time"].is_number_integer());
  EXPECT_EQ(got["experiment"]["artifact_location"], "mlflow-artifacts:/" + exp);
  EXPECT_EQ(Call("GET", "experiments/get-by-name",
                 {{"experiment_name", "Default"}})["experiment"]["experiment_id"],
            "0");
  Call("POST", "experiments/update", {{"experiment_id", exp}, {"new_name", "pricing2"}});
  Call("POST", "experiments/set-experiment-tag",
       {{"experiment_id", exp}, {"key", "k"}, {"value", "v"}});
  Call("POST", "experiments/delete-experiment-tag", {{"experiment_id", exp}, {"key", "team"}});
  Json search = Call("POST", "experiments/search", {{"filter", "tags.k = 'v'"}});
  ASSERT_EQ(search["experiments"].size(), 1u);
  EXPECT_EQ(search["experiments"][0]["name"], "pricing2");
  search = Call("GET", "experiments/search", {{"max_results", 1}, {"order_by", {"name ASC"}}});
  ASSERT_EQ(search["experiments"].size(), 1u);
  EXPECT_EQ(search["experiments"][0]["name"], "Default");
  EXPECT_TRUE(search["next_page_token"].is_string());

  Json run = Call("POST", "runs/create",
                  {{"experiment_id", exp},
                   {"start_time", 1700000000000},
                   {"tags", {{{"key", "mlflow.user"}, {"value", "ana"}}}}})["run"];
  std::string id = run["info"]["run_id"];
  EXPECT_EQ(run["info"]["run_uuid"], id);
  EXPECT_EQ(run["info"]["status"], "RUNNING");
  EXPECT_EQ(run["info"]["start_time"], 1700000000000);
  EXPECT_EQ(run["info"]["user_id"], "ana");
  EXPECT_EQ(run["info"]["artifact_uri"], "mlflow-artifacts:/" + exp + "/" + id + "/artifacts");
  EXPECT_FALSE(run["info"]["run_name"].get<std::string>().empty());

  Call("POST", "runs/log-metric",
       {{"run_id", id},
        {"run_uuid", id},
        {"key", "f1"},
        {"value", 0.5},
        {"timestamp", 1},
        {"step", 0}});
  Call("POST", "runs/log-metric",
       {{"run_id", id}, {"key", "f1"}, {"value", "0.75"}, {"timestamp", "2"}, {"step", "1"}});
  Call("POST", "runs/log-metric",
       {{"run_id", id}, {"key", "odd"}, {"value", "NaN"}, {"timestamp", 3}});
  Call("POST", "runs/log-parameter", {{"run_id", id}, {"key", "model"}, {"value", "linear"}});
  Json changed = Call("POST", "runs/log-parameter",
                      {{"run_id", id}, {"key", "model"}, {"value", "gbdt"}}, 400);
  EXPECT_EQ(changed["error_code"], "INVALID_PARAMETER_VALUE");
  Call("POST", "runs/log-batch",
       {{"run_id", id},
        {"metrics", {{{"key", "loss"}, {"value", 0.3}, {"timestamp", 5}, {"step", 2}}}},
        {"params", {{{"key", "lr"}, {"value", "0.1"}}}},
        {"tags", {{{"key", "stage"}, {"value", "dev"}}, {{"key", "tmp"}, {"value", "x"}}}}});
  Call("POST", "runs/set-tag", {{"run_id", id}, {"key", "note"}, {"value", "hi"}});
  Call("POST", "runs/delete-tag", {{"run_id", id}, {"key", "tmp"}});
  Call("POST", "runs/log-inputs",
       {{"run_id", id},
        {"datasets",
         {{{"tags", {{{"key", "mlflow.data.context"}, {"value", "training"}}}},
           {"dataset",
            {{"name", "train.csv"},
             {"digest", "abc"},
             {"source_type", "local"},
             {"source", "/d/train.csv"}}}}}}});
  Call("POST", "runs/log-model",
       {{"run_id", id}, {"model_json", "{\"artifact_path\": \"model\"}"}});

  Json full = Call("GET", "runs/get", {{"run_id", id}})["run"];
  std::map<std::string, Json> metrics;
  for (const Json& m : full["data"]["metrics"]) metrics[m["key"]] = m;
  EXPECT_EQ(metrics["f1"]["value"], 0.75);
  EXPECT_EQ(metrics["f1"]["step"], 1);
  EXPECT_TRUE(metrics["f1"]["timestamp"].is_number_integer());
  EXPECT_EQ(metrics["odd"]["value"], "NaN");
  std::map<std::string, std::string> tags;
  for (const Json& t : full["data"]["tags"]) tags[t["key"]] = t["value"];
  EXPECT_EQ(tags["note"], "hi");
  EXPECT_EQ(tags.count("tmp"), 0u);
  EXPECT_EQ(tags.count("mlflow.log-model.history"), 1u);
  EXPECT_EQ(full["data"]["params"].size(), 2u);
  ASSERT_EQ(full["inputs"]["dataset_inputs"].size(), 1u);
  EXPECT_EQ(full["inputs"]["dataset_inputs"][0]["dataset"]["digest"], "abc");

  Json history = Call("GET", "metrics/get-history", {{"run_id", id}, {"metric_key", "f1"}});
  ASSERT_EQ(history["metrics"].size(), 2u);
  EXPECT_EQ(history["metrics"][0]["value"], 0.5);
  EXPECT_EQ(history.count("next_page_token"), 0u);
  history = Call("GET", "metrics/get-history",
                 {{"run_id", id}, {"metric_key", "f1"}, {"max_results", 1}});
  ASSERT_EQ(history["metrics"].size(), 1u);
  ASSERT_TRUE(history["next_page_token"].is_string());

  Json updated = Call("POST", "runs/update",
                      {{"run_id", id}, {"status", "FINISHED"}, {"end_time", 1700000009000}});
  EXPECT_EQ(updated["run_info"]["status"], "FINISHED");
  EXPECT_EQ(updated["run_info"]["end_time"], 1700000009000);

  // Search: filter grammar, order and pagination through opaque tokens.
  for (int i = 0; i < 4; ++i) {
    std::string other = Call(
        "POST", "runs/create",
        {{"experiment_id", exp}, {"run_name", "r" + std::to_string(i)}})["run"]["info"]["run_id"];
    Call("POST", "runs/log-batch",
         {{"run_id", other},
          {"metrics", {{{"key", "f1"}, {"value", 0.1 * i}, {"timestamp", 1}, {"step", 0}}}},
          {"params", {{{"key", "model"}, {"value", i % 2 ? "gbdt" : "linear"}}}}});
  }
  Json found = Call("POST", "runs/search",
                    {{"experiment_ids", {exp}},
                     {"filter", "metrics.f1 > 0.15 and params.model = 'linear'"},
                     {"order_by", {"metrics.f1 DESC"}}});
  ASSERT_EQ(found["runs"].size(), 2u);
  EXPECT_EQ(found["runs"][0]["info"]["run_id"], id);  // f1 0.75
  EXPECT_EQ(found["runs"][1]["info"]["run_name"], "r2");
  found = Call("POST", "runs/search",
               {{"experiment_ids", {exp}}, {"filter", "attributes.status = 'FINISHED'"}});
  ASSERT_EQ(found["runs"].size(), 1u);
  std::set<std::string> seen;
  Json page_request = {{"experiment_ids", {exp}}, {"max_results", 2}};
  for (int page = 0; page < 5; ++page) {
    Json p = Call("POST", "runs/search", page_request);
    for (const Json& r : p["runs"]) seen.insert(r["info"]["run_id"].get<std::string>());
    if (!p.contains("next_page_token")) break;
    page_request["page_token"] = p["next_page_token"];
  }
  EXPECT_EQ(seen.size(), 5u);
  Json bad =
      Call("POST", "runs/search", {{"experiment_ids", {exp}}, {"filter", "metrics.f1 >> 1"}}, 400);
  EXPECT_EQ(bad["error_code"], "INVALID_PARAMETER_VALUE");
  EXPECT_NE(bad["message"].get<std::string>().find("position"), std::string::npos);

  // The same API under MLflow's UI prefix.
  Json ajax = Call("GET", "runs/get", {{"run_id", id}}, 200, "/ajax-api/2.0/mlflow/");
  EXPECT_EQ(ajax["run"]["info"]["run_id"], id);

  // Artifacts through the proxy, then listed for the run.
  std::string artifact =
      "/api/2.0/mlflow-artifacts/artifacts/" + exp + "/" + id + "/artifacts/model/weights.bin";
  HttpResult put = client_->Request("PUT", artifact, "0123456789",
                                    {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(put.status, 200) << put.body;
  HttpResult back = client_->Request("GET", artifact);
  EXPECT_EQ(back.status, 200);
  EXPECT_EQ(back.body, "0123456789");
  Json listed = Json::parse(client_
                                ->Request("GET", "/api/2.0/mlflow-artifacts/artifacts?path=" + exp +
                                                     "/" + id + "/artifacts/model")
                                .body);
  ASSERT_EQ(listed["files"].size(), 1u);
  EXPECT_EQ(listed["files"][0]["path"], "weights.bin");
  EXPECT_EQ(listed["files"][0]["file_size"], 10);
  Json run_files = Call("GET", "artifacts/list", {{"run_id", id}});
  EXPECT_EQ(run_files["root_uri"], full["info"]["artifact_uri"]);
  ASSERT_EQ(run_files["files"].size(), 1u);
  EXPECT_EQ(run_files["files"][0]["path"], "model");
  EXPECT_EQ(run_files["files"][0]["is_dir"], true);
  run_files = Call("GET", "artifacts/list", {{"run_id", id}, {"path", "model"}});
  EXPECT_EQ(run_files["files"][0]["path"], "model/weights.bin");
  Json digests =
      Json::parse(client_->Request("GET", "/api/2.0/prodcat/artifacts/digests?run_id=" + id).body);
  ASSERT_EQ(digests["artifacts"].size(), 1u);
  EXPECT_EQ(digests["artifacts"][0]["sha256"],
            "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");

  // Delete and restore.
  Call("POST", "runs/delete", {{"run_id", id}});
  EXPECT_EQ(Call("GET", "runs/get", {{"run_id", id}})["run"]["info"]["lifecycle_stage"], "deleted");
  Call("POST", "runs/restore", {{"run_id", id}});
  Call("POST", "experiments/delete", {{"experiment_id", exp}});
  Call("POST", "experiments/restore", {{"experiment_id", exp}});
}

TEST_F(TrackingServerTest, RegistryEndpointsSpeakMlflowJson) {
  Json m = Call("POST", "registered-models/create",
                {{"name", "catalog"},
                 {"description", "d"},
                 {"tags", {{{"key", "team"}, {"value", "ml"}}}}})["registered_model"];
  EXPECT_EQ(m["name"], "catalog");
  EXPECT_TRUE(m["creation_timestamp"].is_number_integer());
  Json dup = Call("POST", "registered-models/create", {{"name", "catalog"}}, 400);
  EXPECT_EQ(dup["error_code"], "RESOURCE_ALREADY_EXISTS");
  for (int i = 1; i <= 2; ++i) {
    Json v = Call("POST", "model-versions/create",
                  {{"name", "catalog"},
                   {"source", "/models/v" + std::to_string(i)},
                   {"run_id", ""},
                   {"description", "v"}})["model_version"];
    EXPECT_EQ(v["version"], std::to_string(i));  // versions are strings on the wire
    EXPECT_EQ(v["current_stage"], "None");
    EXPECT_EQ(v["status"], "READY");
  }
  Json v = Call("GET", "model-versions/get", {{"name", "catalog"}, {"version", "2"}});
  EXPECT_EQ(v["model_version"]["source"], "/models/v2");
  Call("PATCH", "model-versions/update",
       {{"name", "catalog"}, {"version", "2"}, {"description", "better"}});
  Json moved = Call("POST", "model-versions/transition-stage",
                    {{"name", "catalog"},
                     {"version", "1"},
                     {"stage", "Production"},
                     {"archive_existing_versions", false}});
  EXPECT_EQ(moved["model_version"]["current_stage"], "Production");
  Call("POST", "model-versions/transition-stage",
       {{"name", "catalog"},
        {"version", "2"},
        {"stage", "production"},
        {"archive_existing_versions", true}});
  Json latest = Call("POST", "registered-models/get-latest-versions",
                     {{"name", "catalog"}, {"stages", {"Production", "Archived"}}});
  ASSERT_EQ(latest["model_versions"].size(), 2u);
  Json latest_get = Call("GET", "registered-models/get-latest-versions",
                         {{"name", "catalog"}, {"stages", {"Production"}}});
  ASSERT_EQ(latest_get["model_versions"].size(), 1u);
  EXPECT_EQ(latest_get["model_versions"][0]["version"], "2");

  Call("POST", "registered-models/alias",
       {{"name", "catalog"}, {"alias", "champion"}, {"version", "2"}});
  Json by_alias =
      Call("GET", "registered-models/alias", {{"name", "catalog"}, {"alias", "champion"}});
  EXPECT_EQ(by_alias["model_version"]["version"], "2");
  EXPECT_EQ(by_alias["model_version"]["aliases"][0], "champion");
  Call("DELETE", "registered-models/alias", {{"name", "catalog"}, {"alias", "champion"}});
  Call("GET", "registered-models/alias", {{"name", "catalog"}, {"alias", "champion"}}, 404);

  Call("POST", "registered-models/set-tag", {{"name", "catalog"}, {"key", "k"}, {"value", "v"}});
  Call("DELETE", "registered-models/delete-tag", {{"name", "catalog"}, {"key", "team"}});
  Call("POST", "model-versions/set-tag",
       {{"name", "catalog"}, {"version", "1"}, {"key", "k"}, {"value", "v"}});
  Call("DELETE", "model-versions/delete-tag",
       {{"name", "catalog"}, {"version", "1"}, {"key", "k"}});
  Json updated =
      Call("PATCH", "registered-models/update", {{"name", "catalog"}, {"description", "new"}});
  EXPECT_EQ(updated["registered_model"]["description"], "new");
  Json uri =
      Call("GET", "model-versions/get-download-uri", {{"name", "catalog"}, {"version", "1"}});
  EXPECT_EQ(uri["artifact_uri"], "/models/v1");

  Call("POST", "registered-models/create", {{"name", "other"}});
  Json models = Call("GET", "registered-models/search",
                     {{"filter", "name LIKE 'cat%'"}, {"max_results", 10}});
  ASSERT_EQ(models["registered_models"].size(), 1u);
  models =
      Call("GET", "registered-models/search", {{"max_results", 1}, {"order_by", {"name DESC"}}});
  ASSERT_EQ(models["registered_models"].size(), 1u);
  EXPECT_EQ(models["registered_models"][0]["name"], "other");
  ASSERT_TRUE(models["next_page_token"].is_string());
  Json versions = Call("GET", "model-versions/search",
                       {{"filter", "name = 'catalog'"}, {"order_by", {"version_number ASC"}}});
  ASSERT_EQ(versions["model_versions"].size(), 2u);
  EXPECT_EQ(versions["model_versions"][0]["current_stage"], "Archived");

  HttpResult history =
      client_->Request("GET", "/api/2.0/prodcat/model-versions/transitions?name=catalog");
  Json h = Json::parse(history.body);
  ASSERT_EQ(h["transitions"].size(), 3u);
  EXPECT_EQ(h["transitions"][2]["to_stage"], "Archived");

  Json renamed =
      Call("POST", "registered-models/rename", {{"name", "catalog"}, {"new_name", "catalog2"}});
  EXPECT_EQ(renamed["registered_model"]["name"], "catalog2");
  Call("DELETE", "model-versions/delete", {{"name", "catalog2"}, {"version", "1"}});
  Call("GET", "model-versions/get", {{"name", "catalog2"}, {"version", "1"}}, 404);
  Call("DELETE", "registered-models/delete", {{"name", "catalog2"}});
  Json gone = Call("GET", "registered-models/get", {{"name", "catalog2"}}, 404);
  EXPECT_EQ(gone["error_code"], "RESOURCE_DOES_NOT_EXIST");
}

TEST_F(TrackingServerTest, ErrorsUseMlflowCodesAndStatuses) {
  Json e = Call("GET", "experiments/get", {{"experiment_id", "999"}}, 404);
  EXPECT_EQ(e["error_code"], "RESOURCE_DOES_NOT_EXIST");
  e = Call("GET", "experiments/get-by-name", {{"experiment_name", "nope"}}, 404);
  EXPECT_EQ(e["error_code"], "RESOURCE_DOES_NOT_EXIST");
  Call("POST", "experiments/create", {{"name", "x"}});
  e = Call("POST", "experiments/create", {{"name", "x"}}, 400);
  EXPECT_EQ(e["error_code"], "RESOURCE_ALREADY_EXISTS");
  e = Call("POST", "experiments/create", Json::object(), 400);
  EXPECT_EQ(e["error_code"], "INVALID_PARAMETER_VALUE");
  EXPECT_NE(e["message"].get<std::string>().find("'name'"), std::string::npos);
  e = Call("POST", "runs/log-metric",
           {{"run_id", "nope"}, {"key", "k"}, {"value", "abc"}, {"timestamp", 1}}, 400);
  EXPECT_EQ(e["error_code"], "INVALID_PARAMETER_VALUE");
  e = Call("GET", "runs/get", {{"run_id", "0123456789abcdef0123456789abcdef"}}, 404);
  EXPECT_EQ(e["error_code"], "RESOURCE_DOES_NOT_EXIST");

  HttpResult malformed = client_->Request("POST", "/api/2.0/mlflow/experiments/create", "{oops");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Json::parse(malformed.body)["error_code"], "BAD_REQUEST");
  HttpResult unknown = client_->Request("GET", "/api/2.0/mlflow/no-such-endpoint");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Json::parse(unknown.body)["error_code"], "ENDPOINT_NOT_FOUND");
  HttpResult wrong_method = client_->Request("GET", "/api/2.0/mlflow/runs/create");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_TRUE(Json::parse(wrong_method.body).contains("error_code"));
  // Artifact uploads are limited by --max-artifact-mb (1 MiB here).
  HttpResult too_big = client_->Request("PUT", "/api/2.0/mlflow-artifacts/artifacts/0/big.bin",
                                        std::string((1 << 20) + 1, 'x'));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(client_->Request("GET", "/health").body, "OK");
}

TEST_F(TrackingServerTest, ArtifactPathsCannotEscapeTheRoot) {
  for (const std::string& path :
       {std::string("../escape.txt"), std::string("a/../../escape.txt"),
        std::string("%2e%2e/escape.txt"), std::string("%2Ftmp%2Fescape.txt"),
        std::string("a/%2e%2e/%2e%2e/escape.txt")}) {
    HttpResult r = client_->Request("PUT", "/api/2.0/mlflow-artifacts/artifacts/" + path, "x");
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
    EXPECT_EQ(Json::parse(r.body, nullptr, false).value("error_code", ""),
              "INVALID_PARAMETER_VALUE")
        << path;
    r = client_->Request("GET", "/api/2.0/mlflow-artifacts/artifacts/" + path);
    EXPECT_EQ(r.status, 400) << path;
  }
  HttpResult list = client_->Request("GET", "/api/2.0/mlflow-artifacts/artifacts?path=..");
  EXPECT_EQ(list.status, 400);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "escape.txt"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/escape.txt"));
  // A symlink planted inside the root that points outside is not followed.
  std::filesystem::create_directories(dir_.path() / "artifacts");
  std::filesystem::create_directories(dir_.path() / "outside");
  std::ofstream(dir_.path() / "outside" / "secret.txt") << "secret";
  std::filesystem::create_symlink(dir_.path() / "outside", dir_.path() / "artifacts" / "link");
  EXPECT_EQ(client_->Request("GET", "/api/2.0/mlflow-artifacts/artifacts/link/secret.txt").status,
            400);
  EXPECT_EQ(client_->Request("PUT", "/api/2.0/mlflow-artifacts/artifacts/link/new.txt", "x").status,
            400);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "outside" / "new.txt"));
}

TEST_F(TrackingServerTest, ConcurrentWritersLoseNothing) {
  std::string exp = Call("POST", "experiments/create", {{"name", "busy"}})["experiment_id"];
  constexpr int kWriters = 8;
  std::vector<std::string> run_ids(kWriters);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      HttpClient c(server_->port(), 30000);
      HttpResult r =
          c.Request("POST", "/api/2.0/mlflow/runs/create", Json{{"experiment_id", exp}}.dump());
      if (r.status != 200) {
        ++failures;
        return;
      }
      std::string id = Json::parse(r.body)["run"]["info"]["run_id"];
      run_ids[w] = id;
      for (int batch = 0; batch < 10; ++batch) {
        Json metrics = Json::array();
        for (int k = 0; k < 100; ++k) {
          int step = batch * 100 + k;
          metrics.push_back({{"key", "m"}, {"value", step}, {"timestamp", step}, {"step", step}});
        }
        r = c.Request("POST", "/api/2.0/mlflow/runs/log-batch",
                      Json{{"run_id", id}, {"metrics", metrics}}.dump());
        if (r.status != 200) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (const std::string& id : run_ids) {
    Json history = Call("GET", "metrics/get-history", {{"run_id", id}, {"metric_key", "m"}});
    EXPECT_EQ(history["metrics"].size(), 1000u);
  }
}

TEST(TrackingServerAuthTest, WritesNeedTheBearerToken) {
  TempDir dir;
  TrackingServerProcess server(dir, "s3cret-token");
  ASSERT_NE(server.port(), 0) << server.stderr_text();
  HttpClient c(server.port());
  std::string body = Json{{"name", "secured"}}.dump();
  HttpResult r = c.Request("POST", "/api/2.0/mlflow/experiments/create", body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Json::parse(r.body)["error_code"], "UNAUTHENTICATED");
  r = c.Request("POST", "/api/2.0/mlflow/experiments/create", body,
                {{"Authorization", "Bearer wrong"}});
  EXPECT_EQ(r.status, 401);
  r = c.Request("PUT", "/api/2.0/mlflow-artifacts/artifacts/0/a.txt", "x");
  EXPECT_EQ(r.status, 401);
  r = c.Request("POST", "/api/2.0/mlflow/experiments/create", body,
                {{"Authorization", "Bearer s3cret-token"}});
  EXPECT_EQ(r.status, 200) << r.body;
  // Reads, including the POSTed searches, stay open.
  EXPECT_EQ(
      c.Request("GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=secured").status,
      200);
  EXPECT_EQ(c.Request("POST", "/api/2.0/mlflow/runs/search", Json{{"experiment_ids", {"0"}}}.dump())
                .status,
            200);
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace prodcat
