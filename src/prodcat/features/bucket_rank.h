// Maps the kept hash buckets (a sorted subset of [0, 2^hash_bits)) to their rank, which is their
// column id. Stored as a bitmap with a running rank per 32 buckets: 2^hash_bits / 4 bytes
// (256 KiB at 20 bits) instead of a 4 MiB int32 table, so lookups stay in the L2 cache — at a
// couple of hundred lookups per record that is most of the transform cost.
#pragma once

#include <cstdint>
#include <vector>

namespace prodcat {

class BucketRank {
 public:
  // `sorted_buckets` must be strictly increasing and below 2^hash_bits.
  void Build(const std::vector<uint32_t>& sorted_buckets, int hash_bits) {
    blocks_.assign((size_t{1} << hash_bits) / 32 + 1, Block{0, 0});
    for (uint32_t b : sorted_buckets) blocks_[b >> 5].bits |= uint32_t{1} << (b & 31);
    uint32_t rank = 0;
    for (Block& block : blocks_) {
      block.rank_before = rank;
      rank += PopCount(block.bits);
    }
  }
  // The rank of `bucket` among the kept buckets, or -1 if it was not kept.
  int32_t Find(uint32_t bucket) const {
    const Block& block = blocks_[bucket >> 5];
    const uint32_t bit = uint32_t{1} << (bucket & 31);
    if ((block.bits & bit) == 0) return -1;
    return static_cast<int32_t>(block.rank_before + PopCount(block.bits & (bit - 1)));
  }

 private:
  // Inline bit counting: without -mpopcnt std::popcount becomes a libgcc call, which costs more
  // than these few instructions.
  static uint32_t PopCount(uint32_t x) {
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (x * 0x01010101u) >> 24;
  }

  struct Block {
    uint32_t bits;         // bit i set: bucket 32 * index + i is kept
    uint32_t rank_before;  // kept buckets in all earlier blocks
  };
  std::vector<Block> blocks_;  // one per 32 buckets
};

}  // namespace prodcat
