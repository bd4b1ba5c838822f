// TaskPool: a fixed set of threads shared by nested parallel work, e.g. model candidates training
// side by side while one of them spreads its one-vs-rest classes over whichever threads are idle.
// Deterministic results are the tasks' business (each task must not depend on which thread runs
// it or when); the pool only decides who runs what.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace prodcat {

// `requested` threads, or every hardware thread when it is 0 or less (at least 1).
inline int ResolveThreadCount(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

class TaskPool {
 public:
  // `threads` >= 1 threads run tasks: threads - 1 workers owned by the pool plus, during Run, the
  // thread that called it. Values below 1 are taken as 1.
  explicit TaskPool(int threads);
  ~TaskPool();  // waits for the workers; no Run may be in progress
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls task(i) for every i in [0, n), claimed in increasing order, on the calling thread and
  // idle workers; returns when every call has returned. `task` must not throw. Run may be called
  // from inside a task: idle threads take the newest batch's tasks first (finishing started work
  // before starting new work), and a caller whose own tasks are all claimed helps only with
  // batches started after its own, so it never gets stuck inside unrelated long work.
  void Run(size_t n, const std::function<void(size_t)>& task);

 private:
  struct Batch {
    const std::function<void(size_t)>* task;  // the caller's, alive until Run returns
    size_t size;                              // tasks in the batch
    size_t next_unclaimed = 0;                // tasks [0, next_unclaimed) are claimed
    size_t finished = 0;                      // tasks that have returned; == size: done
    uint64_t serial;                          // larger = started later
  };

  // The newest batch with unclaimed tasks and serial > `after`, or null. Needs mutex_.
  Batch* NewestOpenBatch(uint64_t after);
  // Runs task `index` of `batch` without the lock, then records it. Needs `lock` held on entry
  // and holds it again on return.
  void RunClaimed(Batch* batch, size_t index, std::unique_lock<std::mutex>* lock);
  void WorkerLoop();

  std::mutex mutex_;                  // guards every field below
  std::condition_variable changed_;   // a batch was added, a task finished, or stopping_ was set
  std::vector<Batch*> batches_;       // batches with Run in progress, oldest first
  uint64_t next_serial_ = 1;          // serial of the next batch
  bool stopping_ = false;             // set once by the destructor
  std::vector<std::thread> workers_;  // threads - 1 workers; last member: started after the rest
};

}  // namespace prodcat
