// Sticky, deterministic assignment of a request to an experiment arm. Pure functions, no state:
// the same (experiment id, key) always lands in the same bucket and so the same arm, on every
// machine and across restarts.
//
// The bucket, precisely (anyone can recompute it):
//
//   bucket = XXH3_64bits(experiment_id || 0x00 || key) mod 10000
//
// where XXH3_64bits is the unseeded (seed 0) 64-bit XXH3 of the xxHash specification, applied to
// the UTF-8 bytes of the experiment id, one zero byte, then the bytes of the key, and the 64-bit
// result is taken as an unsigned integer. In Python: `xxhash.xxh3_64_intdigest(
// exp_id.encode() + b"\0" + key.encode()) % 10000`. The experiment id is part of the hash so that
// different experiments split users independently; the zero byte keeps ("ab","c") and ("a","bc")
// apart.
//
// Arms own contiguous bucket ranges in the order they are declared. With weights w_1..w_k and
// W = sum w_i, the boundaries are b_0 = 0 and b_i = floor(10000 * (w_1 + ... + w_i) / W + 0.5)
// (cumulative rounding, so the ranges tile [0, 10000) exactly and every arm's share is within
// 1/10000 of w_i / W); arm i owns buckets [b_{i-1}, b_i). An arm whose range would be empty is
// rejected by validation. A 50/50 experiment gives [0, 5000) and [5000, 10000).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat::experiments {

inline constexpr uint32_t kBucketCount = 10000;

// XXH3_64bits(experiment_id + '\0' + key) mod kBucketCount; see the file comment.
uint32_t Bucket(std::string_view experiment_id, std::string_view key);

// Half-open bucket interval [begin, end) owned by one arm.
struct BucketRange {
  uint32_t begin = 0;  // first bucket of the arm
  uint32_t end = 0;    // one past the last bucket; begin < end for a valid arm
};

// Cumulative-rounding split of [0, kBucketCount) by weight (see the file comment). Fails when
// there are fewer than 2 weights, a weight is not positive and finite, or an arm's share is too
// small to round to at least one bucket.
Status ComputeBucketRanges(std::span<const double> weights, std::vector<BucketRange>* ranges);

// Index of the range that contains `bucket`. `ranges` must come from ComputeBucketRanges.
size_t ArmForBucket(std::span<const BucketRange> ranges, uint32_t bucket);

// The arm's share of traffic implied by its range: (end - begin) / kBucketCount.
double ExpectedShare(const BucketRange& range);

// Returns the value of a request field, or an empty view when the request does not carry it.
// The server looks in the JSON body first, then in the HTTP headers.
using FieldLookup = std::function<std::string_view(std::string_view field)>;

// The first non-empty value among `key_fields`, in order, or nullopt when none is present.
std::optional<std::string> SelectAssignmentKey(const std::vector<std::string>& key_fields,
                                               const FieldLookup& field);

}  // namespace prodcat::experiments
