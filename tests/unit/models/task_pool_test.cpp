#include "prodcat/models/task_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace prodcat {
namespace {

TEST(TaskPoolTest, RunsEveryTaskExactlyOnce) {
  for (int threads : {1, 2, 5}) {
    TaskPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    std::vector<std::atomic<int>> calls(1000);
    pool.Run(calls.size(), [&](size_t i) { calls[i].fetch_add(1); });
    for (size_t i = 0; i < calls.size(); ++i) ASSERT_EQ(calls[i].load(), 1) << i;
    pool.Run(0, [](size_t) { FAIL() << "no task expected"; });
  }
  EXPECT_EQ(TaskPool(0).threads(), 1);
}

TEST(TaskPoolTest, TasksRunConcurrently) {
  // Two tasks that each wait for the other to start finish only if they run at the same time.
  TaskPool pool(2);
  std::mutex mutex;
  std::condition_variable cv;
  int started = 0;
  std::atomic<int> met{0};
  pool.Run(2, [&](size_t) {
    std::unique_lock<std::mutex> lock(mutex);
    ++started;
    cv.notify_all();
    if (cv.wait_for(lock, std::chrono::seconds(10), [&] { return started == 2; })) ++met;
  });
  EXPECT_EQ(met.load(), 2);
}

TEST(TaskPoolTest, NestedRunsCompleteAndIdleThreadsHelp) {
  TaskPool pool(3);
  std::mutex mutex;
  std::set<std::thread::id> inner_threads;
  std::vector<std::atomic<int>> inner_calls(4 * 40);
  pool.Run(4, [&](size_t outer) {
    if (outer != 3) return;  // the others finish at once, leaving their threads idle
    pool.Run(40, [&](size_t inner) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      inner_calls[outer * 40 + inner].fetch_add(1);
      std::lock_guard<std::mutex> lock(mutex);
      inner_threads.insert(std::this_thread::get_id());
    });
  });
  for (size_t i = 0; i < 40; ++i) EXPECT_EQ(inner_calls[3 * 40 + i].load(), 1) << i;
  EXPECT_EQ(inner_threads.size(), 3u) << "the idle threads should have taken inner tasks";

  // Every outer task nesting its own batch: no deadlock, every inner task once.
  std::vector<std::atomic<int>> calls(4 * 40);
  pool.Run(4, [&](size_t outer) {
    pool.Run(40, [&](size_t inner) { calls[outer * 40 + inner].fetch_add(1); });
  });
  for (size_t i = 0; i < calls.size(); ++i) ASSERT_EQ(calls[i].load(), 1) << i;
}

TEST(TaskPoolTest, ResolveThreadCountUsesTheHardwareForZero) {
  EXPECT_EQ(ResolveThreadCount(3), 3);
  EXPECT_GE(ResolveThreadCount(0), 1);
  EXPECT_EQ(ResolveThreadCount(0), ResolveThreadCount(-1));
}

}  // namespace
}  // namespace prodcat
