// RunServer: `prodcat serve` as a function. Loads and warms the model, listens, prints
// "listening on HOST:PORT" on stdout, then waits for signals on the calling thread (sigwait, so
// no work happens in a signal handler): SIGHUP checks the model source now; SIGTERM or SIGINT
// stop accepting, drain in-flight requests up to the drain deadline and return.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/monitoring/drift_options.h"
#include "prodcat/serving/fallback_router.h"
#include "prodcat/serving/inference_service.h"

namespace prodcat::serving {

struct ServerRunOptions {
  std::string model;         // a bundle directory or a models:/ registry URI
  std::string model_name;    // "" = the source's name (directory or registered model name)
  std::string tracking_uri;  // the registry's store for models:/ URIs ("" = default)
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0 = any free port (printed)
  int threads = 0;       // I/O threads and batch workers each; 0 = hardware concurrency
  std::chrono::milliseconds poll_interval{5000};  // 0 = no polling (SIGHUP / admin only)
  std::chrono::milliseconds drain{10000};         // the SIGTERM drain deadline
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  std::string admin_token_file;  // "" = $PRODCAT_ADMIN_TOKEN, if set
  std::string access_log = "-";  // "-" stderr, "off", or a file
  std::string web_root;          // "" = DefaultWebRoot()
  ServiceOptions service;        // limits and top_k (admin_token and web_root are filled in)
  // The fallback model: "" = automatic (models:/NAME@fallback when --model is models:/NAME...,
  // or the bundle directory's sibling fallback_model/, when present); "none" = no fallback
  // model (the class prior is the last resort); else a directory or models:/ URI (must load).
  std::string fallback;
  std::string shadow;               // a candidate model scoring copies of live traffic ("" none)
  FallbackOptions fallback_policy;  // when the fallback answers
  // A/B experiments: the SQLite store of experiments, assignments and feedback ("" =
  // ./prodcat-store/experiments.db, "none" = no experiments) and the experiments declared in
  // the config (ExperimentSpec JSON objects), created or checked at every start.
  std::string experiments_db;
  nlohmann::json declared_experiments = nlohmann::json::array();
  bool drift = true;  // keep drift windows (GET /drift, metrics, fallback rules)
  monitoring::DriftOptions drift_options;  // windows, thresholds, support limits
};

// Blocks until SIGTERM/SIGINT. Fails (without serving) when the model cannot be loaded or the
// address cannot be bound; returns an error also when the drain deadline passed with requests
// still in flight.
Status RunServer(const ServerRunOptions& options);

}  // namespace prodcat::serving
