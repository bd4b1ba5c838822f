#include "prodcat/models/task_pool.h"

#include <algorithm>

namespace prodcat {

TaskPool::TaskPool(int threads) {
  const int workers = std::max(threads, 1) - 1;
  workers_.reserve(static_cast<size_t>(workers));
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

TaskPool::~TaskPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

TaskPool::Batch* TaskPool::NewestOpenBatch(uint64_t after) {
  for (auto it = batches_.rbegin(); it != batches_.rend(); ++it) {
    Batch* batch = *it;
    if (batch->serial <= after) break;
    if (batch->next_unclaimed < batch->size) return batch;
  }
  return nullptr;
}

void TaskPool::RunClaimed(Batch* batch, size_t index, std::unique_lock<std::mutex>* lock) {
  lock->unlock();
  (*batch->task)(index);
  lock->lock();
  ++batch->finished;
  changed_.notify_all();
}

void TaskPool::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    Batch* batch = NewestOpenBatch(0);
    if (batch != nullptr) {
      RunClaimed(batch, batch->next_unclaimed++, &lock);
      continue;
    }
    if (stopping_) return;
    changed_.wait(lock);
  }
}

void TaskPool::Run(size_t n, const std::function<void(size_t)>& task) {
  if (n == 0) return;
  std::unique_lock<std::mutex> lock(mutex_);
  Batch own{&task, n, 0, 0, next_serial_++};
  batches_.push_back(&own);
  changed_.notify_all();
  while (own.finished < own.size) {
    if (own.next_unclaimed < own.size) {
      RunClaimed(&own, own.next_unclaimed++, &lock);
    } else if (Batch* nested = NewestOpenBatch(own.serial)) {
      RunClaimed(nested, nested->next_unclaimed++, &lock);
    } else {
      changed_.wait(lock);
    }
  }
  batches_.erase(std::find(batches_.begin(), batches_.end(), &own));
}

}  // namespace prodcat
