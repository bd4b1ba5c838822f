// The API handlers driven through the router, without sockets (the integration tests cover the
// real server).
#include "prodcat/serving/inference_service.h"

#include <gtest/gtest.h>

#include "test_bundle.h"

namespace prodcat::serving {
namespace {

namespace fs = std::filesystem;

class InferenceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bundle_ = scratch_.path() / "shop";
    ASSERT_TRUE(testing::BuildTinyBundle(bundle_, {{"version", "1.0"}}).ok());
    models_ = std::make_unique<ModelManager>(std::make_unique<DirectorySource>(bundle_, ""));
  }
  void MakeService(ServiceOptions options = {}) {
    options.web_root = scratch_.path() / "no-web-assets";
    service_ = std::make_unique<InferenceService>(options, models_.get(), &metrics_);
    router_ = service_->BuildRouter();
  }
  http::Response Call(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request request;
    request.method = method;
    request.target = target;
    size_t q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query = http::ParseQuery(target.substr(q + 1));
    request.headers = std::move(headers);
    request.body = body;
    http::Response response;
    EXPECT_TRUE(service_->BeforeRequest(request, response));
    const http::Route* route = nullptr;
    std::map<std::string, std::string> params;
    if (router_.Match(method, request.path, &route, &params) != http::MatchResult::kFound) {
      response.status = 404;
      return response;
    }
    request.path_params = params;
    route->handler(request, response);
    return response;
  }
  static std::string HeaderOf(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  testing::ScratchDir scratch_;
  fs::path bundle_;
  ServingMetrics metrics_;
  std::unique_ptr<ModelManager> models_;
  std::unique_ptr<InferenceService> service_;
  http::Router router_;
};

TEST_F(InferenceServiceTest, NoModelMeans503AndNotReady) {
  MakeService();
  EXPECT_EQ(Call("GET", "/health").status, 200);
  EXPECT_EQ(Call("GET", "/ready").status, 503);
  EXPECT_EQ(Call("GET", "/v2/health/ready").status, 503);
  auto r = Call("POST", "/predict", R"({"title": "x"})");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "model_unavailable");
  r = Call("POST", "/v2/models/shop/infer", "{}");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(nlohmann::json::parse(r.body)["error"].is_string());
}

TEST_F(InferenceServiceTest, PredictWithTopKAndRequestId) {
  ASSERT_TRUE(models_->LoadInitial().ok());
  MakeService();
  EXPECT_EQ(Call("GET", "/ready").status, 200);
  auto r = Call("POST", "/predict?top_k=2", R"({"title": "wireless bluetooth headphones",
      "product_id": "p9"})",
                {{"x-request-id", "client-id-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "X-Request-Id"), "client-id-1");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["category"], "Electronics");
  EXPECT_EQ(j["product_id"], "p9");
  EXPECT_EQ(j["request_id"], "client-id-1");
  EXPECT_EQ(j["model"]["name"], "shop");
  EXPECT_EQ(j["model"]["version"], "1.0");
  EXPECT_EQ(j["fallback"], false);
  ASSERT_EQ(j["probabilities"].size(), 2u);
  EXPECT_EQ(j["probabilities"][0]["category"], j["category"]);
  EXPECT_FLOAT_EQ(j["probabilities"][0]["probability"].get<float>(), j["confidence"].get<float>());
  EXPECT_GE(j["probabilities"][0]["probability"].get<float>(),
            j["probabilities"][1]["probability"].get<float>());

  // top_k is capped by the number of classes; invalid values are rejected.
  j = nlohmann::json::parse(Call("POST", "/predict?top_k=50", R"({"title": "x"})").body);
  EXPECT_EQ(j["probabilities"].size(), 3u);
  for (const char* bad : {"0", "-1", "abc", "2x", "101"}) {
    r = Call("POST", std::string("/predict?top_k=") + bad, R"({"title": "x"})");
    EXPECT_EQ(r.status, 422) << bad;
    EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["field"], "top_k");
  }
  // An invalid client id is replaced by a generated one.
  r = Call("POST", "/predict", R"({"title": "x"})", {{"x-request-id", std::string(200, 'a')}});
  EXPECT_EQ(HeaderOf(r, "X-Request-Id").size(), 32u);
  EXPECT_EQ(nlohmann::json::parse(r.body)["request_id"], HeaderOf(r, "X-Request-Id"));
}

TEST_F(InferenceServiceTest, BatchKeepsOrderAndIsolatesBadItems) {
  ASSERT_TRUE(models_->LoadInitial().ok());
  ServiceOptions options;
  options.parallel_batch_rows = 4;  // exercise the two-thread path too
  MakeService(options);
  std::string body = R"({"items": [{"title": "garden hose nozzle"}, {"title": ""},
      {"title": "paperback novel mystery", "product_id": "b1"}, {"title": "usb c charger cable"},
      {"title": "flower seeds mix", "price": -5}, {"title": "hdmi cable 4k"}]})";
  auto r = Call("POST", "/predict/batch?top_k=1", body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["results"].size(), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(j["results"][i]["index"], i);
  EXPECT_EQ(j["results"][0]["category"], "Garden");
  EXPECT_EQ(j["results"][1]["error"]["field"], "title");
  EXPECT_EQ(j["results"][2]["category"], "Books");
  EXPECT_EQ(j["results"][2]["product_id"], "b1");
  EXPECT_EQ(j["results"][3]["category"], "Electronics");
  EXPECT_EQ(j["results"][4]["error"]["field"], "price");
  EXPECT_EQ(j["results"][5]["category"], "Electronics");
  EXPECT_EQ(j["results"][0]["probabilities"].size(), 1u);
  EXPECT_EQ(j["total_processed"], 6);
  EXPECT_EQ(j["succeeded"], 4);
  EXPECT_EQ(j["failed"], 2);
  EXPECT_GE(j["processing_time_ms"].get<double>(), 0.0);
  EXPECT_EQ(metrics_.batch_sizes()->Count({"/predict/batch"}), 1u);
  EXPECT_EQ(metrics_.predictions()->Value({"Electronics"}), 2);
}

TEST_F(InferenceServiceTest, AdminReloadNeedsTheToken) {
  ASSERT_TRUE(models_->LoadInitial().ok());
  MakeService();
  EXPECT_EQ(Call("POST", "/admin/reload").status, 403);

  ServiceOptions options;
  options.admin_token = "t0ken";
  MakeService(options);
  auto r = Call("POST", "/admin/reload");
  EXPECT_EQ(r.status, 401);
  EXPECT_FALSE(HeaderOf(r, "WWW-Authenticate").empty());
  EXPECT_EQ(Call("POST", "/admin/reload", "", {{"authorization", "Bearer nope"}}).status, 401);
  r = Call("POST", "/admin/reload", "", {{"authorization", "Bearer t0ken"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["result"], "unchanged");

  ASSERT_TRUE(testing::BuildTinyBundle(bundle_, {{"version", "2.0"}}).ok());
  r = Call("POST", "/admin/reload", "", {{"authorization", "Bearer t0ken"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["result"], "reloaded");
  EXPECT_EQ(j["previous_version"], "1.0");
  EXPECT_EQ(j["version"], "2.0");
  EXPECT_EQ(
      nlohmann::json::parse(Call("POST", "/predict", R"({"title": "x"})").body)["model"]["version"],
      "2.0");
}

TEST_F(InferenceServiceTest, V2MetadataAndInfer) {
  ASSERT_TRUE(models_->LoadInitial().ok());
  MakeService();
  auto r = Call("GET", "/v2/models/shop");
  ASSERT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["platform"], "prodcat");
  EXPECT_EQ(j["versions"], nlohmann::json({"1.0"}));
  EXPECT_EQ(j["inputs"][0]["name"], "title");
  EXPECT_EQ(j["inputs"][0]["datatype"], "BYTES");
  EXPECT_EQ(Call("GET", "/v2/models/other").status, 404);
  EXPECT_EQ(Call("GET", "/v2/models/shop/versions/9/ready").status, 404);
  EXPECT_EQ(Call("GET", "/v2/models/shop/versions/1.0/ready").status, 200);

  r = Call("POST", "/v2/models/shop/infer", R"({"id": "a",
      "inputs": [{"name": "title", "shape": [2, 1], "datatype": "BYTES",
                  "data": ["garden hose nozzle", "children picture book"]}],
      "parameters": {"top_k": 2}})");
  ASSERT_EQ(r.status, 200) << r.body;
  j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["id"], "a");
  EXPECT_EQ(j["outputs"][0]["data"], nlohmann::json({"Garden", "Books"}));
  EXPECT_EQ(j["outputs"][2]["name"], "probabilities");
  EXPECT_EQ(j["outputs"][2]["shape"], nlohmann::json({2, 2}));

  r = Call("POST", "/v2/models/shop/infer", R"({"inputs": []})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(nlohmann::json::parse(r.body)["error"].is_string());
}

TEST_F(InferenceServiceTest, DocsWithoutAssetsIs503Json) {
  ASSERT_TRUE(models_->LoadInitial().ok());
  MakeService();
  for (const char* path : {"/docs", "/redoc", "/docs/swagger-ui-bundle.js"}) {
    auto r = Call("GET", path);
    EXPECT_EQ(r.status, 503) << path;
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "docs_unavailable");
    EXPECT_NE(j["error"]["message"].get<std::string>().find("npm ci"), std::string::npos);
  }
  EXPECT_EQ(Call("GET", "/docs/../../etc/passwd").status, 404);
  auto r = Call("GET", "/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_TRUE(doc["paths"].contains("/predict/batch"));
}

}  // namespace
}  // namespace prodcat::serving
