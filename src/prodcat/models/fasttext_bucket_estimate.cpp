#include "prodcat/models/fasttext_bucket_estimate.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>
#include <unordered_set>

#include "prodcat/common/stable_hash.h"

namespace prodcat {

namespace {

// The k smallest distinct hash values seen; if h values are uniform on [0, 2^64), the k-th
// smallest is about k / distinct x 2^64.
class MinValuesSketch {
 public:
  explicit MinValuesSketch(size_t k) : k_(k) {}
  void Add(uint64_t h) {
    if (smallest_.size() == k_ && h >= *smallest_.rbegin()) return;
    if (smallest_.insert(h).second && smallest_.size() > k_)
      smallest_.erase(std::prev(smallest_.end()));
  }
  size_t Estimate() const {
    if (smallest_.size() < k_) return smallest_.size();  // saw fewer than k: exact
    double kth = static_cast<double>(*smallest_.rbegin()) / 18446744073709551616.0;
    return static_cast<size_t>(static_cast<double>(k_ - 1) / std::max(kth, 1e-300));
  }

 private:
  size_t k_;                     // sketch size; relative error about 1 / sqrt(k)
  std::set<uint64_t> smallest_;  // at most k_ values
};

bool IsFastTextSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0';
}

}  // namespace

size_t EstimateDistinctNgrams(const std::vector<std::string>& texts,
                              const std::vector<size_t>& rows, int word_ngrams, int minn,
                              int maxn) {
  MinValuesSketch sketch(4096);
  std::unordered_set<std::string_view> seen_words;
  std::vector<uint64_t> token_hashes;
  std::vector<size_t> char_starts;
  std::string bracketed;
  for (size_t r : rows) {
    if (r >= texts.size()) continue;
    std::string_view text = texts[r];
    token_hashes.clear();
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && IsFastTextSpace(text[i])) ++i;
      size_t start = i;
      while (i < text.size() && !IsFastTextSpace(text[i])) ++i;
      if (i == start) break;
      std::string_view word = text.substr(start, i - start);
      token_hashes.push_back(StableHash(word));
      if (maxn <= 0 || !seen_words.insert(word).second) continue;
      bracketed.clear();
      bracketed.push_back('<');
      bracketed.append(word);
      bracketed.push_back('>');
      char_starts.clear();
      for (size_t b = 0; b < bracketed.size(); ++b) {
        if ((static_cast<unsigned char>(bracketed[b]) & 0xC0) != 0x80) char_starts.push_back(b);
      }
      char_starts.push_back(bracketed.size());
      const size_t chars = char_starts.size() - 1;
      for (size_t c = 0; c < chars; ++c) {
        for (int n = std::max(1, minn); n <= maxn && c + static_cast<size_t>(n) <= chars; ++n) {
          std::string_view gram(bracketed.data() + char_starts[c],
                                char_starts[c + static_cast<size_t>(n)] - char_starts[c]);
          sketch.Add(StableHash(gram, 1));  // seed 1: char n-grams apart from word n-grams
        }
      }
    }
    for (size_t t = 0; t < token_hashes.size(); ++t) {
      uint64_t h = token_hashes[t];
      for (int n = 2; n <= word_ngrams && t + static_cast<size_t>(n) <= token_hashes.size(); ++n) {
        h = h * 116049371ULL + token_hashes[t + static_cast<size_t>(n) - 1];  // fastText's mixer
        sketch.Add(StableHash(std::string_view(reinterpret_cast<const char*>(&h), sizeof(h)), 2));
      }
    }
  }
  return sketch.Estimate();
}

int64_t DefaultBucketCount(size_t distinct_ngrams, int word_ngrams, int maxn) {
  if (word_ngrams <= 1 && maxn <= 0) return 0;
  const double wanted = 4.0 * static_cast<double>(distinct_ngrams);
  return static_cast<int64_t>(std::clamp(wanted, 100000.0, 2000000.0));
}

}  // namespace prodcat
