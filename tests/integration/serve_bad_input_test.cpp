// Bad input never crashes or hangs `prodcat serve`: each case gets its 4xx status and
// {"error": {"code", "message", "field"}}, and the server keeps serving.
#include <gtest/gtest.h>

#include "serve_fixture.h"

namespace prodcat::testing {
namespace {

using Json = nlohmann::json;

class ServeBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TrainBundle(dir_.path() / "model", 11);
    if (HasFatalFailure()) return;
    server_ = std::make_unique<ServeProcess>(
        dir_, dir_.path() / "model",
        std::vector<std::string>{"--header-timeout", "1", "--body-timeout", "1"});
    ASSERT_NE(server_->port(), 0) << server_->err();
  }
  void TearDown() override {
    if (!server_ || server_->port() == 0) return;
    // Still alive and well after everything the test threw at it.
    HttpClient c(server_->port());
    EXPECT_EQ(c.Request("POST", "/predict", R"({"title": "usb-c charger"})").status, 200);
    EXPECT_EQ(server_->Stop(), 0) << server_->err();
  }
  // Checks the status and the error body's code and field ("" = null).
  void ExpectError(const HttpResult& r, int status, const std::string& code,
                   const std::string& field, const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    Json j = Json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << what << ": " << r.body;
    ASSERT_TRUE(j["error"].is_object()) << what << ": " << r.body;
    EXPECT_EQ(j["error"]["code"], code) << what << ": " << r.body;
    EXPECT_TRUE(j["error"]["message"].is_string()) << what;
    if (field.empty()) {
      EXPECT_TRUE(j["error"]["field"].is_null()) << what << ": " << r.body;
    } else {
      EXPECT_EQ(j["error"]["field"], field) << what << ": " << r.body;
    }
  }

  TempDir dir_;
  std::unique_ptr<ServeProcess> server_;
};

TEST_F(ServeBadInputTest, InvalidBodiesOfPredict) {
  struct Case {
    std::string body;
    int status;
    const char* code;
    const char* field;
  };
  const std::vector<Case> cases = {
      {R"({"title": "x",)", 400, "invalid_json", ""},
      {"", 400, "invalid_json", ""},
      {"{\"title\": \"caf\xc3\"}", 400, "invalid_json", ""},
      {R"({"title": NaN})", 400, "invalid_json", ""},
      {R"({"title": "x"} {"title": "y"})", 400, "invalid_json", ""},
      {"[1, 2, 3]", 422, "invalid_request", ""},
      {R"({"brand": "Sony"})", 422, "required", "title"},
      {R"({"title": "   "})", 422, "required", "title"},
      {R"({"title": 123})", 422, "wrong_type", "title"},
      {R"({"title": "x", "price": "12.5"})", 422, "wrong_type", "price"},
      {R"({"title": "x", "price": "NaN"})", 422, "wrong_type", "price"},
      {R"({"title": "x", "price": "Infinity"})", 422, "wrong_type", "price"},
      {R"({"title": "x", "price": 1e400})", 422, "not_finite", "price"},
      {R"({"title": "x", "price": -5})", 422, "negative", "price"},
      {R"({"title": "x", "rating": 7})", 422, "out_of_range", "rating"},
      {R"({"title": "x", "reviews_count": -2})", 422, "negative", "reviews_count"},
      {R"({"title": "x", "brand": {"name": "Sony"}})", 422, "wrong_type", "brand"},
      {R"({"title": ")" + std::string(5000, 'a') + R"("})", 422, "too_long", "title"},
      {R"({"title": "x", "description": ")" + std::string(20000, 'd') + R"("})", 422, "too_long",
       "description"},
  };
  HttpClient c(server_->port());
  for (const Case& k : cases) {
    auto r = c.Request("POST", "/predict", k.body);
    ExpectError(r, k.status, k.code, k.field, k.body.substr(0, 60));
  }
  // Deep nesting in an ignored field is skipped without recursion: no stack overflow.
  std::string deep = R"({"title": "usb cable", "extra": )" + std::string(100000, '[') +
                     std::string(100000, ']') + "}";
  auto r = c.Request("POST", "/predict", deep);
  EXPECT_TRUE(r.status == 200 || r.status == 400) << r.status << " " << r.body.substr(0, 200);
}

TEST_F(ServeBadInputTest, BodiesOverTheLimit) {
  // The body is not sent: the limit is applied to the header, before any body byte is read
  // (a client that sent it all would just see the connection closed after the 413).
  auto header_only = [&](const std::string& path, size_t length) {
    HttpClient c(server_->port());
    EXPECT_TRUE(c.SendRaw("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " +
                          "application/json\r\nContent-Length: " + std::to_string(length) +
                          "\r\n\r\n"));
    return c.ReadResponse();
  };
  ExpectError(header_only("/predict", (1 << 20) + 1), 413, "payload_too_large", "", "single");
  ExpectError(header_only("/predict/batch", (16 << 20) + 1), 413, "payload_too_large", "", "batch");
  ExpectError(header_only("/v2/models/model/infer", (16 << 20) + 1), 413, "payload_too_large", "",
              "infer");
  // Just under the batch limit the header is accepted (the server waits for the body).
  HttpClient accepted(server_->port(), 500);
  ASSERT_TRUE(accepted.SendRaw("POST /predict/batch HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                               std::to_string(16 << 20) + "\r\n\r\n["));
  EXPECT_EQ(accepted.ReadResponse().status, 0);  // no answer yet: still reading the body

  // Chunked bodies are counted as they arrive: 1 MiB + 1 byte of chunks gets 413.
  HttpClient chunked(server_->port());
  std::string request = "POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const size_t kChunk = 256 * 1024;
  char size_line[32];
  std::snprintf(size_line, sizeof(size_line), "%zx\r\n", kChunk);
  for (int i = 0; i < 4; ++i) request += size_line + std::string(kChunk, 'y') + "\r\n";
  request += "1\r\nz\r\n";  // the byte over the limit; no terminating chunk is needed
  ASSERT_TRUE(chunked.SendRaw(request));
  ExpectError(chunked.ReadResponse(), 413, "payload_too_large", "", "chunked");
}

TEST_F(ServeBadInputTest, SlowClientsAreCutOff) {
  // Header never finished (slow loris): 408 after --header-timeout (1 s), then closed.
  HttpClient slow_header(server_->port(), 5000);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow_header.SendRaw("POST /predict HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  auto r = slow_header.ReadResponse();
  auto waited = std::chrono::steady_clock::now() - start;
  ExpectError(r, 408, "request_timeout", "", "slow header");
  EXPECT_LT(waited, std::chrono::seconds(4));
  EXPECT_EQ(r.headers["connection"], "close");

  // Body promised but never sent in full: 408 after --body-timeout (1 s).
  HttpClient slow_body(server_->port(), 5000);
  ASSERT_TRUE(slow_body.SendRaw(
      "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"title\":"));
  ExpectError(slow_body.ReadResponse(), 408, "request_timeout", "", "slow body");

  // Meanwhile other clients are served.
  HttpClient c(server_->port());
  EXPECT_EQ(c.Request("GET", "/health").status, 200);
}

TEST_F(ServeBadInputTest, RoutingAndProtocolErrors) {
  HttpClient c(server_->port());
  ExpectError(c.Request("GET", "/nope"), 404, "not_found", "", "unknown path");
  ExpectError(c.Request("GET", "/predict"), 405, "method_not_allowed", "", "wrong method");
  ExpectError(c.Request("POST", "/predict?top_k=zero", R"({"title": "x"})"), 422,
              "invalid_parameter", "top_k", "top_k");
  HttpClient raw(server_->port());
  ASSERT_TRUE(raw.SendRaw("THIS IS NOT HTTP\r\n\r\n"));
  EXPECT_EQ(raw.ReadResponse().status, 400);
  HttpClient big_header(server_->port());
  ASSERT_TRUE(big_header.SendRaw(
      "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'h') + "\r\n\r\n"));
  EXPECT_EQ(big_header.ReadResponse().status, 431);
  // A hostile request id is replaced, not echoed.
  auto r = c.Request("GET", "/health", "", {{"X-Request-Id", "<script>alert(1)</script> x"}});
  EXPECT_EQ(r.headers["x-request-id"].size(), 32u);
}

TEST_F(ServeBadInputTest, BatchErrorsStayPerItem) {
  HttpClient c(server_->port());
  auto r = c.Request("POST", "/predict/batch",
                     R"([{"title": "laptop stand"}, {"title": 5}, "not an object", null,
                         {"title": "x", "price": "NaN"}, {"title": "dog leash"}])");
  ASSERT_EQ(r.status, 200) << r.body;
  Json b = Json::parse(r.body);
  EXPECT_EQ(b["succeeded"], 2);
  EXPECT_EQ(b["failed"], 4);
  EXPECT_TRUE(b["results"][0].contains("category"));
  EXPECT_EQ(b["results"][1]["error"]["field"], "title");
  EXPECT_EQ(b["results"][2]["error"]["code"], "invalid_item");
  EXPECT_EQ(b["results"][3]["error"]["code"], "invalid_item");
  EXPECT_EQ(b["results"][4]["error"]["field"], "price");
  EXPECT_TRUE(b["results"][5].contains("category"));
  ExpectError(c.Request("POST", "/predict/batch", R"([{"title": "a"}, {"title": )"), 400,
              "invalid_json", "", "truncated batch");
  ExpectError(c.Request("POST", "/predict/batch", "[]"), 422, "empty_batch", "items", "empty");
  ExpectError(c.Request("POST", "/predict/batch", R"({"title": "x"})"), 422, "missing_field",
              "items", "single object");
}

}  // namespace
}  // namespace prodcat::testing
