// HashedValueSet: which values of a column were seen, and how many repeated, in 8 bytes per
// distinct value. Values are represented by their 64-bit StableHash (XXH3), never stored.
//
// Collision risk: two distinct values share a hash with probability 2^-64 per pair, so among n
// distinct values the chance of any collision is about n^2 / 2^65: 3e-8 for a million values,
// 3e-6 for ten million. A collision would make one distinct value count as a repeat; for data
// validation that risk is negligible, and it is the price of not holding the column in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace prodcat {

class HashedValueSet {
 public:
  HashedValueSet();

  // Records one occurrence; returns true when the hash had not been seen before.
  bool Insert(uint64_t hash);
  // Hashes for values: text through StableHash; numbers by their bits (-0 and +0 alike).
  static uint64_t HashText(std::string_view text);
  static uint64_t HashNumber(double value);

  uint64_t distinct() const { return distinct_; }
  // Occurrences after the first of any value (a value seen 3 times adds 2).
  uint64_t repeat_occurrences() const { return repeat_occurrences_; }
  // Distinct values seen more than once.
  uint64_t repeated_values() const { return repeated_values_; }
  // Bytes held by the table (for memory reports).
  size_t memory_bytes() const { return slots_.capacity() * sizeof(uint64_t) + seen_twice_.capacity(); }

 private:
  void Grow();

  std::vector<uint64_t> slots_;      // open addressing, linear probing; 0 marks an empty slot
  std::vector<uint8_t> seen_twice_;  // per slot: 1 once its value has repeated
  uint64_t distinct_ = 0;            // occupied slots; kept below half of slots_.size()
  uint64_t repeat_occurrences_ = 0;  // see repeat_occurrences()
  uint64_t repeated_values_ = 0;     // see repeated_values()
};

}  // namespace prodcat
