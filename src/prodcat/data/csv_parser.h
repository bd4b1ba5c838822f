// CsvParser: splits an RFC 4180 byte stream into rows of unescaped fields, one row at a time.
// Handles quoted fields with "" escapes, delimiters and line breaks inside quotes, CRLF / LF / CR
// line ends and a leading UTF-8 BOM. Blank lines are skipped. Field bytes of the current row live
// in one reused buffer, so parsing allocates nothing once the buffers have grown.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/input_buffer.h"

namespace prodcat {

class CsvParser {
 public:
  explicit CsvParser(char delimiter, size_t block_size = InputBuffer::kDefaultBlockSize);

  // Opens the file; `display_name` prefixes every error message.
  Status Open(const std::filesystem::path& path, std::string display_name);

  // Reads the next row. *has_row = false at end of input. On error, *recoverable tells whether
  // the parser skipped past the bad row (malformed quoting on one line) and can go on, or the
  // input cannot be read further (unterminated quote at end of file, I/O error).
  Status ReadRow(bool* has_row, bool* recoverable);

  size_t field_count() const { return field_ends_.size(); }
  std::string_view field(size_t i) const {
    size_t begin = i == 0 ? 0 : field_ends_[i - 1];
    return std::string_view(row_).substr(begin, field_ends_[i] - begin);
  }
  // 1-based physical line on which the current row starts.
  size_t row_line() const { return row_line_; }
  // True when every byte of the current row's fields is ASCII (then no UTF-8 check is needed).
  bool row_is_ascii() const;

 private:
  void ParseUnquoted();
  Status ParseQuoted();
  void EndField() { field_ends_.push_back(row_.size()); }
  void SkipRestOfLine();

  const char delimiter_;            // ',' or '\t'
  bool ends_unquoted_[256] = {};    // bytes that end an unquoted field: delimiter, '\n', '\r'
  InputBuffer input_;               // the file, read block by block
  std::string display_name_;        // file name used in messages
  std::string row_;                 // unescaped bytes of all fields of the current row
  std::vector<size_t> field_ends_;  // end offset in row_ of each field, ascending
  size_t line_ = 1;                 // 1-based line of the next unread byte
  size_t row_line_ = 0;             // line on which the current row starts
};

}  // namespace prodcat
