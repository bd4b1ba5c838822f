#include "prodcat/features/text_normalizer.h"

#include <utf8proc.h>

#include <cstdint>
#include <vector>

namespace prodcat {
namespace {

constexpr utf8proc_option_t kCleanOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPCC | UTF8PROC_IGNORE);
constexpr utf8proc_option_t kNormalizeOptions =
    static_cast<utf8proc_option_t>(kCleanOptions | UTF8PROC_CASEFOLD | UTF8PROC_LUMP);

// Appends `c` to *out, preceded by one space if whitespace was seen since the last character
// and *out is not empty (this collapses runs and trims the front; the back is never written).
inline void PutChar(char c, bool* pending_space, std::string* out) {
  if (*pending_space && !out->empty()) out->push_back(' ');
  *pending_space = false;
  out->push_back(c);
}

bool IsAscii(std::string_view s) {
  // Eight bytes at a time: titles are short, but descriptions can be long.
  size_t i = 0;
  uint64_t acc = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    __builtin_memcpy(&word, s.data() + i, 8);
    acc |= word;
  }
  for (; i < s.size(); ++i) acc |= static_cast<unsigned char>(s[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

// Mirrors utf8proc with STRIPCC on ASCII: HT, LF, VT, FF, CR become spaces, the other control
// characters (and DEL) disappear, NFKC leaves ASCII unchanged, case folding is tolower.
void NormalizeAscii(std::string_view in, bool casefold, std::string* out) {
  out->clear();
  bool pending_space = false;
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || (c >= 9 && c <= 13)) {
      pending_space = true;
    } else if (c < 0x20 || c == 0x7f) {
      continue;
    } else {
      if (casefold && c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + ('a' - 'A'));
      PutChar(static_cast<char>(c), &pending_space, out);
    }
  }
}

// Copies `in`, replacing every byte that does not start a valid UTF-8 sequence by U+FFFD.
void ReplaceInvalidUtf8(std::string_view in, std::string* out) {
  out->clear();
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(in.data());
  auto left = static_cast<utf8proc_ssize_t>(in.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      out->append("\xEF\xBF\xBD");
      n = 1;
    } else {
      out->append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    }
    p += n;
    left -= n;
  }
}

bool IsUnicodeSpace(utf8proc_int32_t cp) {
  if (cp == ' ') return true;
  if (cp < 0x80) return false;
  utf8proc_category_t cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

// Decomposes into a per-thread UTF-32 buffer (no allocation once it has grown), composes, then
// re-encodes while collapsing whitespace.
void NormalizeUnicode(std::string_view in, bool casefold, std::string* out) {
  thread_local std::vector<utf8proc_int32_t> buffer(256);
  thread_local std::string repaired;
  const utf8proc_option_t options = casefold ? kNormalizeOptions : kCleanOptions;

  auto decompose = [&](std::string_view text) {
    const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    auto len = static_cast<utf8proc_ssize_t>(text.size());
    utf8proc_ssize_t n = utf8proc_decompose(bytes, len, buffer.data(),
                                            static_cast<utf8proc_ssize_t>(buffer.size()), options);
    if (n > static_cast<utf8proc_ssize_t>(buffer.size())) {
      buffer.resize(static_cast<size_t>(n));
      n = utf8proc_decompose(bytes, len, buffer.data(), n, options);
    }
    return n;
  };

  utf8proc_ssize_t n = decompose(in);
  if (n == UTF8PROC_ERROR_INVALIDUTF8) {
    ReplaceInvalidUtf8(in, &repaired);
    n = decompose(repaired);
  }
  out->clear();
  if (n <= 0) return;  // empty, or a utf8proc failure we cannot repair (e.g. out of memory)
  n = utf8proc_normalize_utf32(buffer.data(), n, options);
  if (n <= 0) return;

  bool pending_space = false;
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    utf8proc_int32_t cp = buffer[static_cast<size_t>(i)];
    if (IsUnicodeSpace(cp)) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out->empty()) out->push_back(' ');
    pending_space = false;
    utf8proc_uint8_t encoded[4];
    utf8proc_ssize_t len = utf8proc_encode_char(cp, encoded);
    out->append(reinterpret_cast<const char*>(encoded), static_cast<size_t>(len));
  }
}

void Normalize(std::string_view in, bool casefold, std::string* out) {
  if (IsAscii(in)) {
    NormalizeAscii(in, casefold, out);
  } else {
    NormalizeUnicode(in, casefold, out);
  }
}

}  // namespace

void NormalizeTextTo(std::string_view utf8, std::string* out) {
  Normalize(utf8, true, out);
}
void CleanTextTo(std::string_view utf8, std::string* out) {
  Normalize(utf8, false, out);
}

std::string NormalizeText(std::string_view utf8) {
  std::string out;
  NormalizeTextTo(utf8, &out);
  return out;
}

std::string CleanText(std::string_view utf8) {
  std::string out;
  CleanTextTo(utf8, &out);
  return out;
}

namespace internal {
void NormalizeWithUtf8proc(std::string_view utf8, bool casefold, std::string* out) {
  NormalizeUnicode(utf8, casefold, out);
}
}  // namespace internal

}  // namespace prodcat
