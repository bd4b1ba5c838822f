// ArmModels: the models that A/B experiment arms reference, loaded once per reference and then
// followed like the primary (poll, SIGHUP). An arm naming the primary's own reference shares the
// primary's manager, so "control = what we serve" costs nothing extra.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/serving/model_manager.h"
#include "prodcat/serving/serving_metrics.h"

namespace prodcat::serving {

class ArmModels {
 public:
  // `primary` and `metrics` must outlive this. `prepare` completes every loaded arm model.
  ArmModels(ModelManager* primary, std::string primary_reference, std::string tracking_uri,
            ModelManager::Preparer prepare, ServingMetrics* metrics);
  ~ArmModels();
  ArmModels(const ArmModels&) = delete;
  ArmModels& operator=(const ArmModels&) = delete;

  // Loads the model `reference` names unless it is loaded already; fails with the load error.
  Status Ensure(const std::string& reference);
  // The model `reference` names now; null when it was never loaded (or is not loaded yet).
  std::shared_ptr<const ServedModel> Current(const std::string& reference) const;

  // Polls every loaded arm model's source (started managers keep polling as the primary does).
  void Start(std::chrono::milliseconds interval);
  void RequestReload();
  void Stop();

 private:
  ModelManager* primary_;                                          // not owned; never null
  const std::string primary_reference_;                            // the primary's --model
  const std::string tracking_uri_;                                 // the registry's store
  ModelManager::Preparer prepare_;                                 // may be empty
  ServingMetrics* metrics_;                                        // not owned; never null
  mutable std::shared_mutex mutex_;                                // guards managers_ and interval_
  std::map<std::string, std::unique_ptr<ModelManager>> managers_;  // by reference; never erased
  std::chrono::milliseconds interval_{-1};  // the poll interval once Start ran; -1 before
  std::mutex load_mutex_;                   // one Ensure loads at a time
};

}  // namespace prodcat::serving
