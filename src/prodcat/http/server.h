// HttpServer: HTTP/1.1 with keep-alive on Boost.Beast, for the inference and tracking servers.
// - The body limit is chosen per route from the request header, before the body is read, and
//   is enforced on chunked bodies too (Beast counts decoded bytes).
// - Header and body read timeouts close slow-loris clients; idle keep-alive connections time out.
// - Routes marked `offload` run on a worker pool, off the I/O threads.
// - Shutdown stops accepting, lets in-flight requests finish (up to a deadline), then stops.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/http/router.h"

namespace prodcat::http {

struct AccessLogEntry {
  std::string method;
  std::string target;
  int status = 0;
  double duration_ms = 0;
  size_t request_bytes = 0;
  size_t response_bytes = 0;
  std::string remote;
  std::string request_id;  // the response's X-Request-Id, when the handler set one
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                                // 0 = pick a free port
  int io_threads = 0;                               // 0 = hardware concurrency
  int worker_threads = 0;                           // offload pool; 0 = hardware concurrency
  std::chrono::milliseconds header_timeout{10000};  // whole header must arrive in this time
  std::chrono::milliseconds body_timeout{30000};    // whole body must arrive in this time
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive wait for the next request
  size_t max_header_bytes = size_t{16} * 1024;
  std::string server_name = "prodcat";
  // Formats error bodies the server produces itself (404, 405, 408, 413, 400 ...).
  std::function<void(int status, const std::string& code, const std::string& message,
                     Response* response)>
      error_formatter;
  std::function<void(const AccessLogEntry&)> access_log;  // optional
  // Called for every request before routing; may fill the response and return false to stop.
  std::function<bool(Request&, Response&)> before_handler;
  // Called after every handled request (status known), e.g. for metrics.
  std::function<void(const Request&, const Response&, double duration_ms)> after_handler;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Router router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the I/O threads. Fails with a clear message when the port is taken.
  Status Start();
  uint16_t port() const;
  // Stops accepting, waits for in-flight requests up to `drain`, then stops all threads.
  // Returns true when everything drained in time.
  bool Shutdown(std::chrono::milliseconds drain);
  size_t in_flight() const;
  bool draining() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;  // never null
};

// The default error body: {"error": {"code": ..., "message": ..., "field": null}}.
void DefaultErrorFormatter(int status, const std::string& code, const std::string& message,
                           Response* response);

}  // namespace prodcat::http
