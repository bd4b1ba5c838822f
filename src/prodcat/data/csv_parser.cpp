#include "prodcat/data/csv_parser.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace prodcat {

CsvParser::CsvParser(char delimiter, size_t block_size)
    : delimiter_(delimiter), input_(block_size) {
  ends_unquoted_[static_cast<unsigned char>(delimiter)] = true;
  ends_unquoted_[static_cast<unsigned char>('\n')] = true;
  ends_unquoted_[static_cast<unsigned char>('\r')] = true;
}

bool CsvParser::row_is_ascii() const {
  const char* p = row_.data();
  size_t n = row_.size();
  uint64_t high_bits = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    high_bits |= word;
  }
  for (; i < n; ++i) high_bits |= static_cast<unsigned char>(p[i]);
  return (high_bits & 0x8080808080808080ULL) == 0;
}

Status CsvParser::Open(const std::filesystem::path& path, std::string display_name) {
  display_name_ = std::move(display_name);
  PRODCAT_RETURN_IF_ERROR(input_.Open(path));
  if (input_.Available() && input_.size() >= 3 &&
      std::memcmp(input_.data(), "\xEF\xBB\xBF", 3) == 0) {
    input_.set_pos(3);
  }
  return input_.status();
}

Status CsvParser::ReadRow(bool* has_row, bool* recoverable) {
  *has_row = false;
  *recoverable = false;
  row_.clear();
  field_ends_.clear();
  // Skip blank lines: an empty line is not a row (a trailing newline is common, so is padding).
  for (;;) {
    if (!input_.Available()) return input_.status();
    char c = input_.data()[input_.pos()];
    if (c == '\n') {
      input_.set_pos(input_.pos() + 1);
      ++line_;
    } else if (c == '\r') {
      input_.set_pos(input_.pos() + 1);
      if (input_.Available() && input_.data()[input_.pos()] == '\n') {
        input_.set_pos(input_.pos() + 1);
      }
      ++line_;
    } else {
      break;
    }
  }
  row_line_ = line_;
  for (;;) {
    if (!input_.Available()) {  // end of input right after a delimiter: one last empty field
      EndField();
      break;
    }
    if (input_.data()[input_.pos()] == '"') {
      size_t quote_line = line_;
      input_.set_pos(input_.pos() + 1);
      Status s = ParseQuoted();
      if (!s.ok()) return s;
      if (input_.Available()) {
        char next = input_.data()[input_.pos()];
        if (next != delimiter_ && next != '\n' && next != '\r') {
          std::string shown = next == '"' ? "\\\"" : std::string(1, next);
          size_t field_number = field_ends_.size() + 1;
          size_t bad_line = line_;
          SkipRestOfLine();
          *recoverable = true;
          return Status::InvalidArgument(
              display_name_ + ":" + std::to_string(bad_line) + ": field " +
              std::to_string(field_number) + " (quoted from line " + std::to_string(quote_line) +
              "): expected a delimiter or end of line after the closing quote, got '" + shown +
              "'");
        }
      }
    } else {
      ParseUnquoted();
    }
    EndField();
    if (!input_.Available()) break;
    char c = input_.data()[input_.pos()];
    input_.set_pos(input_.pos() + 1);
    if (c == delimiter_) continue;
    ++line_;  // '\n' or '\r'
    if (c == '\r' && input_.Available() && input_.data()[input_.pos()] == '\n') {
      input_.set_pos(input_.pos() + 1);
    }
    break;
  }
  if (!input_.status().ok()) return input_.status();
  *has_row = true;
  return Status::Ok();
}

void CsvParser::ParseUnquoted() {
  while (input_.Available()) {
    const char* begin = input_.data() + input_.pos();
    const char* end = input_.data() + input_.size();
    const char* p = begin;
    while (p != end && !ends_unquoted_[static_cast<unsigned char>(*p)]) ++p;
    row_.append(begin, p);
    input_.set_pos(static_cast<size_t>(p - input_.data()));
    if (p != end) return;
  }
}

Status CsvParser::ParseQuoted() {
  size_t start_line = line_;
  for (;;) {
    if (!input_.Available()) {
      if (!input_.status().ok()) return input_.status();
      return Status::InvalidArgument(display_name_ + ":" + std::to_string(start_line) +
                                     ": unterminated quoted field: expected a closing '\"' "
                                     "before the end of the file");
    }
    const char* begin = input_.data() + input_.pos();
    const char* end = input_.data() + input_.size();
    const char* quote = static_cast<const char*>(std::memchr(begin, '"', end - begin));
    const char* stop = quote ? quote : end;
    row_.append(begin, stop);
    line_ += static_cast<size_t>(std::count(begin, stop, '\n'));
    input_.set_pos(static_cast<size_t>(stop - input_.data()));
    if (!quote) continue;
    input_.set_pos(input_.pos() + 1);                                // the quote
    if (input_.Available() && input_.data()[input_.pos()] == '"') {  // "" is an escaped quote
      row_.push_back('"');
      input_.set_pos(input_.pos() + 1);
      continue;
    }
    return input_.status();
  }
}

void CsvParser::SkipRestOfLine() {
  while (input_.Available()) {
    char c = input_.data()[input_.pos()];
    input_.set_pos(input_.pos() + 1);
    if (c == '\n') {
      ++line_;
      return;
    }
    if (c == '\r') {
      ++line_;
      if (input_.Available() && input_.data()[input_.pos()] == '\n') {
        input_.set_pos(input_.pos() + 1);
      }
      return;
    }
  }
}

}  // namespace prodcat
