#include "prodcat/serving/shadow_runner.h"

#include <chrono>
#include <exception>

namespace prodcat::serving {

ShadowRunner::ShadowRunner(ModelManager* shadow, ServingMetrics* metrics, size_t capacity)
    : shadow_(shadow), metrics_(metrics), capacity_(capacity == 0 ? 1 : capacity) {
  worker_ = std::thread([this] { Work(); });
}

ShadowRunner::~ShadowRunner() {
  Stop();
}

void ShadowRunner::Submit(const ProductRecord& record, const std::string& primary_category,
                          double primary_seconds) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++submitted_;
    if (stop_ || queue_.size() >= capacity_) {
      ++dropped_;
      return;
    }
    queue_.push_back({record, primary_category, primary_seconds});
    // Only a sleeping worker needs the (syscall) wake-up; a busy one drains the queue anyway.
    wake = sleeping_;
  }
  if (wake) wake_.notify_one();
}

void ShadowRunner::Work() {
  for (;;) {
    Item item;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      sleeping_ = true;
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      sleeping_ = false;
      if (queue_.empty()) return;  // stopping and drained
      item = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    bool ok = false, agree = false;
    double seconds = 0;
    if (std::shared_ptr<const ServedModel> model = shadow_->current()) {
      auto start = std::chrono::steady_clock::now();
      try {
        std::vector<ScoredLabel> top = model->bundle->PredictTopK(item.record, 1);
        ok = !top.empty();
        agree = ok && top[0].label == item.primary_category;
      } catch (const std::exception&) {
        ok = false;
      }
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    if (ok) metrics_->ObserveModelTime("shadow", seconds);
    std::lock_guard<std::mutex> lock(mutex_);
    busy_ = false;
    if (ok) {
      ++scored_;
      agreed_ += agree ? 1 : 0;
      shadow_seconds_ += seconds;
      primary_seconds_ += item.primary_seconds;
    } else {
      ++errors_;
    }
    if (queue_.empty()) idle_.notify_all();
  }
}

void ShadowRunner::WaitIdle() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void ShadowRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  idle_.notify_all();
}

nlohmann::json ShadowRunner::Summary() const {
  std::shared_ptr<const ServedModel> model = shadow_->current();
  std::lock_guard<std::mutex> lock(mutex_);
  auto mean_ms = [this](double total) {
    return scored_ == 0 ? 0.0 : total * 1000.0 / static_cast<double>(scored_);
  };
  nlohmann::json j = {
      {"model", model ? nlohmann::json{{"name", model->name}, {"version", model->version}}
                      : nlohmann::json(nullptr)},
      {"submitted", submitted_},
      {"dropped", dropped_},
      {"queued", queue_.size()},
      {"scored", scored_},
      {"errors", errors_},
      {"agreed", agreed_},
      {"agreement_rate",
       scored_ == 0 ? nlohmann::json(nullptr)
                    : nlohmann::json(static_cast<double>(agreed_) / static_cast<double>(scored_))},
      {"shadow_mean_ms", mean_ms(shadow_seconds_)},
      {"primary_mean_ms", mean_ms(primary_seconds_)}};
  return j;
}

}  // namespace prodcat::serving
