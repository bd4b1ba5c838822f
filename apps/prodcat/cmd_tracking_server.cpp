// `prodcat tracking-server`: the MLflow-compatible tracking and registry server.
#include <signal.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "prodcat/common/file_util.h"
#include "prodcat/tracking/sql_store.h"
#include "prodcat/tracking/store_uri.h"
#include "prodcat/tracking/tracking_server.h"

namespace prodcat::cli {

namespace {

Status ReadToken(const std::string& path, std::string* token) {
  PRODCAT_RETURN_IF_ERROR(ReadFile(path, token).WithContext("--auth-token-file"));
  while (!token->empty() && std::isspace(static_cast<unsigned char>(token->back()))) {
    token->pop_back();
  }
  while (!token->empty() && std::isspace(static_cast<unsigned char>(token->front()))) {
    token->erase(0, 1);
  }
  if (token->empty()) return Status::InvalidArgument("--auth-token-file " + path + " is empty");
  return Status::Ok();
}

}  // namespace

void RegisterTrackingServer(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "tracking-server", "Serve experiment tracking and the model registry over MLflow's REST API");
  struct Args {
    std::string store_uri, artifacts, host = "127.0.0.1", token_file;
    int port = 5000;
    int workers = 0;
    size_t max_artifact_mb = 512;
    bool access_log = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--backend-store-uri", a->store_uri,
                  "sqlite:///path.db or postgresql://user@host:port/db (default: "
                  "$PRODCAT_TRACKING_URI or ./prodcat-store/tracking.db)");
  cmd->add_option("--artifacts-destination", a->artifacts,
                  "Directory for artifacts served through the mlflow-artifacts proxy (default: "
                  "the one recorded in the store, else prodcat-store/artifacts)");
  cmd->add_option("--host", a->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", a->port, "Port (0 picks a free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--auth-token-file", a->token_file,
                  "File holding a bearer token required for every write");
  cmd->add_option("--max-artifact-mb", a->max_artifact_mb, "Largest artifact upload in MiB")
      ->capture_default_str();
  cmd->add_option("--workers", a->workers, "Request worker threads (0: one per core)");
  cmd->add_flag("--access-log", a->access_log, "Log every request");
  cmd->callback([a] {
    std::string uri = a->store_uri.empty() ? tracking::DefaultTrackingUri() : a->store_uri;
    tracking::SqlStoreOptions options;
    options.artifact_root = a->artifacts;
    std::unique_ptr<tracking::SqlTrackingStore> sql;
    Status s = tracking::OpenSqlStore(uri, options, &sql);
    tracking::TrackingServerOptions server_options;
    server_options.host = a->host;
    server_options.port = static_cast<uint16_t>(a->port);
    server_options.worker_threads = a->workers;
    server_options.max_artifact_bytes = a->max_artifact_mb << 20;
    server_options.access_log = a->access_log;
    if (s.ok() && !a->token_file.empty()) s = ReadToken(a->token_file, &server_options.auth_token);
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::string artifact_root = sql->artifact_root();
    std::shared_ptr<tracking::TrackingStore> store(std::move(sql));
    // Block the stop signals before any thread starts so only sigwait below receives them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    tracking::TrackingServer server(store, artifact_root, server_options);
    s = server.Start();
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("listening on %s:%u\n", a->host.c_str(), static_cast<unsigned>(server.port()));
    std::printf("artifacts in %s%s\n", artifact_root.c_str(),
                server_options.auth_token.empty() ? "" : "; writes need the bearer token");
    std::fflush(stdout);
    int signal_number = 0;
    sigwait(&stop, &signal_number);
    std::fprintf(stderr, "stopping (signal %d)\n", signal_number);
    server.Shutdown(std::chrono::milliseconds(5000));
  });
}

}  // namespace prodcat::cli
