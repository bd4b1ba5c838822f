// The one hash used for feature hashing, bucketing and A/B assignment: XXH3-64 with a fixed seed.
// It is specified by the xxHash project and stable across machines, compilers and releases, so
// the same token maps to the same feature everywhere. Never change kFeatureHashSeed: doing so
// invalidates every stored FeatureSpec.
#pragma once

#include <cstdint>
#include <string_view>

namespace prodcat {

inline constexpr uint64_t kFeatureHashSeed = 0x70726f64636174ULL;  // "prodcat" in ASCII

uint64_t StableHash(std::string_view bytes, uint64_t seed = kFeatureHashSeed);

}  // namespace prodcat
