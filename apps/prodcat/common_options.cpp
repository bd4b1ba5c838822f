#include <cstdio>

#include "commands.h"
#include "prodcat/pipeline/prepare.h"
#include "prodcat/registry/model_uri.h"

namespace prodcat::cli {

int& ExitCode() {
  static int code = 0;
  return code;
}

void AddConfigOptions(CLI::App* cmd, CommonOptions* o) {
  cmd->add_option("--config", o->config_file,
                  "YAML configuration file (defaults: config/prodcat.yaml)");
  cmd->add_option("--set", o->overrides, "Override a setting, e.g. --set models.gbdt.num_rounds=50")
      ->allow_extra_args(false);
  cmd->add_option("--tracking-uri", o->tracking_uri,
                  "Experiment tracking: sqlite:///PATH, postgresql://..., http://HOST:PORT "
                  "(default $PRODCAT_TRACKING_URI or ./prodcat-store/tracking.db)");
  cmd->add_option("--experiment", o->experiment, "Experiment name for tracking");
  cmd->add_flag("--no-tracking", o->no_tracking, "Do not log to experiment tracking");
}

void AddDataOptions(CLI::App* cmd, CommonOptions* o) {
  cmd->add_option("--columns", o->columns,
                  "Map canonical fields to your columns: title=product_name,category=label");
  cmd->add_option("--on-error", o->on_error, "fail (default) or skip bad rows and count them")
      ->check(CLI::IsMember({"fail", "skip"}));
}

Status LoadConfig(const CommonOptions& o, Config* config) {
  PRODCAT_RETURN_IF_ERROR(Config::Load(o.config_file, o.overrides, config));
  if (!o.columns.empty()) {
    ColumnMapping mapping;
    PRODCAT_RETURN_IF_ERROR(ColumnMapping::Parse(o.columns, &mapping).WithContext("--columns"));
    for (const auto& [canonical, source] : mapping.canonical_to_source) {
      PRODCAT_RETURN_IF_ERROR(config->Set("data.columns." + canonical + "=\"" + source + "\""));
    }
  }
  if (!o.on_error.empty()) PRODCAT_RETURN_IF_ERROR(config->Set("data.on_error=" + o.on_error));
  if (!o.tracking_uri.empty()) {
    PRODCAT_RETURN_IF_ERROR(config->Set("tracking.uri=\"" + o.tracking_uri + "\""));
  }
  if (!o.experiment.empty()) {
    PRODCAT_RETURN_IF_ERROR(config->Set("tracking.experiment=\"" + o.experiment + "\""));
  }
  if (o.no_tracking) PRODCAT_RETURN_IF_ERROR(config->Set("tracking.enabled=false"));
  return Status::Ok();
}

Status ReadOptionsFromConfig(const Config& config, ReadOptions* read) {
  PrepareOptions p;
  PRODCAT_RETURN_IF_ERROR(PrepareOptions::FromConfig(config, &p));
  *read = p.read;
  read->group_column.clear();
  read->require_label = false;
  return Status::Ok();
}

Status ResolveModel(const Config& config, const std::string& reference, std::string* dir) {
  return registry::ResolveModelUri(reference, config.GetString("tracking", "uri"), dir);
}

int Fail(const Status& status) {
  std::fprintf(stderr, "error: %s\n", status.message().c_str());
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists: return 2;
    default: return 1;
  }
}

}  // namespace prodcat::cli
