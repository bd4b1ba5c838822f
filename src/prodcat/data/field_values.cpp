#include "prodcat/data/field_values.h"

#include <simdjson.h>
#include <utf8proc.h>

#include <charconv>
#include <cmath>

namespace prodcat {

bool ParseNumericCell(std::string_view text, std::optional<double>* value) {
  auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  if (text.empty()) {
    value->reset();
    return true;
  }
  if (text.front() == '+') text.remove_prefix(1);
  double parsed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(parsed)) {
    return false;
  }
  *value = parsed;
  return true;
}

size_t FindInvalidUtf8(std::string_view text) {
  // The SIMD check answers the common all-valid case; utf8proc then locates the bad byte.
  if (simdjson::validate_utf8(text.data(), text.size())) return std::string_view::npos;
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    utf8proc_int32_t codepoint = 0;
    utf8proc_ssize_t n =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                         static_cast<utf8proc_ssize_t>(text.size() - i), &codepoint);
    if (n <= 0) return i;
    i += static_cast<size_t>(n);
  }
  return 0;  // simdjson and utf8proc disagree; report the start rather than claim validity
}

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMaxShown = 40;
  std::string out = "'";
  size_t shown = 0;
  for (char c : text) {
    // Cut only at the start of a UTF-8 sequence so the message stays valid text.
    if (shown >= kMaxShown && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      out += "...";
      break;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
    ++shown;
  }
  out += "'";
  return out;
}

}  // namespace prodcat
