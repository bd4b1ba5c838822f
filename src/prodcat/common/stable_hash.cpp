#include "prodcat/common/stable_hash.h"

#include <xxh3.h>

namespace prodcat {

uint64_t StableHash(std::string_view bytes, uint64_t seed) {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

}  // namespace prodcat
