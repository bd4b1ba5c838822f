// Small helpers to build hand-made records and to look up features by name in tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "prodcat/data/record.h"
#include "prodcat/features/feature_spec.h"

namespace prodcat::testing {

inline ProductRecord MakeRecord(std::string title, std::string brand = "",
                                std::optional<double> price = std::nullopt) {
  ProductRecord r;
  r.title = std::move(title);
  r.brand = std::move(brand);
  r.price = price;
  return r;
}

// Column whose readable name is exactly `name`, or -1.
inline long TfidfColumn(const FeatureSpec& spec, const std::string& name) {
  for (size_t c = 0; c < spec.tfidf_dim(); ++c) {
    if (spec.TfidfFeatureName(static_cast<uint32_t>(c)) == name) return static_cast<long>(c);
  }
  return -1;
}

inline long TabularColumn(const FeatureSpec& spec, const std::string& name) {
  for (size_t c = 0; c < spec.tabular_dim(); ++c) {
    if (spec.TabularFeatureName(static_cast<uint32_t>(c)) == name) return static_cast<long>(c);
  }
  return -1;
}

// Value of `column` in `v`, 0 when absent.
inline float ValueAt(const SparseVector& v, long column) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (static_cast<long>(v.indices[i]) == column) return v.values[i];
  }
  return 0.0f;
}

inline bool Contains(const SparseVector& v, long column) {
  for (uint32_t index : v.indices) {
    if (static_cast<long>(index) == column) return true;
  }
  return false;
}

}  // namespace prodcat::testing
