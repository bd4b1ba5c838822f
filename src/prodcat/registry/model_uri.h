// Model URI resolution for predict / evaluate / serve:
//   models:/NAME/VERSION     a version number
//   models:/NAME/STAGE       the newest version in None, Staging, Production or Archived
//   models:/NAME/latest      the newest version overall
//   models:/NAME@ALIAS       the version an alias points at
//   runs:/RUN_ID/PATH        a run's artifacts
//   anything else            a local directory, passed through
// The result is a local bundle directory: the version's source when it is on this machine (a
// local path, or mlflow-artifacts:/ under a SQL store's artifact root), else a copy downloaded
// through the tracking server into a cache ($PRODCAT_MODEL_CACHE, default
// $XDG_CACHE_HOME/prodcat/models or ~/.cache/prodcat/models).
#pragma once

#include <cstdint>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/tracking/registry_entities.h"
#include "prodcat/tracking/store.h"

namespace prodcat::registry {

struct ModelUri {
  std::string name;
  int64_t version = 0;  // set for models:/NAME/3
  std::string stage;    // set for models:/NAME/Production (or "latest")
  std::string alias;    // set for models:/NAME@champion
};

// True when `uri` starts with "models:/"; parses it (errors name the expected forms).
bool IsModelUri(const std::string& uri);
Status ParseModelUri(const std::string& uri, ModelUri* parsed);

// The model version a models:/ URI names.
Status FindModelVersion(tracking::TrackingStore& store, const ModelUri& uri,
                        tracking::ModelVersion* version);

// `tracking_uri` empty: the default store. Plain directories pass through (and must exist).
Status ResolveModelUri(const std::string& uri_or_dir, const std::string& tracking_uri,
                       std::string* local_dir);

}  // namespace prodcat::registry
