// CsvRecordReader: ProductRecords from an RFC 4180 file whose first row names the columns.
#include <bitset>
#include <unordered_map>

#include "prodcat/data/csv_parser.h"
#include "prodcat/data/field_binding.h"
#include "prodcat/data/field_values.h"
#include "prodcat/data/record_formats.h"
#include "prodcat/data/row_error_policy.h"

namespace prodcat {
namespace {

class CsvRecordReader : public RecordReader {
 public:
  CsvRecordReader(const std::filesystem::path& path, char delimiter, const ReadOptions& options)
      : options_(options), file_(path.string()), parser_(delimiter), errors_(options_, &stats_) {}

  Status Init(const std::filesystem::path& path) {
    PRODCAT_RETURN_IF_ERROR(parser_.Open(path, file_));
    bool has_row = false;
    bool recoverable = false;
    PRODCAT_RETURN_IF_ERROR(parser_.ReadRow(&has_row, &recoverable));
    if (!has_row) return Status::InvalidArgument(file_ + ": empty file: expected a header row");
    header_size_ = parser_.field_count();
    std::unordered_map<std::string, size_t> column_of;
    std::unordered_map<std::string, size_t> duplicates;
    for (size_t i = 0; i < header_size_; ++i) {
      std::string name(parser_.field(i));
      if (!column_of.emplace(name, i).second) ++duplicates[name];
    }
    for (const FieldBinding& binding : BuildBindings(options_)) {
      auto it = column_of.find(binding.source_name);
      if (it == column_of.end()) {
        for (const RecordTarget& t : binding.targets) {
          if (!IsRequired(t)) continue;
          return Status::InvalidArgument(Where(file_, parser_.row_line()) + "header: missing " +
                                         RequiredWhat(t, binding.source_name) +
                                         "; header has: " + HeaderList());
        }
        continue;
      }
      if (duplicates.count(binding.source_name)) {
        return Status::InvalidArgument(Where(file_, parser_.row_line()) + "header: column '" +
                                       binding.source_name +
                                       "' appears more than once: expected unique column names");
      }
      for (const RecordTarget& t : binding.targets) {
        if (!t.is_group) present_.set(static_cast<size_t>(t.field));
      }
      active_.push_back(ActiveColumn{it->second, binding});
    }
    return Status::Ok();
  }

  Status Next(ProductRecord* record, bool* has_record) override {
    for (;;) {
      bool has_row = false;
      bool recoverable = false;
      Status s = parser_.ReadRow(&has_row, &recoverable);
      if (!s.ok()) {
        if (!recoverable) return s;
        PRODCAT_RETURN_IF_ERROR(errors_.Handle(s));
        continue;
      }
      if (!has_row) {
        *has_record = false;
        return Status::Ok();
      }
      s = StoreRow(record);
      if (!s.ok()) {
        PRODCAT_RETURN_IF_ERROR(errors_.Handle(s));
        continue;
      }
      ++stats_.rows_read;
      *has_record = true;
      return Status::Ok();
    }
  }

  const ReadStats& stats() const override { return stats_; }
  bool HasField(Field f) const override { return present_.test(static_cast<size_t>(f)); }

 private:
  // A header column in use and what it feeds.
  struct ActiveColumn {
    size_t index;          // position in the header, < header_size_
    FieldBinding binding;  // its targets
  };

  bool IsRequired(const RecordTarget& t) const {
    if (t.is_group) return true;
    return t.field == Field::kTitle || (t.field == Field::kCategory && options_.require_label);
  }

  static std::string RequiredWhat(const RecordTarget& t, const std::string& source) {
    if (t.is_group) return "group column '" + source + "'";
    std::string what = "required column '" + source + "'";
    if (source != FieldName(t.field))
      what += " (mapped from '" + std::string(FieldName(t.field)) + "')";
    return what;
  }

  std::string HeaderList() const {
    std::string out;
    for (size_t i = 0; i < header_size_; ++i) {
      if (i) out += ", ";
      out += QuoteForMessage(parser_.field(i));
    }
    return out;
  }

  Status StoreRow(ProductRecord* record) {
    size_t line = parser_.row_line();
    if (parser_.field_count() != header_size_) {
      return Status::InvalidArgument(
          Where(file_, line) + "expected " + std::to_string(header_size_) +
          " fields (as in the header), got " + std::to_string(parser_.field_count()));
    }
    ResetRecord(record);
    bool check_utf8 = !parser_.row_is_ascii();
    for (const ActiveColumn& column : active_) {
      std::string_view value = parser_.field(column.index);
      for (const RecordTarget& t : column.binding.targets) {
        PRODCAT_RETURN_IF_ERROR(
            StoreValue(t, column.binding.source_name, value, check_utf8, file_, line, record));
      }
    }
    if (options_.require_label && record->category.empty()) {
      return Status::InvalidArgument(Where(file_, line) +
                                     DescribeTarget(RecordTarget{false, Field::kCategory},
                                                    options_.columns.SourceName(Field::kCategory)) +
                                     ": expected a non-empty label");
    }
    record->source_line = line;
    return Status::Ok();
  }

  ReadOptions options_;               // as given to OpenRecordReader
  std::string file_;                  // path as given, prefixes messages
  CsvParser parser_;                  // positioned after the last row returned
  ReadStats stats_;                   // counts so far
  RowErrorPolicy errors_;             // writes into stats_
  size_t header_size_ = 0;            // number of header columns; every row must match
  std::vector<ActiveColumn> active_;  // header columns that feed the record
  std::bitset<kNumFields> present_;   // canonical fields found in the header
};

}  // namespace

Status OpenCsvRecordReader(const std::filesystem::path& path, char delimiter,
                           const ReadOptions& options, std::unique_ptr<RecordReader>* reader) {
  auto csv = std::make_unique<CsvRecordReader>(path, delimiter, options);
  PRODCAT_RETURN_IF_ERROR(csv->Init(path));
  *reader = std::move(csv);
  return Status::Ok();
}

}  // namespace prodcat
