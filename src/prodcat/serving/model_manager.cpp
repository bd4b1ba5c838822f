#include "prodcat/serving/model_manager.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <exception>

namespace prodcat::serving {

const char* ReloadTriggerName(ReloadTrigger trigger) {
  switch (trigger) {
    case ReloadTrigger::kPoll: return "poll";
    case ReloadTrigger::kSignal: return "signal";
    case ReloadTrigger::kAdmin: return "admin";
  }
  return "unknown";
}

const char* ReloadOutcomeName(ReloadResult::Outcome outcome) {
  switch (outcome) {
    case ReloadResult::Outcome::kUnchanged: return "unchanged";
    case ReloadResult::Outcome::kReloaded: return "reloaded";
    case ReloadResult::Outcome::kFailed: return "failed";
  }
  return "unknown";
}

Status WarmUp(const ModelBundle& bundle) {
  std::vector<ProductRecord> records(3);
  records[0].title = "warm up";
  records[1].title = bundle.class_names().empty() ? "product" : bundle.class_names().front();
  records[1].brand = "brand";
  records[1].price = 19.99;
  records[1].rating = 4.5;
  records[1].reviews_count = 10;
  records[1].description = "a product description";
  records[2].title = "12345 x";
  try {
    std::vector<float> probs;
    for (int round = 0; round < 3; ++round) {
      for (const ProductRecord& r : records) {
        bundle.PredictProba(r, &probs);
        if (probs.size() != bundle.class_names().size()) {
          return Status::Internal("warm-up: the model returned " + std::to_string(probs.size()) +
                                  " probabilities for " +
                                  std::to_string(bundle.class_names().size()) + " classes");
        }
        for (float p : probs) {
          if (!std::isfinite(p)) return Status::Internal("warm-up: non-finite probability");
        }
      }
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("warm-up prediction failed: ") + e.what());
  }
  return Status::Ok();
}

ModelManager::ModelManager(std::unique_ptr<ModelSource> source, Observer observer,
                           Preparer preparer)
    : source_(std::move(source)), observer_(std::move(observer)), preparer_(std::move(preparer)) {}

Status ModelManager::LoadPrepared(std::shared_ptr<const ServedModel>* out) const {
  std::shared_ptr<const ServedModel> loaded;
  PRODCAT_RETURN_IF_ERROR(source_->Load(&loaded));
  auto model = std::make_shared<ServedModel>(*loaded);
  PrepareServedModel(model.get());
  if (preparer_) PRODCAT_RETURN_IF_ERROR(preparer_(model.get()).WithContext(source_->Describe()));
  *out = std::move(model);
  return Status::Ok();
}

ModelManager::~ModelManager() {
  Stop();
}

void ModelManager::Install(std::shared_ptr<const ServedModel> model) {
  current_.Store(std::move(model));
}

Status ModelManager::LoadInitial() {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  std::shared_ptr<const ServedModel> model;
  PRODCAT_RETURN_IF_ERROR(LoadPrepared(&model));
  PRODCAT_RETURN_IF_ERROR(WarmUp(*model->bundle).WithContext(source_->Describe()));
  Install(std::move(model));
  return Status::Ok();
}

ReloadResult ModelManager::Reload(ReloadTrigger trigger, bool force) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  ReloadResult result;
  std::shared_ptr<const ServedModel> old = current();
  result.previous_version = old ? old->version : "";
  result.version = result.previous_version;
  auto finish = [&](ReloadResult::Outcome outcome, Status status) {
    result.outcome = outcome;
    result.status = std::move(status);
    if (outcome != ReloadResult::Outcome::kUnchanged && observer_) observer_(trigger, result);
    return result;
  };

  std::string revision;
  Status s = source_->CurrentRevision(&revision);
  if (!s.ok()) {
    // Polls see this briefly while a directory is being replaced; do not count it as a failure
    // until the directory stays unreadable for an explicit reload.
    if (trigger == ReloadTrigger::kPoll) return finish(ReloadResult::Outcome::kUnchanged, {});
    return finish(ReloadResult::Outcome::kFailed, s);
  }
  if (!force && old && revision == old->revision) {
    return finish(ReloadResult::Outcome::kUnchanged, {});
  }
  if (!force && trigger == ReloadTrigger::kPoll && revision == failed_revision_) {
    return finish(ReloadResult::Outcome::kUnchanged, {});
  }

  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const ServedModel> model;
  s = LoadPrepared(&model);
  if (s.ok()) s = WarmUp(*model->bundle).WithContext(source_->Describe());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!s.ok()) {
    failed_revision_ = revision;
    return finish(ReloadResult::Outcome::kFailed, s);
  }
  failed_revision_.clear();
  result.version = model->version;
  Install(std::move(model));
  return finish(ReloadResult::Outcome::kReloaded, {});
}

void ModelManager::Start(std::chrono::milliseconds interval) {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stop_ = false;
  }
  if (!poller_.joinable()) poller_ = std::thread([this, interval] { PollLoop(interval); });
}

void ModelManager::RequestReload() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    wake_ = true;
  }
  wake_cv_.notify_all();
}

void ModelManager::Stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stop_ = true;
  }
  wake_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

void ModelManager::PollLoop(std::chrono::milliseconds interval) {
  for (;;) {
    ReloadTrigger trigger = ReloadTrigger::kPoll;
    {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      auto woken = [this] { return wake_ || stop_; };
      if (interval.count() > 0) {
        wake_cv_.wait_for(lock, interval, woken);
      } else {
        wake_cv_.wait(lock, woken);
      }
      if (stop_) return;
      if (wake_) trigger = ReloadTrigger::kSignal;
      wake_ = false;
    }
    Reload(trigger);
  }
}

}  // namespace prodcat::serving
