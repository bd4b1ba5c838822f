// Graceful shutdown of `prodcat serve`: on SIGTERM it stops accepting, lets in-flight requests
// finish and exits 0 within the drain deadline.
#include <gtest/gtest.h>

#include <atomic>

#include "serve_fixture.h"

namespace prodcat::testing {
namespace {

using Json = nlohmann::json;

TEST(ServeShutdownTest, SigtermDrainsInFlightRequestsAndExitsZero) {
  TempDir dir;
  TrainBundle(dir.path() / "model", 11);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  ServeProcess server(
      dir, dir.path() / "model",
      {"--drain-seconds", "20", "--access-log", dir / "access.log", "--max-batch", "5000"});
  ASSERT_NE(server.port(), 0) << server.err();

  // Batches of 5000 products take tens of milliseconds each on the two worker threads, so
  // several are in flight at once.
  constexpr int kItems = 5000;
  Json items = Json::array();
  for (int i = 0; i < kItems; ++i) {
    items.push_back({{"title", "Stainless steel insulated water bottle " + std::to_string(i)},
                     {"brand", "Aquaflow"},
                     {"description", "Keeps drinks cold for 24 hours, leak proof lid, bpa free"},
                     {"price", 19.5}});
  }
  const std::string body = items.dump();
  constexpr int kClients = 4;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<HttpClient>(server.port(), 30000));
    // One request first, so the connection is accepted before the shutdown begins.
    ASSERT_EQ(clients.back()->Request("GET", "/health").status, 200);
  }
  std::atomic<int> sent{0};
  std::vector<HttpResult> results(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      std::string request =
          "POST /predict/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
      if (clients[i]->SendRaw(request)) ++sent;
      results[i] = clients[i]->ReadResponse();
    });
  }
  ASSERT_TRUE(WaitFor([&] { return sent.load() == kClients; }));
  // Wait until the server holds the batches (in-flight gauge: the batches + this scrape).
  HttpClient probe(server.port());
  double in_flight = 0;
  WaitFor(
      [&] {
        in_flight =
            MetricValue(probe.Request("GET", "/metrics").body, "prodcat_http_in_flight_requests");
        return in_flight >= 3;
      },
      std::chrono::milliseconds(5000));
  probe.Disconnect();
  int code = server.Stop(SIGTERM, std::chrono::seconds(30));
  for (auto& t : threads) t.join();

  EXPECT_EQ(code, 0) << server.err();
  EXPECT_GE(in_flight, 3) << "the batches finished before the signal; the test proved little";
  int closed = 0;
  for (int i = 0; i < kClients; ++i) {
    ASSERT_EQ(results[i].status, 200) << "client " << i << ": " << results[i].body.substr(0, 200);
    Json b = Json::parse(results[i].body);
    EXPECT_EQ(b["total_processed"], kItems);
    EXPECT_EQ(b["succeeded"], kItems);
    closed += results[i].headers["connection"] == "close";
  }
  EXPECT_GE(closed, 1);  // answers written while draining end their connection
  EXPECT_NE(server.err().find("SIGTERM: draining"), std::string::npos) << server.err();
  // The access log was flushed on the way out: 4 health checks, the scrapes and 4 batches.
  std::string log = Slurp(dir / "access.log");
  size_t batches = 0;
  for (size_t pos = 0; (pos = log.find("\"path\":\"/predict/batch\"", pos)) != std::string::npos;
       ++pos) {
    ++batches;
  }
  EXPECT_EQ(batches, 4u);
  // Nothing listens any more.
  HttpClient after(server.port(), 1000);
  EXPECT_FALSE(after.Connect());
}

}  // namespace
}  // namespace prodcat::testing
