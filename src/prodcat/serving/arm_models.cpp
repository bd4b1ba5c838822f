#include "prodcat/serving/arm_models.h"

#include <spdlog/spdlog.h>

#include <mutex>

namespace prodcat::serving {

ArmModels::ArmModels(ModelManager* primary, std::string primary_reference, std::string tracking_uri,
                     ModelManager::Preparer prepare, ServingMetrics* metrics)
    : primary_(primary),
      primary_reference_(std::move(primary_reference)),
      tracking_uri_(std::move(tracking_uri)),
      prepare_(std::move(prepare)),
      metrics_(metrics) {}

ArmModels::~ArmModels() {
  Stop();
}

Status ArmModels::Ensure(const std::string& reference) {
  if (reference == primary_reference_) return Status::Ok();
  std::lock_guard<std::mutex> loading(load_mutex_);
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (managers_.count(reference)) return Status::Ok();
  }
  std::unique_ptr<ModelSource> source;
  PRODCAT_RETURN_IF_ERROR(OpenModelSource(reference, "", tracking_uri_, &source));
  ServingMetrics* metrics = metrics_;
  auto manager = std::make_unique<ModelManager>(
      std::move(source),
      [metrics, reference](ReloadTrigger trigger, const ReloadResult& r) {
        metrics->CountReload(r);
        if (r.outcome == ReloadResult::Outcome::kFailed) {
          spdlog::error("experiment arm model {} reload ({}) rejected: {}", reference,
                        ReloadTriggerName(trigger), r.status.message());
        }
      },
      prepare_);
  PRODCAT_RETURN_IF_ERROR(manager->LoadInitial().WithContext("experiment arm model " + reference));
  auto model = manager->current();
  spdlog::info("experiment arm model {} loaded: {} version {}", reference, model->name,
               model->version);
  std::unique_lock<std::shared_mutex> lock(mutex_);
  if (interval_.count() >= 0) manager->Start(interval_);
  managers_.emplace(reference, std::move(manager));
  return Status::Ok();
}

std::shared_ptr<const ServedModel> ArmModels::Current(const std::string& reference) const {
  if (reference == primary_reference_) return primary_->current();
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto it = managers_.find(reference);
  return it == managers_.end() ? nullptr : it->second->current();
}

void ArmModels::Start(std::chrono::milliseconds interval) {
  std::unique_lock<std::shared_mutex> lock(mutex_);
  interval_ = interval;
  for (auto& [reference, manager] : managers_) manager->Start(interval);
}

void ArmModels::RequestReload() {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  for (auto& [reference, manager] : managers_) manager->RequestReload();
}

void ArmModels::Stop() {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  for (auto& [reference, manager] : managers_) manager->Stop();
}

}  // namespace prodcat::serving
