// Membership in the fitted tfidf vocabulary, rebuilt from a FeatureSpec's public column names:
// each kept column is named after a key that hashes to its bucket, so re-hashing the names
// recovers exactly the set of kept buckets. Used to measure the out-of-vocabulary rate of title
// tokens (reference profile on training data, drift checks on live data).
#pragma once

#include <string_view>
#include <vector>

#include "prodcat/features/feature_spec.h"

namespace prodcat {

class TfidfVocabulary {
 public:
  explicit TfidfVocabulary(const FeatureSpec& spec);
  // True when the title word unigram `token` (already normalized) has a tfidf column, i.e.
  // Transform would give it a non-zero weight (hash collisions included, as in Transform).
  bool ContainsTitleWord(std::string_view token) const;

 private:
  int hash_bits_;           // the spec's hash_bits
  std::vector<bool> kept_;  // bucket -> has a tfidf column; size 2^hash_bits_
};

}  // namespace prodcat
