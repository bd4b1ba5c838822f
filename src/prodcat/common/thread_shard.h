// ThreadShard: a small per-thread index for sharded state. Counters that every request thread
// updates (metrics, drift windows, access-log buffers) are kept in one shard per thread group
// rather than one shared copy: shared cache lines bounced between cores on every request.
#pragma once

#include <cstddef>

namespace prodcat {

// This thread's shard among `shards` (> 0). Threads get consecutive numbers in the order they
// first ask, so a server's few I/O threads land on different shards.
size_t ThreadShard(size_t shards);

}  // namespace prodcat
