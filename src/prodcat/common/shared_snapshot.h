// SharedSnapshot<T>: a value replaced now and then (the served model) and read on every request
// by several threads. std::atomic<std::shared_ptr> would do, but its load locks a word shared by
// all readers and bumps one shared reference count, so at tens of thousands of requests per
// second two cores passed those cache lines back and forth on every request.
//
// Here each thread keeps its own reference to the current value behind its own control block:
// Load() reads one rarely-written generation number and, while it is unchanged, hands out copies
// that only touch this thread's count. Copies stay valid across Store (they keep the old value
// alive), so a request finishes on the value it started with. A thread's cached reference is
// dropped at its next Load after a Store (or when it exits).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

namespace prodcat {

// Process-wide, strictly increasing: a snapshot's generations are never reused by another one,
// so a per-thread cache keyed by (snapshot, generation) cannot mistake a new object at an old
// address for the one it cached.
uint64_t NextSnapshotGeneration();

template <typename T>
class SharedSnapshot {
 public:
  SharedSnapshot() = default;
  SharedSnapshot(const SharedSnapshot&) = delete;
  SharedSnapshot& operator=(const SharedSnapshot&) = delete;

  void Store(std::shared_ptr<T> value) {
    value_.store(std::move(value), std::memory_order_release);
    generation_.store(NextSnapshotGeneration(), std::memory_order_release);
  }

  // The current value (null before the first Store).
  std::shared_ptr<T> Load() const {
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    Cached* cached = Find(generation);
    if (cached != nullptr) return cached->value;
    // Loaded after the generation: at least as new as it (Store writes the value first).
    std::shared_ptr<T> shared = value_.load(std::memory_order_acquire);
    std::shared_ptr<T> local;
    if (shared) {
      T* raw = shared.get();
      // This thread's control block owns one reference to the shared one.
      local = std::shared_ptr<T>(std::make_shared<std::shared_ptr<T>>(std::move(shared)), raw);
    }
    Cached& slot = Slot();
    slot.owner = this;
    slot.generation = generation;
    slot.value = local;
    return local;
  }

 private:
  struct Cached {
    const SharedSnapshot* owner = nullptr;  // the snapshot this entry caches; null = free
    uint64_t generation = 0;                // owner's generation when cached
    std::shared_ptr<T> value;               // behind this thread's own control block
  };
  static constexpr size_t kCacheSlots = 4;  // primary, fallback, shadow, an arm: the usual few
  struct ThreadCache {
    std::array<Cached, kCacheSlots> slots;
    size_t next = 0;  // the slot a new snapshot replaces (round robin)
  };
  static ThreadCache& Cache() {
    thread_local ThreadCache cache;
    return cache;
  }
  Cached* Find(uint64_t generation) const {
    auto& slots = Cache().slots;
    auto it = std::find_if(slots.begin(), slots.end(), [&](const Cached& c) {
      return c.owner == this && c.generation == generation;
    });
    return it == slots.end() ? nullptr : &*it;
  }
  // This snapshot's slot if it has one (stale), else the next one round robin.
  Cached& Slot() const {
    ThreadCache& cache = Cache();
    auto it = std::find_if(cache.slots.begin(), cache.slots.end(),
                           [&](const Cached& c) { return c.owner == this; });
    if (it != cache.slots.end()) return *it;
    Cached& c = cache.slots[cache.next];
    cache.next = (cache.next + 1) % kCacheSlots;
    return c;
  }

  std::atomic<std::shared_ptr<T>> value_;  // the current value; null until stored
  std::atomic<uint64_t> generation_{0};    // NextSnapshotGeneration() of the last Store; 0 never
};

}  // namespace prodcat
