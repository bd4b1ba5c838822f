// ParallelFor: splits [0, n) into contiguous chunks over worker threads (order-preserving work
// for feature transforms and batch prediction).
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace prodcat {

inline int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

// Calls body(begin, end) on disjoint ranges covering [0, n), from up to `threads` threads.
inline void ParallelFor(size_t n, int threads, const std::function<void(size_t, size_t)>& body) {
  size_t t =
      std::min<size_t>(static_cast<size_t>(ResolveThreads(threads)), std::max<size_t>(n / 256, 1));
  if (t <= 1) {
    if (n) body(0, n);
    return;
  }
  std::vector<std::thread> workers;
  size_t chunk = (n + t - 1) / t;
  for (size_t i = 0; i < t; ++i) {
    size_t b = i * chunk, e = std::min(n, b + chunk);
    if (b >= e) break;
    workers.emplace_back([&body, b, e] { body(b, e); });
  }
  for (auto& w : workers) w.join();
}

}  // namespace prodcat
