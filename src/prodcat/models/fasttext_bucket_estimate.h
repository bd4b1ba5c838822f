// Sizing fastText's hashed n-gram table from the data instead of its fixed 2M default.
// The input matrix has (words + bucket) x dim floats: at dim 50 the default 2M buckets alone
// cost 400 MB even when the data has a few thousand distinct n-grams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace prodcat {

// Estimated number of distinct n-grams fastText would hash into buckets for `rows` of `texts`:
// char n-grams (minn..maxn UTF-8 characters of "<word>", each distinct word once) plus word
// n-grams of order 2..word_ngrams. Tokens split on fastText's whitespace. Uses a
// k-minimum-values sketch, so memory stays small for any data size (exact for small data).
size_t EstimateDistinctNgrams(const std::vector<std::string>& texts,
                              const std::vector<size_t>& rows, int word_ngrams, int minn, int maxn);

// The default bucket rule: 4 x the estimated distinct n-grams (load factor 1/4 keeps most
// n-grams alone in their bucket), clamped to [100000, 2000000]; 0 when the model uses no n-grams.
int64_t DefaultBucketCount(size_t distinct_ngrams, int word_ngrams, int maxn);

}  // namespace prodcat
