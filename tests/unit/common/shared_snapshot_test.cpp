#include "prodcat/common/shared_snapshot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "prodcat/common/thread_shard.h"

namespace prodcat {
namespace {

// Counts live instances, so tests can see when a stored value is really released.
struct Tracked {
  static std::atomic<int> live;
  explicit Tracked(int v) : value(v) { ++live; }
  ~Tracked() { --live; }
  int value;
};
std::atomic<int> Tracked::live{0};

TEST(SharedSnapshotTest, LoadSeesEveryStoreAndCopiesOutliveIt) {
  SharedSnapshot<const Tracked> snapshot;
  EXPECT_EQ(snapshot.Load(), nullptr);
  snapshot.Store(std::make_shared<const Tracked>(1));
  std::shared_ptr<const Tracked> first = snapshot.Load();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->value, 1);
  EXPECT_EQ(snapshot.Load().get(), first.get());  // cached: the same object

  snapshot.Store(std::make_shared<const Tracked>(2));
  EXPECT_EQ(snapshot.Load()->value, 2);  // the next load sees the new value at once
  EXPECT_EQ(first->value, 1);            // a request that started on 1 finishes on 1
  EXPECT_EQ(Tracked::live.load(), 2);
  first.reset();  // the old value goes once its last holder lets go
  EXPECT_EQ(Tracked::live.load(), 1);

  snapshot.Store(nullptr);
  EXPECT_EQ(snapshot.Load(), nullptr);
  EXPECT_EQ(Tracked::live.load(), 0);
}

TEST(SharedSnapshotTest, SeveralSnapshotsInOneThreadDoNotMix) {
  // More snapshots than the per-thread cache has slots, read in turns.
  std::vector<std::unique_ptr<SharedSnapshot<const Tracked>>> snapshots;
  for (int i = 0; i < 7; ++i) {
    snapshots.push_back(std::make_unique<SharedSnapshot<const Tracked>>());
    snapshots.back()->Store(std::make_shared<const Tracked>(i));
  }
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 7; ++i) EXPECT_EQ(snapshots[i]->Load()->value, i);
  }
}

TEST(SharedSnapshotTest, NewSnapshotAtAnOldAddressIsNotConfusedWithIt) {
  std::optional<SharedSnapshot<const Tracked>> slot;
  slot.emplace();
  slot->Store(std::make_shared<const Tracked>(1));
  EXPECT_EQ(slot->Load()->value, 1);
  slot.reset();
  slot.emplace();  // same storage, so the same address
  EXPECT_EQ(slot->Load(), nullptr);
  slot->Store(std::make_shared<const Tracked>(2));
  EXPECT_EQ(slot->Load()->value, 2);
}

TEST(SharedSnapshotTest, ReadersOnManyThreadsWhileStoring) {
  SharedSnapshot<const Tracked> snapshot;
  snapshot.Store(std::make_shared<const Tracked>(0));
  std::atomic<bool> stop{false};
  std::atomic<int> regressions{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      int last = 0;
      while (!stop.load()) {
        std::shared_ptr<const Tracked> v = snapshot.Load();
        if (v->value < last) ++regressions;  // values only grow: a reader never goes back
        last = v->value;
      }
    });
  }
  for (int i = 1; i <= 2000; ++i) snapshot.Store(std::make_shared<const Tracked>(i));
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(regressions.load(), 0);
  EXPECT_EQ(snapshot.Load()->value, 2000);
}

TEST(ThreadShardTest, StablePerThreadAndSpreadAcrossThreads) {
  const size_t mine = ThreadShard(8);
  EXPECT_LT(mine, 8u);
  EXPECT_EQ(ThreadShard(8), mine);
  // Threads take consecutive numbers: 8 new threads cover every shard of 8.
  std::vector<size_t> shards(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < shards.size(); ++i) {
    threads.emplace_back([&shards, i] { shards[i] = ThreadShard(8); });
    threads.back().join();  // one at a time: their first calls happen in order
  }
  EXPECT_EQ(std::set<size_t>(shards.begin(), shards.end()).size(), 8u);
}

}  // namespace
}  // namespace prodcat
