#include "prodcat/features/tfidf_vocabulary.h"

#include <string>

#include "prodcat/features/feature_hashing.h"

namespace prodcat {

TfidfVocabulary::TfidfVocabulary(const FeatureSpec& spec)
    : hash_bits_(spec.options().hash_bits), kept_(size_t{1} << spec.options().hash_bits, false) {
  for (size_t col = 0; col < spec.tfidf_dim(); ++col) {
    const std::string name = spec.TfidfFeatureName(static_cast<uint32_t>(col));
    HashNamespace ns;
    std::string_view key;
    if (ParseNamespacedName(name, &ns, &key)) kept_[HashBucket(ns, key, hash_bits_)] = true;
  }
}

bool TfidfVocabulary::ContainsTitleWord(std::string_view token) const {
  return kept_[HashBucket(HashNamespace::kTitleWord, token, hash_bits_)];
}

}  // namespace prodcat
