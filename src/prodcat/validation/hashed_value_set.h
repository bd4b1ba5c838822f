// HashedValueSet: which values of a column were seen, and how many repeated, in 16-32 bytes per
// distinct value (8-byte slots, at most half full). Values are represented by their 64-bit
// StableHash (XXH3), never stored.
//
// Collision risk: 63 bits of the hash are kept, so two distinct values collide with probability
// 2^-63 per pair and among n distinct values the chance of any collision is about n^2 / 2^64:
// 5e-8 for a million values, 5e-6 for ten million. A collision would make one distinct value count
// as a repeat; for data validation that risk is negligible, and it is the price of not holding the
// column in memory.
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
  size_t memory_bytes() const { return slots_.capacity() * sizeof(uint64_t); }

 private:
  void Grow();

  // Each slot holds a hash with its top bit cleared (0 marks an empty slot); the top bit is set
  // once that value has repeated. Keeping the flag in the slot means one cache miss per insert.
  std::vector<uint64_t> slots_;      // open addressing, linear probing, power-of-two size
  uint64_t distinct_ = 0;            // occupied slots; kept below half of slots_.size()
  uint64_t repeat_occurrences_ = 0;  // see repeat_occurrences()
  uint64_t repeated_values_ = 0;     // see repeated_values()
};

}  // namespace prodcat
