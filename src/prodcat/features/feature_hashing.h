// Hashed feature keys: every feature key (a word n-gram, a char n-gram, "brand=sony"...) belongs to
// a namespace, and the namespace is part of the hash so that word "ab" and char gram "ab" land
// in unrelated buckets. The namespace enters as the seed, seed = StableHash(prefix), which is
// equivalent to hashing prefix + key but needs no copy of the key. Changing a prefix, the seed
// derivation or the bucket rule invalidates every stored FeatureSpec.
#pragma once

#include <cstdint>
#include <string_view>

namespace prodcat {

enum class HashNamespace : uint8_t {
  // Tfidf view.
  kTitleWord,  // word n-grams of the title
  kTitleChar,  // char_wb n-grams of title and brand tokens
  kBrandWord,  // brand tokens
  kDescWord,   // word n-grams of the description
  // Tabular view one-hot columns.
  kBrandValue,
  kSellerValue,
  kSubcategoryValue,
  kBrandPriceRange,
  kTitleWordValue,
};
inline constexpr int kNumHashNamespaces = 9;

// Readable prefix of a namespace; feature names are prefix + key ("title:word:usb c",
// "brand=sony"). No prefix is a prefix of another, so a name parses back unambiguously.
std::string_view NamespacePrefix(HashNamespace ns);
// Finds the namespace whose prefix starts `name`; false if none does.
bool ParseNamespacedName(std::string_view name, HashNamespace* ns, std::string_view* key);

uint64_t NamespaceSeed(HashNamespace ns);

// Bucket of `key` in namespace `ns` among 2^hash_bits buckets.
uint32_t HashBucket(HashNamespace ns, std::string_view key, int hash_bits);

}  // namespace prodcat
