#include "prodcat/serving/server_runner.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "prodcat/http/server.h"
#include "prodcat/serving/access_log.h"
#include "prodcat/serving/admin_auth.h"
#include "prodcat/serving/model_manager.h"
#include "prodcat/serving/model_source.h"
#include "prodcat/serving/serving_metrics.h"
#include "prodcat/serving/web_assets.h"

namespace prodcat::serving {

Status RunServer(const ServerRunOptions& options) {
  // Block the signals before any thread exists, so every thread inherits the mask and only
  // sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) {
    return Status::Internal("cannot block SIGTERM/SIGINT/SIGHUP");
  }
  std::signal(SIGPIPE, SIG_IGN);  // a closed stderr or log pipe must not kill the server

  ServiceOptions service = options.service;
  PRODCAT_RETURN_IF_ERROR(
      LoadAdminToken(options.admin_token_file, "PRODCAT_ADMIN_TOKEN", &service.admin_token));
  service.web_root =
      options.web_root.empty() ? DefaultWebRoot() : std::filesystem::path(options.web_root);

  std::unique_ptr<ModelSource> source;
  PRODCAT_RETURN_IF_ERROR(
      OpenModelSource(options.model, options.model_name, options.tracking_uri, &source));

  AccessLog access_log;
  PRODCAT_RETURN_IF_ERROR(access_log.Open(options.access_log));
  std::unique_ptr<http::HttpServer> server;  // declared before metrics: read by its gauge
  ServingMetrics metrics(
      [&server] { return server ? static_cast<double>(server->in_flight()) : 0.0; });
  ModelManager models(std::move(source), [&](ReloadTrigger trigger, const ReloadResult& r) {
    metrics.CountReload(r);
    if (r.outcome == ReloadResult::Outcome::kReloaded) {
      if (auto model = models.current()) metrics.SetModel(*model);
      spdlog::info("model reloaded ({}): version {} -> {} in {:.2f} s", ReloadTriggerName(trigger),
                   r.previous_version, r.version, r.seconds);
    } else {
      spdlog::error("model reload ({}) rejected, still serving version {}: {}",
                    ReloadTriggerName(trigger), r.previous_version, r.status.message());
    }
  });

  spdlog::info("loading model from {}", models.source().Describe());
  PRODCAT_RETURN_IF_ERROR(models.LoadInitial());
  std::shared_ptr<const ServedModel> first = models.current();
  metrics.SetModel(*first);
  spdlog::info("serving model {} version {} ({}, {} classes)", first->name, first->version,
               first->family, first->bundle->class_names().size());

  InferenceService api(service, &models, &metrics);
  http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.io_threads = options.threads;
  server_options.worker_threads = options.threads;
  server_options.header_timeout = options.header_timeout;
  server_options.body_timeout = options.body_timeout;
  server_options.idle_timeout = options.idle_timeout;
  server_options.server_name = "prodcat";
  server_options.error_formatter = FormatTransportError;
  server_options.before_handler = [&api](http::Request& req, http::Response& res) {
    return api.BeforeRequest(req, res);
  };
  server_options.access_log = [&](const http::AccessLogEntry& e) {
    std::string_view path = e.target;
    path = path.substr(0, path.find('?'));
    metrics.ObserveRequest(e.method, path, e.status, e.duration_ms / 1000.0);
    access_log.Write(e);
  };
  server = std::make_unique<http::HttpServer>(server_options, api.BuildRouter());
  PRODCAT_RETURN_IF_ERROR(server->Start());
  models.Start(options.poll_interval);

  // The parseable line tests and scripts wait for (with --port 0 it carries the chosen port).
  std::printf("listening on %s:%u\n", options.host.c_str(), static_cast<unsigned>(server->port()));
  std::fflush(stdout);
  spdlog::info("listening on http://{}:{} (docs at /docs; web assets from {})", options.host,
               server->port(), service.web_root.string());

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: checking {} for a new model", models.source().Describe());
      models.RequestReload();
      continue;
    }
    spdlog::info("{}: draining {} in-flight request(s), deadline {} ms",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT", server->in_flight(), options.drain.count());
    break;
  }
  api.SetDraining();
  size_t in_flight = server->in_flight();
  bool drained = server->Shutdown(options.drain);
  models.Stop();
  access_log.Close();
  if (!drained) {
    return Status::FailedPrecondition("drain deadline of " + std::to_string(options.drain.count()) +
                                      " ms passed with requests still in flight (" +
                                      std::to_string(in_flight) + " at shutdown)");
  }
  spdlog::info("stopped");
  return Status::Ok();
}

}  // namespace prodcat::serving
