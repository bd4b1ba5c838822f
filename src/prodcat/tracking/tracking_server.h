// TrackingServer: MLflow 2.x's REST API over a TrackingStore, so MLflow's own Python client and
// prodcat's REST store work against it unchanged.
//   /api/2.0/mlflow/...                 experiments, runs, metrics, artifacts/list, registry
//   /ajax-api/2.0/mlflow/...            the same (MLflow's UI prefix)
//   /api/2.0/mlflow-artifacts/artifacts the artifact proxy: PUT/GET/DELETE <path>, GET ?path=
//   /api/2.0/prodcat/...                transition history and artifact digests (prodcat only)
//   /health, /version
// Errors are MLflow's {"error_code", "message"} with its HTTP statuses. With an auth token,
// every write (POST/PUT/PATCH/DELETE except the read-only searches) needs
// "Authorization: Bearer <token>" or gets 401 UNAUTHENTICATED.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/http/router.h"
#include "prodcat/http/server.h"
#include "prodcat/tracking/store.h"

namespace prodcat::tracking {

struct TrackingServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 5000;                           // 0 picks a free port
  std::string auth_token;                         // empty: no authentication
  size_t max_json_body_bytes = 16u << 20;         // API request bodies
  size_t max_artifact_bytes = size_t{512} << 20;  // one artifact upload
  int io_threads = 2;
  int worker_threads = 0;   // 0: hardware concurrency
  bool access_log = false;  // one spdlog line per request
};

class TrackingServer {
 public:
  TrackingServer(std::shared_ptr<TrackingStore> store, std::filesystem::path artifact_root,
                 TrackingServerOptions options);
  ~TrackingServer();
  TrackingServer(const TrackingServer&) = delete;
  TrackingServer& operator=(const TrackingServer&) = delete;

  Status Start();
  uint16_t port() const;
  bool Shutdown(std::chrono::milliseconds drain);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;  // never null
};

// The MLflow-style error body for errors the HTTP layer produces itself (404, 405, 413, ...).
void MlflowErrorFormatter(int status, const std::string& code, const std::string& message,
                          http::Response* response);

}  // namespace prodcat::tracking
