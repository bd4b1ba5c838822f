// Model registry entities with MLflow's meaning: a registered model (unique name) has numbered
// versions; each version points at model artifacts (`source`), optionally at the run that made
// them, and sits in one stage. Aliases name a version; every stage change is kept for audit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/tracking/entities.h"

namespace prodcat::tracking {

enum class ModelStage { kNone, kStaging, kProduction, kArchived };
// "None", "Staging", "Production", "Archived" as MLflow spells them.
const char* ModelStageName(ModelStage stage);
// Case-insensitive; fails with the list of valid stages.
Status ParseModelStage(std::string_view text, ModelStage* stage);

inline constexpr const char* kModelVersionReady = "READY";

struct RegisteredModelAlias {
  std::string alias;
  int64_t version = 0;
};

struct ModelVersion {
  std::string name;
  int64_t version = 0;  // 1, 2, ... per registered model; never reused
  int64_t creation_timestamp = 0;
  int64_t last_updated_timestamp = 0;
  std::string user_id;
  std::string current_stage = "None";
  std::string description;
  std::string source;  // where the model artifacts are (URI or absolute path)
  std::string run_id;  // may be empty
  std::string run_link;
  std::string status = kModelVersionReady;
  std::string status_message;
  std::vector<KeyValue> tags;
  std::vector<std::string> aliases;

  const std::string* FindTag(std::string_view key) const;
};

struct RegisteredModel {
  std::string name;
  int64_t creation_timestamp = 0;
  int64_t last_updated_timestamp = 0;
  std::string description;
  std::vector<ModelVersion> latest_versions;  // the newest version in each stage
  std::vector<KeyValue> tags;
  std::vector<RegisteredModelAlias> aliases;
};

// One row of the stage transition history.
struct StageTransition {
  std::string name;
  int64_t version = 0;
  std::string from_stage;
  std::string to_stage;
  std::string user;
  int64_t timestamp = 0;  // ms since epoch
  std::string comment;    // why, e.g. the promotion gate's verdict or "archived by version 3"
};

}  // namespace prodcat::tracking
