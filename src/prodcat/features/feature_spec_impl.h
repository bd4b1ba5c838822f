// The state of a fitted FeatureSpec, shared by the files that fit, apply and store it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "prodcat/features/bucket_rank.h"
#include "prodcat/features/engineered_features.h"
#include "prodcat/features/feature_hashing.h"
#include "prodcat/features/feature_spec.h"

namespace prodcat {

struct FeatureSpec::Impl {
  explicit Impl(const FeatureSpecOptions& o) : options(o), hasher(o.hash_bits) {}

  FeatureSpecOptions options;  // validated; fixed after Fit
  BucketHasher hasher;         // hashes keys into 2^options.hash_bits buckets
  uint64_t train_rows = 0;     // rows Fit saw (the n of the idf formula)

  // Tfidf view. Columns are the kept buckets in ascending bucket order.
  std::vector<uint32_t> tfidf_buckets;   // column -> bucket, strictly increasing
  std::vector<float> idf;                // column -> idf, finite and >= 1
  std::vector<std::string> tfidf_names;  // column -> first training key seen in its bucket
  BucketRank tfidf_column_of;            // bucket -> column or -1

  // Tabular view: kNumEngineeredFeatures dense columns, then one-hot columns.
  NumericStats numeric;                   // imputation values and price bin edges
  std::vector<uint32_t> onehot_buckets;   // one-hot index -> bucket, strictly increasing
  std::vector<std::string> onehot_names;  // one-hot index -> "brand=sony", ...
  BucketRank onehot_index_of;             // bucket -> one-hot index or -1

  // Rebuilds the bucket -> column lookup tables from the bucket lists (after Fit or Load).
  void BuildLookupTables();
  size_t tabular_dim() const { return kNumEngineeredFeatures + onehot_buckets.size(); }
};

// Number of contiguous chunks (= threads) worth using for n rows: at most hardware_concurrency,
// and one when n is below 2 * min_per_chunk (thread start-up would cost more than it saves).
inline size_t ChunkCount(size_t n, size_t min_per_chunk) {
  size_t threads = std::max<size_t>(1, std::thread::hardware_concurrency());
  return std::min(threads, std::max<size_t>(1, n / std::max<size_t>(1, min_per_chunk)));
}

// Runs fn(begin, end, chunk) over [0, n) split into `chunks` contiguous chunks, one thread each;
// chunk c covers rows before chunk c + 1. A thread that cannot be started runs inline.
template <typename Fn>
void ParallelChunks(size_t n, size_t chunks, Fn&& fn) {
  if (chunks <= 1) {
    fn(size_t{0}, n, size_t{0});
    return;
  }
  const size_t per_chunk = (n + chunks - 1) / chunks;
  std::vector<std::thread> workers;
  workers.reserve(chunks);
  for (size_t c = 0; c < chunks; ++c) {
    const size_t begin = std::min(n, c * per_chunk);
    const size_t end = std::min(n, begin + per_chunk);
    try {
      workers.emplace_back([&fn, begin, end, c] { fn(begin, end, c); });
    } catch (const std::system_error&) {
      fn(begin, end, c);
    }
  }
  for (std::thread& t : workers) t.join();
}

}  // namespace prodcat
