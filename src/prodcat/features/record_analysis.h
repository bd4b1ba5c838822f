// The text work done once per record and shared by all views and by Fit: normalized, tokenized
// fields plus cheap title statistics, and the enumeration of hashed feature keys. Fit and
// Transform both enumerate keys through the functions below, so a feature seen in training is
// produced identically at inference.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "prodcat/data/record.h"
#include "prodcat/features/feature_hashing.h"
#include "prodcat/features/feature_spec.h"
#include "prodcat/features/tokenizer.h"

namespace prodcat {

// Reused across records (one per thread) so steady-state analysis does not allocate.
struct AnalyzedRecord {
  std::string scratch;            // normalization buffer, meaningless between calls
  std::string key_scratch;        // buffer for composed one-hot keys
  std::string title;              // " tok1 tok2 " tokens of NormalizeText(title); " " if none
  std::string brand;              // same for the brand
  std::string description;        // same for the description; " " unless analyzed
  std::string brand_value;        // NormalizeText(brand); empty = missing
  std::string seller_value;       // NormalizeText(seller_id); empty = missing
  std::string subcategory_value;  // NormalizeText(subcategory); empty = missing
  size_t title_tokens = 0;        // number of tokens in `title`
  size_t title_chars = 0;         // code points of the normalized title
  size_t title_digits = 0;        // ASCII digits of the normalized title (NFKC maps other digits)
  size_t title_token_chars = 0;   // code points summed over title tokens
  size_t description_tokens = 0;  // tokens of the description (counted even if not kept)
};

// Fills *a from `record`. The description is tokenized into a->description only when
// `keep_description_tokens`; its token count is always computed.
void AnalyzeRecord(const ProductRecord& record, bool keep_description_tokens, AnalyzedRecord* a);

// This thread's analysis of `record`, reused while the record's text fields (title, brand,
// seller_id, subcategory, description) are the same as last time: serving analyzes one product
// for its drift observation and again for the model's features. An analysis without description
// tokens is completed when they are asked for; one with them also serves a request without
// (description tokens are then present but not read). Valid until this thread's next call.
AnalyzedRecord& AnalyzeRecordCached(const ProductRecord& record, bool keep_description_tokens);

// Calls fn(std::string_view token, std::string_view padded_token) for each token of a padded
// token string " a b ", where padded_token is " a " (a substring of `padded`).
template <typename Fn>
void ForEachPaddedToken(std::string_view padded, Fn&& fn) {
  size_t start = 1;  // padded[0] is the leading space
  while (start < padded.size()) {
    size_t end = padded.find(' ', start);
    if (end == std::string_view::npos) end = padded.size();
    if (end > start)
      fn(padded.substr(start, end - start), padded.substr(start - 1, end - start + 2));
    start = end + 1;
  }
}

// Calls fn(std::string_view gram) for the word n-grams, n in [1, max_n], of a padded token string;
// an n-gram is its tokens joined by one space ("usb c"). max_n must be <= kMaxWordNgram.
inline constexpr int kMaxWordNgram = 8;
template <typename Fn>
void ForEachWordNgram(std::string_view padded, int max_n, Fn&& fn) {
  size_t starts[kMaxWordNgram];  // ring buffer: start offsets of the last max_n tokens
  size_t seen = 0;
  ForEachPaddedToken(padded, [&](std::string_view token, std::string_view) {
    const auto start = static_cast<size_t>(token.data() - padded.data());
    const size_t end = start + token.size();
    starts[seen % static_cast<size_t>(max_n)] = start;
    ++seen;
    for (size_t n = 1; n <= static_cast<size_t>(max_n) && n <= seen; ++n) {
      size_t first = starts[(seen - n) % static_cast<size_t>(max_n)];
      fn(padded.substr(first, end - first));
    }
  });
}

// Every tfidf key of an analyzed record, as fn(HashNamespace, std::string_view key). A key may
// repeat (term frequency).
template <typename Fn>
void ForEachTfidfKey(const AnalyzedRecord& a, const FeatureSpecOptions& options, Fn&& fn) {
  ForEachWordNgram(a.title, options.word_ngram_max,
                   [&](std::string_view g) { fn(HashNamespace::kTitleWord, g); });
  auto char_grams = [&](std::string_view, std::string_view padded_token) {
    ForEachCharWbNgram(padded_token, options.char_ngram_min, options.char_ngram_max,
                       [&](std::string_view g) { fn(HashNamespace::kTitleChar, g); });
  };
  ForEachPaddedToken(a.title, char_grams);
  ForEachPaddedToken(a.brand, [&](std::string_view token, std::string_view padded_token) {
    fn(HashNamespace::kBrandWord, token);
    char_grams(token, padded_token);
  });
  if (options.use_description) {
    ForEachWordNgram(a.description, options.word_ngram_max,
                     [&](std::string_view g) { fn(HashNamespace::kDescWord, g); });
  }
}

// Every one-hot key of the tabular view, as fn(HashNamespace, std::string_view key). `price_bin`
// is the record's price range bin, or -1 when its price is missing. Uses a->key_scratch.
template <typename Fn>
void ForEachOneHotKey(AnalyzedRecord* a, int price_bin, bool title_words, Fn&& fn) {
  if (!a->brand_value.empty()) {
    fn(HashNamespace::kBrandValue, std::string_view(a->brand_value));
    a->key_scratch.assign(a->brand_value);
    a->key_scratch.push_back('|');
    if (price_bin < 0) {
      a->key_scratch.append("na");
    } else {
      char digits[12];
      int len = 0;
      unsigned v = static_cast<unsigned>(price_bin);
      do {
        digits[len++] = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v > 0);
      while (len > 0) a->key_scratch.push_back(digits[--len]);
    }
    fn(HashNamespace::kBrandPriceRange, std::string_view(a->key_scratch));
  }
  if (!a->seller_value.empty()) fn(HashNamespace::kSellerValue, std::string_view(a->seller_value));
  if (!a->subcategory_value.empty()) {
    fn(HashNamespace::kSubcategoryValue, std::string_view(a->subcategory_value));
  }
  if (title_words) {
    ForEachPaddedToken(a->title, [&](std::string_view token, std::string_view) {
      fn(HashNamespace::kTitleWordValue, token);
    });
  }
}

}  // namespace prodcat
