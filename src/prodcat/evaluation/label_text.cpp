#include "prodcat/evaluation/label_text.h"

#include <algorithm>

namespace prodcat::evaluation_internal {
namespace {

bool IsContinuationByte(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 when it is malformed
// (bad lead byte, truncated, overlong, surrogate, beyond U+10FFFF) or is U+FFFE/U+FFFF, which
// XML 1.0 does not allow either.
size_t ValidSequenceLength(std::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  size_t length = 0;
  char32_t code_point = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t j = 1; j < length; ++j) {
    const auto byte = static_cast<unsigned char>(text[i + j]);
    if (!IsContinuationByte(byte)) return 0;
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  const bool overlong =
      (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  const bool xml_non_character = code_point == 0xFFFE || code_point == 0xFFFF;
  if (overlong || surrogate || xml_non_character || code_point > 0x10FFFF) return 0;
  return length;
}

}  // namespace

size_t CodePointCount(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char byte) {
    return !IsContinuationByte(static_cast<unsigned char>(byte));
  }));
}

std::string ShortenToCodePoints(std::string_view text, size_t max_code_points) {
  max_code_points = std::max<size_t>(max_code_points, 4);
  if (CodePointCount(text) <= max_code_points) return std::string(text);
  // Keep max_code_points - 3 code points and add the three-dot marker.
  const size_t keep_code_points = max_code_points - 3;
  size_t seen = 0;
  size_t end = 0;
  for (; end < text.size(); ++end) {
    if (IsContinuationByte(static_cast<unsigned char>(text[end]))) continue;
    if (seen++ == keep_code_points) break;
  }
  return std::string(text.substr(0, end)) + "...";
}

std::string EscapeXml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    switch (c) {
      case '&':
        out += "&amp;";
        ++i;
        continue;
      case '<':
        out += "&lt;";
        ++i;
        continue;
      case '>':
        out += "&gt;";
        ++i;
        continue;
      case '"':
        out += "&quot;";
        ++i;
        continue;
      case '\'':
        out += "&apos;";
        ++i;
        continue;
      default: break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20) {
      if (c == '\t' || c == '\n' || c == '\r') out += c;
      ++i;
      continue;
    }
    const size_t length = ValidSequenceLength(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace prodcat::evaluation_internal
