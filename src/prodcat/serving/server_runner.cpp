#include "prodcat/serving/server_runner.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "prodcat/experiments/experiment_manager.h"
#include "prodcat/http/server.h"
#include "prodcat/registry/model_uri.h"
#include "prodcat/serving/access_log.h"
#include "prodcat/serving/admin_auth.h"
#include "prodcat/serving/arm_models.h"
#include "prodcat/serving/model_manager.h"
#include "prodcat/serving/model_source.h"
#include "prodcat/serving/serving_metrics.h"
#include "prodcat/serving/shadow_runner.h"
#include "prodcat/serving/web_assets.h"

namespace prodcat::serving {
namespace {

// The fallback model's reference when none was named: the registry alias `fallback` of the
// served registered model, or the bundle's sibling `fallback_model/` (a `prodcat run` layout).
std::string AutomaticFallback(const std::string& model) {
  if (registry::IsModelUri(model)) {
    registry::ModelUri uri;
    if (registry::ParseModelUri(model, &uri).ok()) return "models:/" + uri.name + "@fallback";
    return "";
  }
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(model, ec);
  if (ec) return "";
  std::filesystem::path sibling = dir.lexically_normal().parent_path() / "fallback_model";
  if (std::filesystem::exists(sibling / "manifest.json", ec)) return sibling.string();
  return "";
}

// Attaches live drift windows to a freshly loaded primary (when its bundle has a profile).
Status AttachDrift(const monitoring::DriftOptions& options, ServedModel* model) {
  const nlohmann::json& profile = model->bundle->reference_profile();
  if (!profile.is_object() || !profile.contains("numeric")) {
    spdlog::warn("model {} has no reference profile: drift detection is off for it", model->name);
    return Status::Ok();
  }
  std::unique_ptr<monitoring::DriftReference> reference;
  PRODCAT_RETURN_IF_ERROR(
      monitoring::DriftReference::Create(profile, model->bundle->spec(), options, &reference)
          .WithContext("drift reference"));
  std::unique_ptr<monitoring::DriftMonitor> monitor;
  PRODCAT_RETURN_IF_ERROR(
      monitoring::DriftMonitor::Create(std::move(reference), options, &monitor));
  model->drift = std::move(monitor);
  return Status::Ok();
}

// Opens and loads a secondary model (fallback or shadow). Null with `required` false when it
// cannot be loaded (logged).
Status OpenSecondary(const char* role, const std::string& reference,
                     const std::string& tracking_uri, bool required, ServingMetrics* metrics,
                     std::unique_ptr<ModelManager>* out) {
  std::unique_ptr<ModelSource> source;
  Status s = OpenModelSource(reference, "", tracking_uri, &source);
  std::unique_ptr<ModelManager> manager;
  if (s.ok()) {
    std::string name = role;
    manager = std::make_unique<ModelManager>(
        std::move(source), [metrics, name](ReloadTrigger trigger, const ReloadResult& r) {
          metrics->CountReload(r);
          if (r.outcome == ReloadResult::Outcome::kReloaded) {
            spdlog::info("{} model reloaded ({}): version {} -> {}", name,
                         ReloadTriggerName(trigger), r.previous_version, r.version);
          } else {
            spdlog::error("{} model reload ({}) rejected, still serving version {}: {}", name,
                          ReloadTriggerName(trigger), r.previous_version, r.status.message());
          }
        });
    s = manager->LoadInitial();
  }
  if (!s.ok()) {
    if (required) return s.WithContext(std::string(role) + " model " + reference);
    spdlog::info("no {} model ({}: {})", role, reference, s.message());
    return Status::Ok();
  }
  auto model = manager->current();
  spdlog::info("{} model {} version {} ({})", role, model->name, model->version, model->family);
  *out = std::move(manager);
  return Status::Ok();
}

}  // namespace

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
  ModelManager::Preparer prepare_primary;
  if (options.drift) {
    PRODCAT_RETURN_IF_ERROR(options.drift_options.Validate().WithContext("drift options"));
    prepare_primary = [&options](ServedModel* model) {
      return AttachDrift(options.drift_options, model);
    };
  }
  ModelManager models(
      std::move(source),
      [&](ReloadTrigger trigger, const ReloadResult& r) {
        metrics.CountReload(r);
        if (r.outcome == ReloadResult::Outcome::kReloaded) {
          if (auto model = models.current()) metrics.SetModel(*model);
          spdlog::info("model reloaded ({}): version {} -> {} in {:.2f} s",
                       ReloadTriggerName(trigger), r.previous_version, r.version, r.seconds);
        } else {
          spdlog::error("model reload ({}) rejected, still serving version {}: {}",
                        ReloadTriggerName(trigger), r.previous_version, r.status.message());
        }
      },
      prepare_primary);

  // The fallback first: with one, a primary that fails to load does not stop the server.
  std::unique_ptr<ModelManager> fallback;
  bool fallback_named = !options.fallback.empty() && options.fallback != "none";
  std::string fallback_ref = options.fallback.empty() ? AutomaticFallback(options.model)
                             : fallback_named         ? options.fallback
                                                      : "";
  if (!fallback_ref.empty()) {
    PRODCAT_RETURN_IF_ERROR(OpenSecondary("fallback", fallback_ref, options.tracking_uri,
                                          fallback_named, &metrics, &fallback));
  }

  spdlog::info("loading model from {}", models.source().Describe());
  Status primary_status = models.LoadInitial();
  if (!primary_status.ok()) {
    if (!fallback) return primary_status;
    spdlog::error("primary model unavailable, answering with the fallback until it loads: {}",
                  primary_status.message());
  }
  if (std::shared_ptr<const ServedModel> first = models.current()) {
    metrics.SetModel(*first);
    spdlog::info("serving model {} version {} ({}, {} classes)", first->name, first->version,
                 first->family, first->bundle->class_names().size());
  }

  std::unique_ptr<ModelManager> shadow_models;
  std::unique_ptr<ShadowRunner> shadow;
  if (!options.shadow.empty()) {
    PRODCAT_RETURN_IF_ERROR(OpenSecondary("shadow", options.shadow, options.tracking_uri, true,
                                          &metrics, &shadow_models));
    shadow = std::make_unique<ShadowRunner>(shadow_models.get(), &metrics);
  }
  FallbackRouter router(
      options.fallback_policy, fallback.get(),
      [](const ServedModel& model, const ProductRecord& record,
         const monitoring::Observation* observation) -> std::optional<std::string> {
        if (!model.drift) return std::nullopt;
        return observation ? model.drift->OutOfSupport(*observation)
                           : model.drift->OutOfSupport(record);
      },
      [](const ServedModel& model) {
        return model.drift && model.drift->level() == monitoring::DriftLevel::kAlert;
      });

  std::unique_ptr<experiments::ExperimentManager> experiments;
  std::unique_ptr<ArmModels> arms;
  if (options.experiments_db != "none") {
    std::string db =
        options.experiments_db.empty() ? "prodcat-store/experiments.db" : options.experiments_db;
    std::error_code ec;
    std::filesystem::path parent = std::filesystem::path(db).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    PRODCAT_RETURN_IF_ERROR(experiments::ExperimentManager::Open(db, &experiments)
                                .WithContext("experiments store " + db));
    arms = std::make_unique<ArmModels>(&models, options.model, options.tracking_uri,
                                       prepare_primary, &metrics);
    for (const nlohmann::json& declared : options.declared_experiments) {
      experiments::ExperimentSpec spec;
      PRODCAT_RETURN_IF_ERROR(
          experiments::ExperimentSpecFromJson(declared, &spec).WithContext("declared experiment"));
      for (const auto& arm : spec.arms) {
        PRODCAT_RETURN_IF_ERROR(arms->Ensure(arm.model).WithContext("experiment " + spec.id));
      }
      PRODCAT_RETURN_IF_ERROR(experiments->Declare(spec).WithContext("experiment " + spec.id));
    }
    // Arms of experiments created at run time in an earlier life of the server.
    if (std::optional<std::string> active = experiments->Active()) {
      StatusOr<experiments::ExperimentSpec> spec = experiments->Get(*active);
      if (spec.ok()) {
        for (const auto& arm : spec.value().arms) {
          Status loaded = arms->Ensure(arm.model);
          if (!loaded.ok()) {
            spdlog::error(
                "experiment {}: arm {} cannot load ({}); its traffic is served by "
                "the primary until it does",
                *active, arm.name, loaded.message());
          }
        }
      }
      spdlog::info("experiment {} is running", *active);
    }
  }

  LiveOps live;
  live.router = &router;
  live.shadow = shadow.get();
  live.experiments = experiments.get();
  live.arms = arms.get();
  InferenceService api(service, &models, &metrics, live);
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
  if (fallback) fallback->Start(options.poll_interval);
  if (shadow_models) shadow_models->Start(options.poll_interval);
  if (arms) arms->Start(options.poll_interval);

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
      if (fallback) fallback->RequestReload();
      if (shadow_models) shadow_models->RequestReload();
      if (arms) arms->RequestReload();
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
  if (fallback) fallback->Stop();
  if (shadow) shadow->Stop();
  if (shadow_models) shadow_models->Stop();
  if (arms) arms->Stop();
  if (experiments) {
    Status flushed = experiments->Flush();
    if (!flushed.ok()) spdlog::error("experiments store: {}", flushed.message());
  }
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
