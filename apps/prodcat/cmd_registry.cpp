// `prodcat registry register|list|show|promote|alias|archive`: the model registry workflow on
// any tracking store (SQLite, PostgreSQL, or a tracking server over http://).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include "commands.h"
#include "prodcat/registry/model_registration.h"
#include "prodcat/registry/promotion.h"
#include "prodcat/tracking/run_logger.h"
#include "prodcat/tracking/store_uri.h"
#include "prodcat/tracking/tracking_client.h"

namespace prodcat::cli {

namespace {

using tracking::ModelVersion;
using tracking::TrackingClient;

void AddStoreOption(CLI::App* cmd, std::string* uri) {
  cmd->add_option("--tracking-uri,--store", *uri,
                  "sqlite:///path.db, postgresql://..., or http://host:port (default: "
                  "$PRODCAT_TRACKING_URI or ./prodcat-store/tracking.db)");
}

std::string FormatTime(int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

Status ParseTags(const std::vector<std::string>& items, std::vector<tracking::KeyValue>* tags) {
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--tag '" + item + "': expected key=value");
    }
    tags->push_back({item.substr(0, eq), item.substr(eq + 1)});
  }
  return Status::Ok();
}

// Runs `body` with an opened client; prints the error and sets the exit code on failure.
template <typename F>
void WithClient(const std::string& uri, F body) {
  std::unique_ptr<TrackingClient> client;
  Status s = TrackingClient::Open(uri, &client);
  if (s.ok()) s = body(*client);
  if (!s.ok()) ExitCode() = Fail(s);
}

void PrintVersion(const ModelVersion& v) {
  std::string aliases;
  for (const std::string& a : v.aliases) aliases += (aliases.empty() ? "@" : ", @") + a;
  std::printf("  %-8lld %-11s %-21s %-32s %s\n", static_cast<long long>(v.version),
              v.current_stage.c_str(), FormatTime(v.creation_timestamp).c_str(),
              v.run_id.empty() ? "-" : v.run_id.c_str(), aliases.c_str());
}

}  // namespace

void RegisterRegistry(CLI::App& app) {
  auto* registry = app.add_subcommand("registry", "Register, inspect and promote model versions");
  registry->require_subcommand(1);

  {
    auto* cmd = registry->add_subcommand("register", "Register a model bundle as a new version");
    struct Args {
      std::string uri, name, source, run_id, description, user;
      std::vector<std::string> tags;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("name", a->name, "Registered model name")->required();
    cmd->add_option("source", a->source,
                    "Bundle directory (copied into the run's artifacts when --run-id is given) "
                    "or an artifact URI")
        ->required();
    cmd->add_option("--run-id", a->run_id, "The run that produced (and evaluated) the bundle");
    cmd->add_option("--description", a->description, "Version description");
    cmd->add_option("--tag", a->tags, "key=value tag on the version (repeatable)");
    cmd->add_option("--user", a->user, "Who registers it (default: $USER)");
    AddStoreOption(cmd, &a->uri);
    cmd->callback([a] {
      WithClient(a->uri, [&](TrackingClient& client) -> Status {
        registry::RegistrationOptions options;
        options.description = a->description;
        options.user = a->user.empty() ? tracking::CurrentUser() : a->user;
        PRODCAT_RETURN_IF_ERROR(ParseTags(a->tags, &options.tags));
        ModelVersion v;
        PRODCAT_RETURN_IF_ERROR(
            registry::RegisterModelVersion(client, a->name, a->run_id, a->source, options, &v));
        std::printf("registered %s version %lld\n  source %s\n", v.name.c_str(),
                    static_cast<long long>(v.version), v.source.c_str());
        return Status::Ok();
      });
    });
  }

  {
    auto* cmd = registry->add_subcommand("list", "List registered models");
    struct Args {
      std::string uri, filter;
      int64_t max = 100;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--filter", a->filter, "e.g. \"name LIKE 'cat%'\" or \"tags.team = 'x'\"");
    cmd->add_option("--max", a->max, "At most this many models")->capture_default_str();
    AddStoreOption(cmd, &a->uri);
    cmd->callback([a] {
      WithClient(a->uri, [&](TrackingClient& client) -> Status {
        tracking::SearchQuery q;
        q.filter = a->filter;
        q.max_results = std::min<int64_t>(a->max, 1000);
        tracking::Page<tracking::RegisteredModel> page;
        PRODCAT_RETURN_IF_ERROR(client.store().SearchRegisteredModels(q, &page));
        std::printf("%-32s %-9s %-12s %-12s %s\n", "NAME", "VERSIONS", "PRODUCTION", "STAGING",
                    "UPDATED");
        for (const auto& m : page.items) {
          int64_t newest = 0;
          std::string production = "-", staging = "-";
          for (const ModelVersion& v : m.latest_versions) {
            newest = std::max(newest, v.version);
            if (v.current_stage == "Production") production = "v" + std::to_string(v.version);
            if (v.current_stage == "Staging") staging = "v" + std::to_string(v.version);
          }
          std::printf("%-32s %-9s %-12s %-12s %s\n", m.name.c_str(),
                      newest ? ("v" + std::to_string(newest)).c_str() : "-", production.c_str(),
                      staging.c_str(), FormatTime(m.last_updated_timestamp).c_str());
        }
        return Status::Ok();
      });
    });
  }

  {
    auto* cmd = registry->add_subcommand("show", "Show a model's versions and stage history");
    struct Args {
      std::string uri, name;
      int64_t version = 0;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("name", a->name, "Registered model name")->required();
    cmd->add_option("--version", a->version, "Only this version");
    AddStoreOption(cmd, &a->uri);
    cmd->callback([a] {
      WithClient(a->uri, [&](TrackingClient& client) -> Status {
        tracking::RegisteredModel m;
        PRODCAT_RETURN_IF_ERROR(client.store().GetRegisteredModel(a->name, &m));
        std::printf("%s%s%s\n", m.name.c_str(), m.description.empty() ? "" : ": ",
                    m.description.c_str());
        for (const auto& t : m.tags) std::printf("  tag %s = %s\n", t.key.c_str(), t.value.c_str());
        tracking::SearchQuery q;
        tracking::Page<ModelVersion> versions;
        // Names with quotes cannot go in a filter literal: list all and keep this model's.
        q.filter = a->name.find('\'') == std::string::npos ? "name = '" + a->name + "'" : "";
        PRODCAT_RETURN_IF_ERROR(client.store().SearchModelVersions(q, &versions));
        std::printf("\n  %-8s %-11s %-21s %-32s %s\n", "VERSION", "STAGE", "CREATED", "RUN",
                    "ALIASES");
        for (const ModelVersion& v : versions.items) {
          if (v.name != a->name || (a->version && v.version != a->version)) continue;
          PrintVersion(v);
          if (a->version) {
            std::printf("    source      %s\n", v.source.c_str());
            if (!v.description.empty()) std::printf("    description %s\n", v.description.c_str());
            for (const auto& t : v.tags) {
              std::printf("    tag         %s = %s\n", t.key.c_str(), t.value.c_str());
            }
          }
        }
        std::vector<tracking::StageTransition> history;
        Status s = client.store().ListStageTransitions(a->name, a->version, &history);
        if (s.code() == StatusCode::kUnimplemented) {
          std::printf("\n  (this tracking server keeps no transition history)\n");
          return Status::Ok();
        }
        PRODCAT_RETURN_IF_ERROR(s);
        std::printf("\n  stage transitions\n");
        for (const auto& t : history) {
          std::printf("  %s  v%-5lld %-10s -> %-10s by %s%s%s\n", FormatTime(t.timestamp).c_str(),
                      static_cast<long long>(t.version), t.from_stage.c_str(), t.to_stage.c_str(),
                      t.user.c_str(), t.comment.empty() ? "" : ": ", t.comment.c_str());
        }
        return Status::Ok();
      });
    });
  }

  auto add_promote = [registry](const char* name, const char* help, bool archive_only) {
    auto* cmd = registry->add_subcommand(name, help);
    struct Args {
      std::string uri, name, to = "Production", metric = "macro_f1", user;
      int64_t version = 0;
      bool force = false, keep_existing = false, lower_is_better = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("name", a->name, "Registered model name")->required();
    cmd->add_option("version", a->version, "Version number")->required();
    if (!archive_only) {
      cmd->add_option("--to", a->to, "None, Staging, Production or Archived")
          ->capture_default_str();
      cmd->add_option("--metric", a->metric, "Metric the Production gate compares")
          ->capture_default_str();
      cmd->add_flag("--lower-is-better", a->lower_is_better,
                    "The metric improves downwards (inferred for losses and errors)");
      cmd->add_flag("--force", a->force, "Promote even when the gate refuses");
      cmd->add_flag("--keep-existing", a->keep_existing,
                    "Do not archive the versions already in the target stage");
    }
    cmd->add_option("--user", a->user, "Who does it (default: $USER); recorded in the history");
    AddStoreOption(cmd, &a->uri);
    cmd->callback([a, archive_only] {
      WithClient(a->uri, [&](TrackingClient& client) -> Status {
        registry::PromotionRequest request;
        request.name = a->name;
        request.version = a->version;
        request.stage = archive_only ? "Archived" : a->to;
        request.metric = a->metric;
        if (a->lower_is_better) request.higher_is_better = false;
        request.force = a->force;
        request.archive_existing = !a->keep_existing;
        request.user = a->user.empty() ? tracking::CurrentUser() : a->user;
        registry::PromotionDecision decision;
        ModelVersion v;
        PRODCAT_RETURN_IF_ERROR(
            registry::PromoteModelVersion(client.store(), request, &decision, &v));
        std::printf("%s version %lld -> %s (by %s)\n", v.name.c_str(),
                    static_cast<long long>(v.version), v.current_stage.c_str(),
                    request.user.c_str());
        if (decision.gated || decision.forced) {
          std::printf("  %s%s\n", decision.forced ? "FORCED: " : "", decision.reason.c_str());
        }
        return Status::Ok();
      });
    });
  };
  add_promote("promote", "Move a version to a stage; Production is gated on the metric", false);
  add_promote("archive", "Move a version to the Archived stage", true);

  {
    auto* cmd = registry->add_subcommand("alias", "Point an alias at a version (or --delete it)");
    struct Args {
      std::string uri, name, alias;
      int64_t version = 0;
      bool remove = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("name", a->name, "Registered model name")->required();
    cmd->add_option("alias", a->alias, "Alias, e.g. champion")->required();
    cmd->add_option("version", a->version, "Version the alias points at");
    cmd->add_flag("--delete", a->remove, "Remove the alias");
    AddStoreOption(cmd, &a->uri);
    cmd->callback([a] {
      WithClient(a->uri, [&](TrackingClient& client) -> Status {
        if (a->remove) {
          PRODCAT_RETURN_IF_ERROR(client.store().DeleteRegisteredModelAlias(a->name, a->alias));
          std::printf("removed alias %s@%s\n", a->name.c_str(), a->alias.c_str());
          return Status::Ok();
        }
        if (a->version <= 0) {
          return Status::InvalidArgument("give the version the alias points at (or --delete)");
        }
        PRODCAT_RETURN_IF_ERROR(
            client.store().SetRegisteredModelAlias(a->name, a->alias, a->version));
        std::printf("%s@%s -> version %lld\n", a->name.c_str(), a->alias.c_str(),
                    static_cast<long long>(a->version));
        return Status::Ok();
      });
    });
  }
}

}  // namespace prodcat::cli
