#include "prodcat/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http_client.h"

namespace prodcat::http {
namespace {

using prodcat::testing::HttpClient;
using prodcat::testing::HttpResult;

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    Router router;
    router.Add("GET", "/hello", [](Request& req, Response& res) {
      res.SetJson(200, {{"hello", req.query.count("name") ? req.query.at("name") : "world"}});
    });
    router.Add("POST", "/echo", [](Request& req, Response& res) {
      res.content_type = "text/plain";
      res.body = req.body;
    });
    router.Add(
        "POST", "/big",
        [](Request& req, Response& res) {
          res.SetJson(200, {{"bytes", req.body.size()}});
        },
        RouteOptions{4 << 20, true});
    router.Add("GET", "/models/{name}/versions/{version}", [](Request& req, Response& res) {
      res.SetJson(
          200, {{"name", req.path_params.at("name")}, {"version", req.path_params.at("version")}});
    });
    router.Add("GET", "/files/{path*}", [](Request& req, Response& res) {
      res.SetJson(200, {{"path", req.path_params.at("path")}});
    });
    router.Add(
        "GET", "/slow",
        [this](Request&, Response& res) {
          ++slow_started_;
          std::this_thread::sleep_for(std::chrono::milliseconds(300));
          res.SetJson(200, {{"slow", true}});
        },
        RouteOptions{1 << 20, true});
    router.Add("GET", "/throw", [](Request&, Response&) { throw std::runtime_error("boom"); });
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = 2;
    server_ = std::make_unique<HttpServer>(options, std::move(router));
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::milliseconds(1000));
  }
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> slow_started_{0};
};

TEST_F(ServerTest, RoutesQueryAndPathParams) {
  StartServer();
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/hello?name=caf%C3%A9+au+lait");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["hello"], "café au lait");
  r = c.Request("GET", "/models/my%20model/versions/3");  // same keep-alive connection
  EXPECT_EQ(nlohmann::json::parse(r.body)["name"], "my model");
  EXPECT_EQ(nlohmann::json::parse(r.body)["version"], "3");
  r = c.Request("GET", "/files/a/b/c.txt");
  EXPECT_EQ(nlohmann::json::parse(r.body)["path"], "a/b/c.txt");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowedUseErrorFormat) {
  StartServer();
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "not_found");
  r = c.Request("POST", "/hello", "{}");
  EXPECT_EQ(r.status, 405);
  r = c.Request("GET", "/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("boom"), std::string::npos);
}

TEST_F(ServerTest, BodyLimitByContentLengthAndChunked) {
  StartServer();
  HttpClient c(server_->port());
  std::string two_mib(2 << 20, 'x');
  // Declared too large: refused from the header alone, before any body byte is sent (sending the
  // body would race the server closing the connection).
  ASSERT_TRUE(c.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                        std::to_string(two_mib.size()) + "\r\n\r\n"));
  auto r = c.ReadResponse();
  EXPECT_EQ(r.status, 413);
  HttpClient big(server_->port());
  r = big.Request("POST", "/big", two_mib);  // this route allows 4 MiB
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["bytes"], two_mib.size());
  // Chunked body over the limit: counted as it is decoded.
  HttpClient chunked(server_->port());
  std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  ASSERT_TRUE(chunked.SendRaw(req));
  std::string chunk(512 * 1024, 'y');
  char size_line[32];
  std::snprintf(size_line, sizeof(size_line), "%zx\r\n", chunk.size());
  for (int i = 0; i < 3; ++i) chunked.SendRaw(std::string(size_line) + chunk + "\r\n");
  chunked.SendRaw("0\r\n\r\n");
  r = chunked.ReadResponse();
  EXPECT_EQ(r.status, 413);
}

TEST_F(ServerTest, MalformedRequestIs400) {
  StartServer();
  HttpClient c(server_->port());
  ASSERT_TRUE(c.SendRaw("THIS IS NOT HTTP\r\n\r\n"));
  auto r = c.ReadResponse();
  EXPECT_EQ(r.status, 400);
}

TEST_F(ServerTest, SlowLorisHeaderTimesOut) {
  ServerOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  HttpClient c(server_->port(), 5000);
  ASSERT_TRUE(c.SendRaw("GET /hello HTTP/1.1\r\nHost: x\r\n"));  // never finishes the header
  auto start = std::chrono::steady_clock::now();
  auto r = c.ReadResponse();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, 408);
  EXPECT_LT(s, 3.0);
  // The server still serves others.
  HttpClient other(server_->port());
  EXPECT_EQ(other.Request("GET", "/hello").status, 200);
}

TEST_F(ServerTest, SlowBodyTimesOut) {
  ServerOptions o;
  o.body_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  HttpClient c(server_->port(), 5000);
  ASSERT_TRUE(c.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  auto r = c.ReadResponse();
  EXPECT_EQ(r.status, 408);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterItsTimeout) {
  ServerOptions o;
  o.idle_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  HttpClient c(server_->port(), 5000);
  EXPECT_EQ(c.Request("GET", "/hello").status, 200);
  EXPECT_EQ(c.Request("GET", "/hello").status, 200);  // kept alive between requests
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed());  // then closed by the server, without a response
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(s, 0.2);
  EXPECT_LT(s, 3.0);
}

TEST_F(ServerTest, ConnectionsOnEveryIoThreadAreServedAndCounted) {
  ServerOptions o;
  o.io_threads = 3;
  StartServer(o);
  // Connections go to the I/O threads in turn; each keeps working on its own thread.
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 6; ++i) clients.push_back(std::make_unique<HttpClient>(server_->port()));
  for (int round = 0; round < 3; ++round) {
    for (auto& c : clients) EXPECT_EQ(c->Request("GET", "/hello").status, 200);
  }
  // A body still arriving on each of three connections: all three are in flight.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        clients[i]->SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server_->in_flight() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(server_->in_flight(), 3u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(clients[i]->SendRaw("cd"));
    EXPECT_EQ(clients[i]->ReadResponse().body, "abcd");
  }
  // Uncounted once the write completes, which may be just after the client has the response.
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server_->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(server_->in_flight(), 0u);
}

TEST_F(ServerTest, ShutdownDrainsInFlightRequests) {
  StartServer();
  HttpResult result;
  std::thread t([&] {
    HttpClient c(server_->port());
    result = c.Request("GET", "/slow");
  });
  while (slow_started_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(server_->Shutdown(std::chrono::milliseconds(5000)));
  t.join();
  EXPECT_EQ(result.status, 200);
  HttpClient late(server_->port(), 500);
  EXPECT_FALSE(late.Connect() && late.Request("GET", "/hello").status == 200);
  server_.reset();
}

TEST_F(ServerTest, ShutdownWaitsForABodyStillArriving) {
  StartServer();
  HttpClient c(server_->port(), 5000);
  ASSERT_TRUE(c.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc"));
  // The header is in: the request counts as in flight although its body is not complete.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server_->in_flight() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(server_->in_flight(), 1u);
  std::atomic<bool> drained{false};
  std::thread stopper([&] { drained = server_->Shutdown(std::chrono::milliseconds(5000)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(c.SendRaw("def"));
  auto r = c.ReadResponse();
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abcdef");
  EXPECT_TRUE(drained.load());
  server_.reset();
}

TEST_F(ServerTest, ErrorsTheServerAnswersItselfGoThroughTheHooks) {
  std::atomic<int> after_calls{0};
  ServerOptions o;
  o.before_handler = [](Request& req, Response& res) {
    auto id = req.Header("x-request-id");
    res.SetHeader("X-Request-Id", id ? std::string(*id) : "generated");
    return true;
  };
  o.after_handler = [&](const Request&, const Response& res, double) {
    if (res.status == 413) ++after_calls;
  };
  StartServer(o);
  HttpClient c(server_->port());
  ASSERT_TRUE(
      c.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\nContent-Length: "
                "9999999\r\n\r\n"));
  auto r = c.ReadResponse();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["x-request-id"], "abc-123");
  EXPECT_EQ(after_calls.load(), 1);
}

TEST_F(ServerTest, AccessLogAndHooks) {
  std::atomic<int> logged{0};
  ServerOptions o;
  o.access_log = [&](const AccessLogEntry& e) {
    if (e.target == "/hello") ++logged;
  };
  o.before_handler = [](Request& req, Response& res) {
    if (req.Header("x-block")) {
      res.SetJson(403, {{"blocked", true}});
      return false;
    }
    return true;
  };
  StartServer(o);
  HttpClient c(server_->port());
  EXPECT_EQ(c.Request("GET", "/hello").status, 200);
  EXPECT_EQ(c.Request("GET", "/hello", "", {{"X-Block", "1"}}).status, 403);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(logged.load(), 2);
}

TEST_F(ServerTest, PortInUseIsAClearError) {
  StartServer();
  ServerOptions o;
  o.port = server_->port();
  HttpServer second(o, Router());
  Status s = second.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(std::to_string(server_->port())), std::string::npos);
}

}  // namespace
}  // namespace prodcat::http
