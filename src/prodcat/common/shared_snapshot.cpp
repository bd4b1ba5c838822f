#include "prodcat/common/shared_snapshot.h"

namespace prodcat {

uint64_t NextSnapshotGeneration() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace prodcat
