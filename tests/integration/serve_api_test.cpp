// `prodcat serve` end to end: every endpoint of the JSON API and the KServe v2 subset, request
// ids, keep-alive, access logs, metrics and the docs pages, against the real binary and a real
// trained bundle.
#include <gtest/gtest.h>

#include <set>

#include "serve_fixture.h"

namespace prodcat::testing {
namespace {

using Json = nlohmann::json;

class ServeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TrainBundle(dir_.path() / "catalog", 11);
    if (HasFatalFailure()) return;
    version_ = ManifestVersion(dir_.path() / "catalog");
  }
  std::unique_ptr<ServeProcess> Start(std::vector<std::string> extra = {}) {
    auto server = std::make_unique<ServeProcess>(dir_, dir_.path() / "catalog", extra);
    EXPECT_NE(server->port(), 0) << server->err();
    return server;
  }
  TempDir dir_;
  std::string version_;
};

TEST_F(ServeApiTest, InfoHealthReadyAndPredict) {
  auto server = Start({"--access-log", dir_ / "access.log"});
  ASSERT_NE(server->port(), 0);
  HttpClient c(server->port());

  auto r = c.Request("GET", "/");
  ASSERT_EQ(r.status, 200) << r.body;
  Json info = Json::parse(r.body);
  EXPECT_EQ(info["model"]["name"], "catalog");
  EXPECT_EQ(info["model"]["version"], version_);
  EXPECT_EQ(info["model"]["family"], "linear");
  EXPECT_EQ(info["model"]["num_classes"], 12);
  std::set<std::string> paths;
  for (const auto& e : info["endpoints"]) paths.insert(e["path"].get<std::string>());
  for (const char* p : {"/predict", "/predict/batch", "/metrics", "/v2/models/{name}/infer"}) {
    EXPECT_TRUE(paths.count(p)) << p;
  }

  EXPECT_EQ(Json::parse(c.Request("GET", "/health").body)["status"], "ok");
  r = c.Request("GET", "/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["model"]["version"], version_);

  r = c.Request("POST", "/predict",
                R"({"title": "Wireless Bluetooth Headphones Noise Cancelling", "brand": "Sony",
                    "price": 89.99, "rating": 4.5, "reviews_count": 1200, "product_id": "p-17"})",
                {{"X-Request-Id", "it-req-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-request-id"], "it-req-1");
  EXPECT_EQ(r.headers["content-type"], "application/json");
  Json p = Json::parse(r.body);
  EXPECT_EQ(p["category"], "Electronics");
  EXPECT_EQ(p["product_id"], "p-17");
  EXPECT_EQ(p["request_id"], "it-req-1");
  EXPECT_EQ(p["fallback"], false);
  EXPECT_EQ(p["model"]["version"], version_);
  ASSERT_EQ(p["probabilities"].size(), 3u);  // the default top_k
  float sum = 0;
  for (const auto& s : p["probabilities"]) sum += s["probability"].get<float>();
  EXPECT_LE(sum, 1.0001f);
  EXPECT_GT(p["confidence"].get<float>(), 0.3f);

  r = c.Request("POST", "/predict?top_k=5", R"({"title": "Dog chew toy for large dogs"})");
  ASSERT_EQ(r.status, 200);
  p = Json::parse(r.body);
  EXPECT_EQ(p["probabilities"].size(), 5u);
  EXPECT_EQ(p["category"], "Pet Supplies");
  EXPECT_EQ(r.headers["x-request-id"].size(), 32u);  // generated
  EXPECT_EQ(p["request_id"], r.headers["x-request-id"]);
  EXPECT_FALSE(p.contains("product_id"));

  EXPECT_EQ(server->Stop(), 0);
  // One JSON object per line, with the fields of the spec.
  std::string log = Slurp(dir_ / "access.log");
  std::vector<Json> lines;
  size_t start = 0, end;
  while ((end = log.find('\n', start)) != std::string::npos) {
    lines.push_back(Json::parse(log.substr(start, end - start)));
    start = end + 1;
  }
  ASSERT_EQ(lines.size(), 5u) << log;
  for (const char* key :
       {"ts", "method", "path", "status", "duration_ms", "request_id", "remote", "bytes"}) {
    EXPECT_TRUE(lines[3].contains(key)) << key;
  }
  EXPECT_EQ(lines[3]["path"], "/predict");
  EXPECT_EQ(lines[3]["request_id"], "it-req-1");
  EXPECT_EQ(lines[4]["path"], "/predict");  // the query is not logged
  EXPECT_EQ(lines[4]["status"], 200);
  EXPECT_EQ(lines[4]["remote"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
}

TEST_F(ServeApiTest, BatchInOrderWithPerItemErrors) {
  auto server = Start({"--max-batch", "50"});
  ASSERT_NE(server->port(), 0);
  HttpClient c(server->port());
  Json items = Json::array();
  for (int i = 0; i < 40; ++i) {
    items.push_back({{"title", i % 2 ? "Hardcover mystery novel bestselling"
                                     : "Nonstick frying pan stainless steel"},
                     {"product_id", "id" + std::to_string(i)}});
  }
  items[7] = {{"brand", "no title"}};
  items[19] = {{"title", "x"}, {"price", -1}};
  auto r = c.Request("POST", "/predict/batch", items.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  Json b = Json::parse(r.body);
  ASSERT_EQ(b["results"].size(), 40u);
  EXPECT_EQ(b["total_processed"], 40);
  EXPECT_EQ(b["failed"], 2);
  EXPECT_EQ(b["succeeded"], 38);
  EXPECT_GE(b["processing_time_ms"].get<double>(), 0.0);
  for (int i = 0; i < 40; ++i) {
    const Json& item = b["results"][i];
    EXPECT_EQ(item["index"], i);
    if (i == 7 || i == 19) {
      EXPECT_TRUE(item.contains("error")) << item;
      EXPECT_EQ(item["error"]["field"], i == 7 ? "title" : "price");
    } else {
      EXPECT_EQ(item["product_id"], "id" + std::to_string(i));
      EXPECT_EQ(item["category"], i % 2 ? "Books" : "Home & Kitchen") << item;
    }
  }
  // The {"items": [...]} form, and the item limit.
  r = c.Request("POST", "/predict/batch?top_k=1", R"({"items": [{"title": "Garden hose 50ft"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["results"][0]["probabilities"].size(), 1u);
  Json too_many = Json::array();
  for (int i = 0; i < 51; ++i) too_many.push_back({{"title", "x"}});
  r = c.Request("POST", "/predict/batch", too_many.dump());
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "batch_too_large");
}

TEST_F(ServeApiTest, MetricsCountRequestsPredictionsAndMemory) {
  auto server = Start();
  ASSERT_NE(server->port(), 0);
  HttpClient c(server->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(c.Request("POST", "/predict", R"({"title": "Yoga mat non slip"})").status, 200);
  }
  ASSERT_EQ(c.Request("POST", "/predict", R"({"brand": "x"})").status, 422);
  ASSERT_EQ(c.Request("POST", "/predict/batch", R"([{"title": "a"}, {"title": "b"}])").status, 200);
  // The access-log callback (which feeds the counters) runs after the response is written.
  std::string m;
  ASSERT_TRUE(WaitFor([&] {
    m = c.Request("GET", "/metrics").body;
    return MetricValue(m,
                       "prodcat_http_requests_total{endpoint=\"/predict/batch\",method="
                       "\"POST\",status=\"200\"}") == 1;
  })) << m;
  auto r = c.Request("GET", "/metrics");
  EXPECT_EQ(r.headers["content-type"].rfind("text/plain; version=0.0.4", 0), 0u);
  m = r.body;
  EXPECT_EQ(MetricValue(m,
                        "prodcat_http_requests_total{endpoint=\"/predict\",method=\"POST\","
                        "status=\"200\"}"),
            3);
  EXPECT_EQ(MetricValue(m,
                        "prodcat_http_requests_total{endpoint=\"/predict\",method=\"POST\","
                        "status=\"422\"}"),
            1);
  EXPECT_EQ(MetricValue(m, "prodcat_http_request_duration_seconds_count{endpoint=\"/predict\"}"),
            4);
  EXPECT_EQ(MetricValue(m, "prodcat_batch_size_count{endpoint=\"/predict/batch\"}"), 1);
  EXPECT_EQ(MetricValue(m, "prodcat_invalid_inputs_total{endpoint=\"/predict\",code=\"required\"}"),
            1);
  EXPECT_EQ(MetricValue(m, "prodcat_model_info{name=\"catalog\",version=\"" + version_ +
                               "\",family=\"linear\"}"),
            1);
  EXPECT_EQ(MetricValue(m, "prodcat_model_reloads_total{result=\"failure\"}"), 0);
  double predictions = 0;
  for (size_t pos = 0; (pos = m.find("\nprodcat_predictions_total{", pos)) != std::string::npos;
       ++pos) {
    predictions += std::stod(m.substr(m.find("} ", pos) + 2));
  }
  EXPECT_EQ(predictions, 5);
  EXPECT_GT(MetricValue(m, "process_resident_memory_bytes"), 10e6);
  EXPECT_GE(MetricValue(m, "process_resident_memory_max_bytes"),
            MetricValue(m, "process_resident_memory_bytes") * 0.5);
}

TEST_F(ServeApiTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = Start();
  ASSERT_NE(server->port(), 0);
  HttpClient c(server->port());
  ASSERT_TRUE(c.Connect());
  for (int i = 0; i < 50; ++i) {
    auto r = c.Request("POST", "/predict", R"({"title": "LED desk lamp"})");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.headers["connection"], "close");
  }
  // Pipelined requests are answered in order.
  std::string two = "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /ready HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(c.SendRaw(two));
  EXPECT_EQ(Json::parse(c.ReadResponse().body)["status"], "ok");
  EXPECT_EQ(Json::parse(c.ReadResponse().body)["status"], "ready");
}

TEST_F(ServeApiTest, OpenInferenceProtocol) {
  auto server = Start({"--model-name", "products"});
  ASSERT_NE(server->port(), 0);
  HttpClient c(server->port());
  EXPECT_EQ(Json::parse(c.Request("GET", "/v2/health/live").body)["live"], true);
  EXPECT_EQ(Json::parse(c.Request("GET", "/v2/health/ready").body)["ready"], true);
  EXPECT_EQ(Json::parse(c.Request("GET", "/v2").body)["name"], "prodcat");

  auto r = c.Request("GET", "/v2/models/products");
  ASSERT_EQ(r.status, 200) << r.body;
  Json meta = Json::parse(r.body);
  EXPECT_EQ(meta["name"], "products");
  EXPECT_EQ(meta["versions"], Json::array({version_}));
  EXPECT_EQ(meta["platform"], "prodcat");
  std::map<std::string, std::string> inputs;
  for (const auto& i : meta["inputs"]) inputs[i["name"]] = i["datatype"];
  EXPECT_EQ(inputs["title"], "BYTES");
  EXPECT_EQ(inputs["brand"], "BYTES");
  EXPECT_EQ(inputs["price"], "FP32");
  EXPECT_EQ(meta["outputs"][0]["name"], "category");
  EXPECT_EQ(Json::parse(c.Request("GET", "/v2/models/products/ready").body)["ready"], true);

  r = c.Request("GET", "/v2/models/catalog");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(Json::parse(r.body)["error"].is_string());

  Json req = {
      {"id", "batch-9"},
      {"inputs",
       {{{"name", "title"},
         {"shape", {3}},
         {"datatype", "BYTES"},
         {"data",
          {"Wireless mouse", "Baby bottle anti-colic newborn", "Car wax and microfiber towels"}}},
        {{"name", "price"}, {"shape", {3, 1}}, {"datatype", "FP32"}, {"data", {19.99, 12, 9.5}}}}}};
  r = c.Request("POST", "/v2/models/products/infer", req.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  Json out = Json::parse(r.body);
  EXPECT_EQ(out["id"], "batch-9");
  EXPECT_EQ(out["model_name"], "products");
  EXPECT_EQ(out["model_version"], version_);
  ASSERT_EQ(out["outputs"].size(), 2u);
  EXPECT_EQ(out["outputs"][0]["name"], "category");
  EXPECT_EQ(out["outputs"][0]["datatype"], "BYTES");
  EXPECT_EQ(out["outputs"][0]["shape"], Json::array({3}));
  EXPECT_EQ(out["outputs"][0]["data"][0], "Electronics");
  EXPECT_EQ(out["outputs"][0]["data"][1], "Baby");
  EXPECT_EQ(out["outputs"][0]["data"][2], "Automotive");
  EXPECT_EQ(out["outputs"][1]["name"], "confidence");
  EXPECT_EQ(out["outputs"][1]["datatype"], "FP32");

  req["outputs"] = {{{"name", "category"}},
                    {{"name", "probabilities"}, {"parameters", {{"top_k", 4}}}}};
  r = c.Request("POST", "/v2/models/products/versions/" + version_ + "/infer", req.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  out = Json::parse(r.body);
  ASSERT_EQ(out["outputs"].size(), 3u);  // category, probabilities and their labels
  EXPECT_EQ(out["outputs"][1]["name"], "probabilities");
  EXPECT_EQ(out["outputs"][1]["shape"], Json::array({3, 4}));
  EXPECT_EQ(out["outputs"][1]["data"].size(), 12u);
  EXPECT_EQ(out["outputs"][2]["name"], "labels");
  EXPECT_EQ(out["outputs"][2]["data"][0], out["outputs"][0]["data"][0]);

  r = c.Request("POST", "/v2/models/products/infer", R"({"inputs": [{"name": "title",
      "shape": [1], "datatype": "BYTES", "data": [""]}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Json::parse(r.body)["error"].get<std::string>().find("title"), std::string::npos);
}

TEST_F(ServeApiTest, DocsFromTheWebRootOr503) {
  // A stand-in web root: the server only needs the files to exist.
  std::filesystem::create_directories(dir_.path() / "web/swagger-ui-dist");
  std::filesystem::create_directories(dir_.path() / "web/redoc/bundles");
  std::ofstream(dir_ / "web/swagger-ui-dist/swagger-ui-bundle.js") << "/* swagger bundle */";
  std::ofstream(dir_ / "web/swagger-ui-dist/swagger-ui.css") << "body{}";
  std::ofstream(dir_ / "web/redoc/bundles/redoc.standalone.js") << "/* redoc */";
  {
    auto server = Start({"--web-root", dir_ / "web"});
    ASSERT_NE(server->port(), 0);
    HttpClient c(server->port());
    auto r = c.Request("GET", "/docs");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("/docs/swagger-ui-bundle.js"), std::string::npos);
    EXPECT_NE(r.body.find("/openapi.json"), std::string::npos);
    EXPECT_EQ(r.body.find("://"), std::string::npos) << "no CDN URLs";
    r = c.Request("GET", "/docs/swagger-ui-bundle.js");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "/* swagger bundle */");
    EXPECT_EQ(r.headers["content-type"], "application/javascript; charset=utf-8");
    EXPECT_EQ(c.Request("GET", "/docs/swagger-ui.css").headers["content-type"],
              "text/css; charset=utf-8");
    r = c.Request("GET", "/docs/swagger-ui-standalone-preset.js");  // allowed but missing
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(c.Request("GET", "/docs/package.json").status, 404);  // not on the list
    EXPECT_EQ(c.Request("GET", "/docs/..%2F..%2Fserve0.out").status, 404);
    r = c.Request("GET", "/redoc");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("/redoc/redoc.standalone.js"), std::string::npos);
    EXPECT_EQ(c.Request("GET", "/redoc/redoc.standalone.js").body, "/* redoc */");
  }
  auto server = Start({"--web-root", dir_ / "nothing-here"});
  ASSERT_NE(server->port(), 0);
  HttpClient c(server->port());
  for (const char* path : {"/docs", "/redoc"}) {
    auto r = c.Request("GET", path);
    EXPECT_EQ(r.status, 503) << path;
    Json e = Json::parse(r.body);
    EXPECT_EQ(e["error"]["code"], "docs_unavailable");
    EXPECT_NE(e["error"]["message"].get<std::string>().find("npm ci"), std::string::npos);
  }
  EXPECT_EQ(c.Request("GET", "/health").status, 200);  // and nothing else is affected
}

TEST_F(ServeApiTest, DocsWithTheInstalledNpmAssets) {
  // The build installs swagger-ui-dist and redoc into <build>/web/node_modules with npm ci.
  auto root = std::filesystem::path(kServeBin).parent_path() / ".." / "web" / "node_modules";
  if (!std::filesystem::exists(root / "swagger-ui-dist/swagger-ui-bundle.js")) {
    GTEST_SKIP() << "web assets not installed (npm ci failed or npm missing) under " << root;
  }
  auto server = Start();  // the default web root
  ASSERT_NE(server->port(), 0);
  HttpClient c(server->port());
  EXPECT_EQ(c.Request("GET", "/docs").status, 200);
  auto js = c.Request("GET", "/docs/swagger-ui-bundle.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_GT(js.body.size(), 100000u);
  EXPECT_EQ(c.Request("GET", "/redoc").status, 200);
  auto redoc = c.Request("GET", "/redoc/redoc.standalone.js");
  EXPECT_EQ(redoc.status, 200);
  EXPECT_GT(redoc.body.size(), 100000u);
}

}  // namespace
}  // namespace prodcat::testing
