#include <cstdio>

#include "commands.h"
#include "prodcat/pipeline/prepare.h"

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
