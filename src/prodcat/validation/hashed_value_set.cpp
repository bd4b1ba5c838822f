#include "prodcat/validation/hashed_value_set.h"

#include <cstring>

#include "prodcat/common/stable_hash.h"

namespace prodcat {
namespace {
constexpr size_t kInitialSlots = 1024;  // a power of two
constexpr uint64_t kRepeatedBit = uint64_t{1} << 63;
}  // namespace

HashedValueSet::HashedValueSet() : slots_(kInitialSlots, 0) {}

uint64_t HashedValueSet::HashText(std::string_view text) {
  return StableHash(text);
}

uint64_t HashedValueSet::HashNumber(double value) {
  if (value == 0) value = 0;  // -0.0 == 0.0, so they must hash alike
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  // Mix the bits: nearby numbers differ only in low bits, which linear probing handles badly.
  std::string_view bytes(reinterpret_cast<const char*>(&bits), sizeof(bits));
  return StableHash(bytes);
}

bool HashedValueSet::Insert(uint64_t hash) {
  hash &= ~kRepeatedBit;
  if (hash == 0) hash = 1;  // 0 marks empty slots; merging it with 1 adds a 2^-63 collision
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots_[i];
    if ((slot & ~kRepeatedBit) == hash) {
      ++repeat_occurrences_;
      if (!(slot & kRepeatedBit)) {
        slots_[i] = slot | kRepeatedBit;
        ++repeated_values_;
      }
      return false;
    }
    if (slot == 0) {
      slots_[i] = hash;
      if (++distinct_ * 2 > slots_.size()) Grow();
      return true;
    }
  }
}

void HashedValueSet::Grow() {
  std::vector<uint64_t> old(slots_.size() * 2, 0);
  old.swap(slots_);
  size_t mask = slots_.size() - 1;
  for (uint64_t slot : old) {
    if (slot == 0) continue;
    size_t i = (slot & ~kRepeatedBit) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace prodcat
