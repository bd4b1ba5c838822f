#include "prodcat/experiments/assignment.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <sstream>
#include <string>

#include "prodcat/common/stable_hash.h"

namespace prodcat::experiments {
namespace {

// "1e-06", "0.25", "-1": readable in messages, unlike std::to_string's fixed six decimals.
std::string ShortNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

uint32_t Bucket(std::string_view experiment_id, std::string_view key) {
  // Seed 0 makes StableHash exactly XXH3_64bits, the documented formula. Short inputs (the usual
  // case) are concatenated on the stack so the hot path does not allocate.
  const size_t size = experiment_id.size() + 1 + key.size();
  std::array<char, 256> stack_buffer;
  std::string heap_buffer;
  char* bytes = stack_buffer.data();
  if (size > stack_buffer.size()) {
    heap_buffer.resize(size);
    bytes = heap_buffer.data();
  }
  std::memcpy(bytes, experiment_id.data(), experiment_id.size());
  bytes[experiment_id.size()] = '\0';
  if (!key.empty()) std::memcpy(bytes + experiment_id.size() + 1, key.data(), key.size());
  const uint64_t hash = StableHash(std::string_view(bytes, size), /*seed=*/0);
  return static_cast<uint32_t>(hash % kBucketCount);
}

Status ComputeBucketRanges(std::span<const double> weights, std::vector<BucketRange>* ranges) {
  ranges->clear();
  if (weights.size() < 2) {
    return Status::InvalidArgument("arms: expected at least 2 arms, got " +
                                   std::to_string(weights.size()));
  }
  double total = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] <= 0) {
      return Status::InvalidArgument("arms[" + std::to_string(i) +
                                     "].weight: expected a positive finite number, got " +
                                     ShortNumber(weights[i]));
    }
    total += weights[i];
  }
  if (!std::isfinite(total)) {
    return Status::InvalidArgument("arms: the sum of the weights overflows");
  }
  double cumulative = 0;
  uint32_t begin = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    cumulative += weights[i];
    uint32_t end =
        i + 1 == weights.size()
            ? kBucketCount
            : static_cast<uint32_t>(std::floor(kBucketCount * (cumulative / total) + 0.5));
    end = std::min(end, kBucketCount);
    if (end <= begin) {
      ranges->clear();
      return Status::InvalidArgument("arms[" + std::to_string(i) + "].weight: share " +
                                     ShortNumber(weights[i] / total) +
                                     " of the traffic is too small to own one of the " +
                                     std::to_string(kBucketCount) + " buckets");
    }
    ranges->push_back({begin, end});
    begin = end;
  }
  return Status::Ok();
}

size_t ArmForBucket(std::span<const BucketRange> ranges, uint32_t bucket) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), bucket,
                             [](uint32_t b, const BucketRange& r) { return b < r.end; });
  if (it == ranges.end()) return ranges.size() - 1;  // unreachable for bucket < kBucketCount
  return static_cast<size_t>(it - ranges.begin());
}

double ExpectedShare(const BucketRange& range) {
  return static_cast<double>(range.end - range.begin) / kBucketCount;
}

std::optional<std::string> SelectAssignmentKey(const std::vector<std::string>& key_fields,
                                               const FieldLookup& field) {
  for (const std::string& name : key_fields) {
    std::string_view value = field(name);
    if (!value.empty()) return std::string(value);
  }
  return std::nullopt;
}

}  // namespace prodcat::experiments
