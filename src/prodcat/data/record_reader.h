// Streaming readers of product records (CSV per RFC 4180, JSON Lines), chosen by file extension.
// Rows are parsed one at a time into a caller-owned ProductRecord, so a 1M-row file is never held
// twice. Errors name the file, the line, the field and what was expected.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"

namespace prodcat {

// Maps canonical field names to the source file's column names ("title" -> "product_name").
struct ColumnMapping {
  std::map<std::string, std::string> canonical_to_source;  // keys are canonical FieldName()s

  // Parses "title=product_name,category=label". Unknown canonical names are an error.
  static Status Parse(const std::string& spec, ColumnMapping* out);
  // The source column name for a field (the canonical name unless mapped).
  std::string SourceName(Field f) const;
};

enum class OnError { kFail, kSkip };

struct ReadOptions {
  ColumnMapping columns;
  OnError on_error = OnError::kFail;  // kSkip: bad rows are counted and skipped
  bool require_label = false;         // missing label column or empty label is an error
  std::string group_column;           // when set, its value is copied into ProductRecord::group
  size_t max_error_samples = 10;      // how many skipped-row messages to keep
};

struct ReadStats {
  size_t rows_read = 0;                    // records returned
  size_t rows_skipped = 0;                 // bad rows skipped under OnError::kSkip
  std::vector<std::string> error_samples;  // the first few skip reasons, with line numbers
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Reads the next record into *record. Sets *has_record = false at end of input.
  virtual Status Next(ProductRecord* record, bool* has_record) = 0;
  virtual const ReadStats& stats() const = 0;
  // Canonical fields present in the source (by header for CSV; keys seen so far for JSONL).
  virtual bool HasField(Field f) const = 0;
};

// Opens `path` by extension: .csv/.tsv (CSV), .jsonl/.ndjson/.json (JSON Lines).
Status OpenRecordReader(const std::filesystem::path& path, const ReadOptions& options,
                        std::unique_ptr<RecordReader>* reader);

// Convenience: reads a whole file into memory (appending to *records).
Status ReadAllRecords(const std::filesystem::path& path, const ReadOptions& options,
                      std::vector<ProductRecord>* records, ReadStats* stats = nullptr);

// Writes records in the canonical schema; CSV or JSON Lines by extension. The file appears
// atomically on Close() (written to a temp sibling, fsynced, renamed).
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  virtual Status Write(const ProductRecord& record) = 0;
  virtual Status Close() = 0;
};

// `fields`: the canonical columns to write, in order (default: all fields).
Status OpenRecordWriter(const std::filesystem::path& path, const std::vector<Field>& fields,
                        std::unique_ptr<RecordWriter>* writer);

}  // namespace prodcat
