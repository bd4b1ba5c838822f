// Registering a trained bundle as a new model version. With a run, the bundle is copied into
// the run's artifacts (under `artifact_path`) and the version's source is that artifact URI, so
// the registry never points at a directory that may later be deleted; without a run, the source
// is the bundle's absolute path. The registered model is created on first use.
#pragma once

#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/tracking/registry_entities.h"
#include "prodcat/tracking/tracking_client.h"

namespace prodcat::registry {

struct RegistrationOptions {
  std::string description;
  std::vector<tracking::KeyValue> tags;  // on the new version
  std::string artifact_path = "model";   // where the bundle goes in the run's artifacts
  std::string user;                      // recorded as the version's creator
};

// `source_dir`: a local bundle directory, or an artifact URI (mlflow-artifacts:/, runs:/, file://)
// registered as is. `run_id` may be empty.
Status RegisterModelVersion(tracking::TrackingClient& client, const std::string& name,
                            const std::string& run_id, const std::string& source_dir,
                            const RegistrationOptions& options, tracking::ModelVersion* version);

// Same, opening the tracking URI (empty: the default store).
Status RegisterModelVersion(const std::string& tracking_uri, const std::string& name,
                            const std::string& run_id, const std::string& source_dir,
                            const RegistrationOptions& options, tracking::ModelVersion* version);

}  // namespace prodcat::registry
