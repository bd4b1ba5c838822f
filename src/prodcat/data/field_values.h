// Checks and conversions of single field values shared by the CSV and JSON Lines readers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace prodcat {

// Parses a numeric cell. Blank (empty or only spaces/tabs) means missing: *value = nullopt.
// Accepts decimal and scientific notation with optional surrounding blanks and a leading '+'.
// Returns false for anything else, including NaN and infinities.
bool ParseNumericCell(std::string_view text, std::optional<double>* value);

// Byte offset of the first invalid UTF-8 sequence in `text`, or npos when it is all valid.
size_t FindInvalidUtf8(std::string_view text);

// `text` quoted for an error message: cut to a readable length, control characters escaped.
std::string QuoteForMessage(std::string_view text);

}  // namespace prodcat
