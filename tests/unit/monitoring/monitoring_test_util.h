// Helpers for the monitoring tests: small hand-made product rows, a FeatureSpec fitted on them,
// and a DriftReference built from their profile the way a bundle's would be.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "prodcat/features/feature_spec.h"
#include "prodcat/features/reference_profile.h"
#include "prodcat/monitoring/drift_reference.h"

namespace prodcat::monitoring::testing {

// `n` rows cycling through 10 titles, 5 brands (one row in 10 without brand), 4 sellers and
// prices 1.25, 2.5, ... (i % 40 + 1) * 1.25. Every title word occurs in several rows.
inline std::vector<ProductRecord> Rows(size_t n) {
  static const char* kTitles[] = {
      "usb cable black",     "usb charger white", "phone case black",  "phone charger fast",
      "cotton shirt white",  "cotton shirt blue", "garden hose green", "garden hose black",
      "kitchen knife steel", "kitchen pan steel",
  };
  static const char* kBrands[] = {"Sony", "Acme", "Zeta", "Acme", "Sony"};
  std::vector<ProductRecord> rows;
  for (size_t i = 0; i < n; ++i) {
    ProductRecord r;
    r.product_id = std::to_string(i);
    r.title = kTitles[i % 10];
    r.brand = i % 10 == 9 ? "" : kBrands[i % 5];
    r.seller_id = std::string(1, static_cast<char>('a' + i % 4));
    r.subcategory = i % 2 ? "cables" : "home";
    r.price = static_cast<double>(i % 40 + 1) * 1.25;
    rows.push_back(r);
  }
  return rows;
}

inline std::unique_ptr<FeatureSpec> FitSpec(const std::vector<ProductRecord>& rows) {
  FeatureSpecOptions o;
  o.hash_bits = 22;  // no chance collision between the few words used
  o.tfidf_min_df = 2;
  std::unique_ptr<FeatureSpec> spec;
  EXPECT_TRUE(FeatureSpec::Fit(rows, o, &spec).ok());
  return spec;
}

// The profile of `rows`, with exact drift bins unless `exact` is false.
inline nlohmann::json Profile(const std::vector<ProductRecord>& rows, const FeatureSpec& spec,
                              bool exact = true) {
  nlohmann::json profile = BuildReferenceProfile(rows, spec);
  if (exact) {
    EXPECT_TRUE(AddDriftBins(rows, spec, &profile).ok());
  }
  return profile;
}

inline std::shared_ptr<const DriftReference> MakeReference(const nlohmann::json& profile,
                                                           const FeatureSpec& spec,
                                                           const DriftOptions& options) {
  std::unique_ptr<DriftReference> reference;
  const Status s = DriftReference::Create(profile, spec, options, &reference);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::shared_ptr<const DriftReference>(std::move(reference));
}

inline const NumericFeatureReference& Numeric(const DriftReference& r, const std::string& name) {
  for (const NumericFeatureReference& f : r.numeric()) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no numeric feature " << name;
  return r.numeric().front();
}

inline size_t NumericIndex(const DriftReference& r, const std::string& name) {
  for (size_t i = 0; i < r.numeric().size(); ++i) {
    if (r.numeric()[i].name == name) return i;
  }
  ADD_FAILURE() << "no numeric feature " << name;
  return 0;
}

}  // namespace prodcat::monitoring::testing
