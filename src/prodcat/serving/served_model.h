// ServedModel: a loaded, verified bundle plus the identity the API reports for it. Immutable and
// shared: a request holds its shared_ptr for its whole life, so a swap never pulls a model out
// from under an in-flight request.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "prodcat/models/bundle.h"
#include "prodcat/monitoring/drift_monitor.h"

namespace prodcat::serving {

struct ServedModel {
  std::shared_ptr<const ModelBundle> bundle;  // never null
  std::string name;                           // --model-name, else the source's name
  std::string version;                        // see ModelVersion
  std::string family;                         // "linear", "fasttext", "gbdt"
  std::string source;                         // where it came from, for humans
  std::string revision;                       // the source's change marker when loaded
  std::string loaded_at;                      // UTC ISO-8601
  std::string created_at;                     // the bundle's creation time, if recorded
  // Derived at load time by PrepareServedModel:
  std::vector<ScoredLabel> prior;  // training class prior, most frequent first; one per class
  std::unordered_map<std::string, int> class_ids;  // class name -> index in class_names()
  // Live drift windows against this model's reference profile; null when drift is off or the
  // bundle has no profile. Thread-safe; reset with every new model.
  std::shared_ptr<monitoring::DriftMonitor> drift;
};

// Fills `prior` (the bundle's training label distribution; else its prediction distribution;
// else uniform) and `class_ids`.
void PrepareServedModel(ServedModel* model);

// The prior as the top k of a prediction.
std::vector<ScoredLabel> PriorTopK(const ServedModel& model, size_t k);

// The manifest's `version` when present (string or integer); else the first 12 hex digits of its
// data fingerprint; else the first 12 hex digits of `manifest_sha256`.
std::string ModelVersion(const nlohmann::json& manifest, std::string_view manifest_sha256);

std::string UtcNowIso8601();

}  // namespace prodcat::serving
