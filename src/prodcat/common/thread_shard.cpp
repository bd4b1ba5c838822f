#include "prodcat/common/thread_shard.h"

#include <atomic>

namespace prodcat {

size_t ThreadShard(size_t shards) {
  static std::atomic<size_t> next{0};
  thread_local const size_t number = next.fetch_add(1, std::memory_order_relaxed);
  return number % shards;
}

}  // namespace prodcat
