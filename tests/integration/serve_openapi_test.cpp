// Keeps /openapi.json true: real responses of `prodcat serve` (successes and errors) are checked
// against the schemas the document declares for their path, method, status and content type,
// with a small JSON-schema subset checker (type, nullable, required, properties, items, enum,
// $ref). Properties a schema does not list are errors, so undocumented fields are caught too.
#include <gtest/gtest.h>

#include <set>

#include "serve_fixture.h"

namespace prodcat::testing {
namespace {

using Json = nlohmann::json;

class SchemaChecker {
 public:
  explicit SchemaChecker(const Json& doc) : doc_(doc) {}

  // Appends one message per violation to *errors.
  void Check(const Json& schema, const Json& value, const std::string& where,
             std::vector<std::string>* errors) const {
    const Json& s = Resolve(schema, errors);
    static const std::set<std::string> kSupported = {"type",
                                                     "nullable",
                                                     "required",
                                                     "properties",
                                                     "items",
                                                     "enum",
                                                     "$ref",
                                                     "description",
                                                     "minimum",
                                                     "maximum",
                                                     "minLength",
                                                     "maxLength",
                                                     "minItems",
                                                     "maxItems",
                                                     "default",
                                                     "example",
                                                     "additionalProperties"};
    for (const auto& [key, unused] : s.items()) {
      if (!kSupported.count(key)) errors->push_back(where + ": unsupported keyword " + key);
    }
    if (value.is_null() && s.value("nullable", false)) return;
    if (s.contains("type") && !HasType(value, s["type"].get<std::string>())) {
      errors->push_back(where + ": expected " + s["type"].get<std::string>() + ", got " +
                        value.dump().substr(0, 80));
      return;
    }
    if (s.contains("enum")) {
      bool found = false;
      for (const auto& e : s["enum"]) found = found || e == value;
      if (!found) errors->push_back(where + ": " + value.dump() + " not in " + s["enum"].dump());
    }
    if (value.is_object()) {
      for (const auto& r : s.value("required", Json::array())) {
        if (!value.contains(r.get<std::string>())) {
          errors->push_back(where + ": missing required " + r.get<std::string>());
        }
      }
      if (s.contains("properties")) {
        const Json& props = s["properties"];
        bool open = s.value("additionalProperties", false) == true;
        for (const auto& [key, v] : value.items()) {
          if (props.contains(key)) {
            Check(props[key], v, where + "." + key, errors);
          } else if (!open) {
            errors->push_back(where + ": undocumented property " + key);
          }
        }
      }
    }
    if (value.is_array() && s.contains("items")) {
      for (size_t i = 0; i < value.size(); ++i) {
        Check(s["items"], value[i], where + "[" + std::to_string(i) + "]", errors);
      }
    }
  }

  // Follows "$ref": "#/components/..." (chains too).
  const Json& Resolve(const Json& schema, std::vector<std::string>* errors) const {
    const Json* s = &schema;
    for (int hops = 0; s->contains("$ref") && hops < 10; ++hops) {
      std::string ref = (*s)["$ref"];
      if (ref.rfind("#/", 0) != 0) {
        errors->push_back("unsupported $ref " + ref);
        return *s;
      }
      Json::json_pointer pointer(ref.substr(1));
      if (!doc_.contains(pointer)) {
        errors->push_back("dangling $ref " + ref);
        return *s;
      }
      s = &doc_.at(pointer);
    }
    return *s;
  }

 private:
  static bool HasType(const Json& v, const std::string& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    return false;
  }
  const Json& doc_;  // the OpenAPI document
};

// The documented path template a concrete path matches ("/v2/models/{name}/infer").
std::string MatchTemplate(const Json& doc, const std::string& path) {
  auto split = [](const std::string& p) {
    std::vector<std::string> parts;
    size_t i = 1;
    while (i <= p.size()) {
      size_t j = p.find('/', i);
      if (j == std::string::npos) j = p.size();
      if (j > i) parts.push_back(p.substr(i, j - i));
      i = j + 1;
    }
    return parts;
  };
  std::vector<std::string> parts = split(path);
  for (const auto& [tmpl, unused] : doc["paths"].items()) {
    std::vector<std::string> t = split(tmpl);
    if (t.size() != parts.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < t.size() && ok; ++i) ok = t[i].front() == '{' || t[i] == parts[i];
    if (ok) return tmpl;
  }
  return "";
}

class ServeOpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TrainBundle(dir_.path() / "catalog", 11);
    if (HasFatalFailure()) return;
    std::ofstream(dir_ / "token") << "admin-secret\n";
    std::filesystem::create_directories(dir_.path() / "web/swagger-ui-dist");
    std::ofstream(dir_ / "web/swagger-ui-dist/swagger-ui-bundle.js") << "//";
    server_ = std::make_unique<ServeProcess>(
        dir_, dir_.path() / "catalog",
        std::vector<std::string>{"--admin-token-file", dir_ / "token", "--web-root", dir_ / "web",
                                 "--max-batch", "5", "--allow-fault-injection", "--shadow",
                                 dir_ / "catalog", "--experiments-db", dir_ / "experiments.db"});
    ASSERT_NE(server_->port(), 0) << server_->err();
    HttpClient c(server_->port());
    auto r = c.Request("GET", "/openapi.json");
    ASSERT_EQ(r.status, 200);
    doc_ = Json::parse(r.body);
    checker_ = std::make_unique<SchemaChecker>(doc_);
  }

  // Sends the request and checks the response against the document.
  void Exchange(const std::string& method, const std::string& target, const std::string& body = "",
                const std::map<std::string, std::string>& headers = {}, int expect_status = 0) {
    HttpClient c(server_->port());
    HttpResult r = c.Request(method, target, body, headers);
    std::string what = method + " " + target + " -> " + std::to_string(r.status);
    if (expect_status != 0) {
      EXPECT_EQ(r.status, expect_status) << what << " " << r.body;
    }
    std::string path = target.substr(0, target.find('?'));
    std::string tmpl = MatchTemplate(doc_, path);
    ASSERT_FALSE(tmpl.empty()) << what << ": path not documented";
    std::string m = method;
    for (char& ch : m) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    ASSERT_TRUE(doc_["paths"][tmpl].contains(m)) << what << ": method not documented";
    const Json& responses = doc_["paths"][tmpl][m]["responses"];
    std::string status = std::to_string(r.status);
    ASSERT_TRUE(responses.contains(status)) << what << ": status not documented: " << r.body;
    std::vector<std::string> errors;
    const Json& response = checker_->Resolve(responses[status], &errors);
    std::string type = r.headers["content-type"].substr(0, r.headers["content-type"].find(';'));
    ASSERT_TRUE(response["content"].contains(type)) << what << ": content type " << type;
    const Json& schema = response["content"][type]["schema"];
    Json value = type == "application/json" ? Json::parse(r.body, nullptr, false) : Json(r.body);
    ASSERT_FALSE(value.is_discarded()) << what << ": invalid JSON " << r.body;
    checker_->Check(schema, value, what, &errors);
    for (const auto& e : errors) ADD_FAILURE() << e;
    covered_.insert(m + " " + tmpl);
  }

  TempDir dir_;
  std::unique_ptr<ServeProcess> server_;
  Json doc_;
  std::unique_ptr<SchemaChecker> checker_;
  std::set<std::string> covered_;  // "get /path" of every exchanged operation
};

TEST_F(ServeOpenApiTest, RealResponsesMatchTheDocument) {
  EXPECT_EQ(doc_["openapi"], "3.0.3");
  const std::string auth = "Bearer admin-secret";
  const std::string infer = R"({"id": "x", "inputs": [{"name": "title", "shape": [2],
      "datatype": "BYTES", "data": ["Wireless mouse", "Yoga mat"]}, {"name": "price",
      "shape": [2, 1], "datatype": "FP32", "data": [10, 20]}], "parameters": {"top_k": 2}})";

  Exchange("GET", "/", "", {}, 200);
  Exchange("GET", "/health", "", {}, 200);
  Exchange("GET", "/ready", "", {}, 200);
  Exchange("POST", "/predict", R"({"title": "Wireless earbuds", "product_id": "p1",
      "price": 10, "seller_id": 7})",
           {{"X-Request-Id", "r1"}}, 200);
  Exchange("POST", "/predict?top_k=12", R"({"title": "Garden hose"})", {}, 200);
  Exchange("POST", "/predict", R"({"title": "x",)", {}, 400);
  Exchange("POST", "/predict", R"({"brand": "x"})", {}, 422);
  Exchange("POST", "/predict", R"({"title": "x", "price": "NaN"})", {}, 422);
  Exchange("POST", "/predict/batch", R"([{"title": "Mystery novel", "product_id": "b"},
      {"title": ""}, 5])",
           {}, 200);
  Exchange("POST", "/predict/batch", R"({"items": [{"title": "Dog leash"}]})", {}, 200);
  Json six = Json::array();  // one more than --max-batch
  for (int i = 0; i < 6; ++i) six.push_back({{"title", "a"}});
  Exchange("POST", "/predict/batch", six.dump(), {}, 413);
  Exchange("POST", "/predict/batch", "[}", {}, 400);
  Exchange("POST", "/predict/batch", "[]", {}, 422);
  Exchange("GET", "/metrics", "", {}, 200);
  Exchange("GET", "/openapi.json", "", {}, 200);
  Exchange("GET", "/docs", "", {}, 200);
  Exchange("GET", "/redoc", "", {}, 503);  // this web root has no ReDoc
  Exchange("POST", "/admin/reload", "", {}, 401);
  Exchange("POST", "/admin/reload", "", {{"Authorization", "Bearer wrong"}}, 401);
  Exchange("POST", "/admin/reload", "", {{"Authorization", auth}}, 200);
  // Fallback answers (the class prior here) and the shadow's report.
  Exchange("POST", "/admin/fault", R"({"primary": "error"})", {}, 401);
  Exchange("POST", "/admin/fault", R"({"primary": 1})", {{"Authorization", auth}}, 422);
  Exchange("POST", "/admin/fault", "[", {{"Authorization", auth}}, 400);
  Exchange("POST", "/admin/fault", R"({"primary": "error"})", {{"Authorization", auth}}, 200);
  Exchange("POST", "/predict", R"({"title": "Garden hose"})", {}, 200);
  Exchange("POST", "/predict/batch", R"([{"title": "Garden hose"}])", {}, 200);
  Exchange("POST", "/admin/fault", R"({"primary": "none"})", {{"Authorization", auth}}, 200);
  Exchange("GET", "/shadow", "", {}, 200);
  Exchange("GET", "/drift", "", {}, 200);
  // An experiment: created, listed, assigned, fed back, summarized, stopped.
  const std::string bundle = dir_ / "catalog";
  const std::string spec = R"({"id": "e1", "arms": [{"name": "a", "model": ")" + bundle +
                           R"(", "weight": 1}, {"name": "b", "model": ")" + bundle +
                           R"(", "weight": 1}]})";
  Exchange("POST", "/experiments", spec, {}, 401);
  Exchange("POST", "/experiments", "[", {{"Authorization", auth}}, 400);
  Exchange("POST", "/experiments", R"({"id": "e0", "arms": []})", {{"Authorization", auth}}, 422);
  Exchange("POST", "/experiments", spec, {{"Authorization", auth}}, 201);
  Exchange("POST", "/experiments", spec, {{"Authorization", auth}}, 409);
  Exchange("GET", "/experiments", "", {}, 200);
  Exchange("POST", "/predict", R"({"title": "Garden hose", "user_id": "u1", "product_id": "q1"})",
           {{"X-Request-Id", "exp-1"}}, 200);
  Exchange("POST", "/feedback", R"({"request_id": "exp-1", "true_category": "Garden"})", {}, 200);
  Exchange("POST", "/feedback", R"({"request_id": "exp-1", "true_category": "Garden"})", {}, 409);
  Exchange("POST", "/feedback", R"({"request_id": "none", "true_category": "Garden"})", {}, 404);
  Exchange("POST", "/feedback", R"({"request_id": 5})", {}, 422);
  Exchange("POST", "/feedback", "]", {}, 400);
  Exchange("GET", "/experiments/e1", "", {}, 200);
  Exchange("GET", "/experiments/zz", "", {}, 404);
  Exchange("POST", "/experiments/e1/stop", "", {}, 401);
  Exchange("POST", "/experiments/zz/stop", "", {{"Authorization", auth}}, 404);
  Exchange("POST", "/experiments/e1/stop", "", {{"Authorization", auth}}, 200);
  Exchange("GET", "/v2", "", {}, 200);
  Exchange("GET", "/v2/health/live", "", {}, 200);
  Exchange("GET", "/v2/health/ready", "", {}, 200);
  Exchange("GET", "/v2/models/catalog", "", {}, 200);
  Exchange("GET", "/v2/models/unknown", "", {}, 404);
  Exchange("GET", "/v2/models/catalog/ready", "", {}, 200);
  Exchange("POST", "/v2/models/catalog/infer", infer, {}, 200);
  Exchange("POST", "/v2/models/catalog/infer",
           R"({"inputs": [{"name": "title", "shape": [1], "datatype": "BYTES", "data": ["x"]}],
               "outputs": [{"name": "labels"}, {"name": "confidence"}]})",
           {}, 200);
  Exchange("POST", "/v2/models/catalog/infer", R"({"inputs": [{"name": "colour"}]})", {}, 400);
  Exchange("POST", "/v2/models/unknown/infer", infer, {}, 404);

  // A corrupt bundle makes the reload fail (500), documented too.
  namespace fs = std::filesystem;
  fs::path manifest = dir_.path() / "catalog/manifest.json";
  std::string text = Slurp(manifest);
  std::ofstream(manifest, std::ios::trunc) << text.substr(0, text.size() / 2);
  Exchange("POST", "/admin/reload", "", {{"Authorization", auth}}, 500);

  // Every documented operation was exercised.
  for (const auto& [path, ops] : doc_["paths"].items()) {
    for (const auto& [method, unused] : ops.items()) {
      EXPECT_TRUE(covered_.count(method + " " + path))
          << "not exercised: " << method << " " << path;
    }
  }
}

TEST_F(ServeOpenApiTest, DocumentIsWellFormed) {
  std::vector<std::string> errors;
  // Every $ref resolves and every operation has an id and at least one response.
  std::function<void(const Json&)> walk = [&](const Json& j) {
    if (j.is_object()) {
      if (j.contains("$ref")) checker_->Resolve(j, &errors);
      for (const auto& [k, v] : j.items()) walk(v);
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  walk(doc_);
  std::set<std::string> ids;
  for (const auto& [path, ops] : doc_["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      EXPECT_TRUE(op.contains("operationId")) << method << " " << path;
      EXPECT_TRUE(ids.insert(op.value("operationId", "")).second) << "duplicate operationId";
      EXPECT_FALSE(op["responses"].empty()) << method << " " << path;
    }
  }
  for (const auto& e : errors) ADD_FAILURE() << e;
  EXPECT_EQ(doc_["components"]["schemas"]["Product"]["properties"]["title"]["maxLength"], 1000);
}

}  // namespace
}  // namespace prodcat::testing
