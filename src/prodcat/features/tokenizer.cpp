#include "prodcat/features/tokenizer.h"

#include <utf8proc.h>

#include <array>
#include <vector>

namespace prodcat {
namespace internal {
namespace {

constexpr std::array<bool, 128> MakeAsciiWordTable() {
  std::array<bool, 128> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  return table;
}
constexpr std::array<bool, 128> kAsciiWord = MakeAsciiWordTable();

bool IsWordCategory(utf8proc_category_t cat) {
  switch (cat) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return true;
    default: return false;
  }
}

}  // namespace

bool IsWordCharAt(std::string_view text, size_t pos, size_t* len) {
  auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) {
    *len = 1;
    return kAsciiWord[lead];
  }
  utf8proc_int32_t cp;
  utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                       static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
  if (n <= 0) {  // a malformed byte separates tokens
    *len = 1;
    return false;
  }
  *len = static_cast<size_t>(n);
  return IsWordCategory(utf8proc_category(cp));
}

size_t CodePointBoundaries(std::string_view s, uint32_t* boundaries) {
  size_t k = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
      boundaries[k++] = static_cast<uint32_t>(i);
  }
  boundaries[k] = static_cast<uint32_t>(s.size());
  return k;
}

uint32_t* LargeBoundaryBuffer(size_t size) {
  thread_local std::vector<uint32_t> buffer;
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

}  // namespace internal

std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  ForEachToken(text, [&](std::string_view token) { tokens.emplace_back(token); });
  return tokens;
}

size_t AppendTokensPadded(std::string_view text, std::string* out) {
  size_t count = 0;
  ForEachToken(text, [&](std::string_view token) {
    out->append(token);
    out->push_back(' ');
    ++count;
  });
  return count;
}

std::vector<std::string> CharWbNgrams(std::string_view token, int min_n, int max_n) {
  std::string padded;
  padded.reserve(token.size() + 2);
  padded.push_back(' ');
  padded.append(token);
  padded.push_back(' ');
  std::vector<std::string> grams;
  ForEachCharWbNgram(padded, min_n, max_n, [&](std::string_view g) { grams.emplace_back(g); });
  return grams;
}

size_t CountCodePoints(std::string_view utf8) {
  size_t count = 0;
  for (char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

}  // namespace prodcat
