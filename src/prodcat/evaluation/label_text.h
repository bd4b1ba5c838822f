// Small text helpers shared by the report table and the SVG plots: class and feature names are
// arbitrary UTF-8 from the data, so they must be measured, shortened and escaped safely.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace prodcat::evaluation_internal {

// Number of UTF-8 code points (continuation bytes are not counted).
size_t CodePointCount(std::string_view text);

// `text` cut to at most `max_code_points` code points (>= 4), ending in "..." when cut; never
// splits a multi-byte sequence.
std::string ShortenToCodePoints(std::string_view text, size_t max_code_points);

// `text` made safe as XML character data or a quoted attribute value: & < > " ' become entities,
// control characters XML 1.0 forbids are dropped and malformed UTF-8 bytes become U+FFFD.
std::string EscapeXml(std::string_view text);

}  // namespace prodcat::evaluation_internal
