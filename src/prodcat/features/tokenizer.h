// Word tokens and character n-grams of normalized text (see text_normalizer.h).
//
// Token rule: a token is a maximal run of word characters (ASCII letters and digits, and any
// non-ASCII code point whose Unicode category is a letter, mark or number). A single '-', '.' or
// '/' is kept inside a token when it sits between two word characters, because product codes
// and quantities depend on it: "usb-c", "5.5", "mq8n2b/a", "1/2". Every other character
// (spaces, other punctuation, symbols, a joiner at a token edge or doubled) separates tokens:
// "(64gb, grey)" -> "64gb" "grey";  "a--b" -> "a" "b";  "c++" -> "c".
//
// Character n-grams follow scikit-learn's analyzer='char_wb': each token is padded with one space
// on both sides (" usb ") and all n-grams of n code points, n in [min_n, max_n], are taken
// inside the padded token; a padded token shorter than n yields itself once (and no longer n).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace prodcat {

namespace internal {
// Sets *len to the byte length of the character at text[pos] (1 for a malformed byte) and
// returns whether it is a word character.
bool IsWordCharAt(std::string_view text, size_t pos, size_t* len);
}  // namespace internal

// Calls fn(std::string_view token) for each token of `text`, in order. Allocation-free.
template <typename Fn>
void ForEachToken(std::string_view text, Fn&& fn) {
  size_t pos = 0;
  const size_t n = text.size();
  size_t len = 0;
  while (pos < n) {
    if (!internal::IsWordCharAt(text, pos, &len)) {
      pos += len;
      continue;
    }
    const size_t start = pos;
    pos += len;
    while (pos < n) {
      if (internal::IsWordCharAt(text, pos, &len)) {
        pos += len;
        continue;
      }
      const char c = text[pos];
      size_t next_len = 0;
      if ((c == '-' || c == '.' || c == '/') && pos + 1 < n &&
          internal::IsWordCharAt(text, pos + 1, &next_len)) {
        ++pos;
        continue;
      }
      break;
    }
    fn(text.substr(start, pos - start));
  }
}

std::vector<std::string> Tokenize(std::string_view text);

// Appends every token of `text` to *out followed by one space. Starting from " " this builds the
// padded form " tok1 tok2 " in which each token's char_wb padding and each word n-gram is a
// plain substring, so n-grams can be hashed without copying. Returns the number of tokens.
size_t AppendTokensPadded(std::string_view text, std::string* out);

// Calls fn(std::string_view gram) for each char_wb n-gram of `padded_token` (" tok ", as found in
// an AppendTokensPadded string). Allocation-free for tokens up to 256 code points; longer ones
// use a per-thread buffer.
template <typename Fn>
void ForEachCharWbNgram(std::string_view padded_token, int min_n, int max_n, Fn&& fn);

// Convenience form for tests and tools: pads `token` itself.
std::vector<std::string> CharWbNgrams(std::string_view token, int min_n, int max_n);

// Number of code points in valid UTF-8 (continuation bytes are not counted).
size_t CountCodePoints(std::string_view utf8);

// ---- implementation of the template above ----
namespace internal {
// Fills boundaries[0..k] with the byte offset of each code point of `s` plus s.size(); returns k
// (the number of code points). `boundaries` must hold s.size() + 1 entries.
size_t CodePointBoundaries(std::string_view s, uint32_t* boundaries);
uint32_t* LargeBoundaryBuffer(size_t size);
}  // namespace internal

template <typename Fn>
void ForEachCharWbNgram(std::string_view padded_token, int min_n, int max_n, Fn&& fn) {
  bool ascii = true;
  for (char c : padded_token) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    const size_t len = padded_token.size();
    for (int n = min_n; n <= max_n; ++n) {
      const auto un = static_cast<size_t>(n);
      if (len <= un) {  // too short: the whole padded token once, then stop (like scikit-learn)
        fn(padded_token);
        break;
      }
      for (size_t start = 0; start + un <= len; ++start) fn(padded_token.substr(start, un));
    }
    return;
  }
  uint32_t small[257];
  uint32_t* bounds = padded_token.size() + 1 <= 257
                         ? small
                         : internal::LargeBoundaryBuffer(padded_token.size() + 1);
  const size_t chars = internal::CodePointBoundaries(padded_token, bounds);
  for (int n = min_n; n <= max_n; ++n) {
    const auto un = static_cast<size_t>(n);
    if (chars <= un) {
      fn(padded_token);
      break;
    }
    for (size_t start = 0; start + un <= chars; ++start) {
      fn(padded_token.substr(bounds[start], bounds[start + un] - bounds[start]));
    }
  }
}

}  // namespace prodcat
