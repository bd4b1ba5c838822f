// Validation of FeatureSpecOptions (ToJson/FromJson are declared with the struct in
// feature_spec.h and defined in feature_options.cpp).
#pragma once

#include "prodcat/common/status.h"
#include "prodcat/features/feature_spec.h"

namespace prodcat {

// Limits that keep tables bounded and n-gram enumeration allocation-free.
inline constexpr int kMinHashBits = 10;
inline constexpr int kMaxHashBits = 26;  // 2^26 int32 lookup table = 256 MiB

// InvalidArgument naming the first option out of range and its allowed range.
Status ValidateFeatureSpecOptions(const FeatureSpecOptions& options);

}  // namespace prodcat
