// RestHttpClient: a small synchronous HTTP/1.1 client on Boost.Beast for the tracking REST API.
// One keep-alive connection (re-opened when the server drops it), a connect timeout and a
// per-request deadline, and bounded retries with exponential backoff on connection failures
// and on 429/502/503/504. Plain http:// only. Thread-safe (requests are serialized).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "prodcat/common/status.h"

namespace prodcat::tracking {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{120000};  // whole request and response
  int max_retries = 3;                                // after the first attempt
  std::chrono::milliseconds initial_backoff{100};     // doubled after each retry
  // Sent as "Authorization: Bearer <token>" when not empty.
  std::string bearer_token;
  std::map<std::string, std::string> headers;  // extra headers on every request
};

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

class RestHttpClient {
 public:
  // `base_url`: "http://host:port" optionally followed by a path prefix.
  static Status Create(const std::string& base_url, HttpClientOptions options,
                       std::unique_ptr<RestHttpClient>* client);
  ~RestHttpClient();

  // `target` is appended to the base URL's path ("/api/2.0/mlflow/runs/get?run_id=...").
  // `headers` (optional) are added to this request only.
  Status Send(const std::string& method, const std::string& target, const std::string& body,
              const std::string& content_type, HttpReply* reply,
              const std::map<std::string, std::string>* headers = nullptr);

  const std::string& base_url() const { return base_url_; }

  // Percent-encodes everything but unreserved characters (and '/' when keep_slash).
  static std::string UrlEncode(std::string_view text, bool keep_slash = false);

  struct Connection;

 private:
  RestHttpClient() = default;
  Status SendOnce(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& content_type, HttpReply* reply,
                  const std::map<std::string, std::string>* headers);

  std::string base_url_;                    // as given, without trailing slash
  std::string host_;                        // for connecting and the Host header
  std::string port_;                        // decimal
  std::string path_prefix_;                 // "" or "/prefix"
  HttpClientOptions options_;               // immutable after Create
  std::mutex mutex_;                        // serializes requests on the one connection
  std::unique_ptr<Connection> connection_;  // null until the first request or after a failure
};

}  // namespace prodcat::tracking
