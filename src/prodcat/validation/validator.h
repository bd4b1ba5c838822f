// Validating data against an expectation suite in one streaming pass.
//
// Every expectation is evaluated incrementally while the records stream by, so memory does not
// grow with the number of rows, except for column_values_to_be_unique and
// column_proportion_of_unique_values_to_be_between, which keep 16-32 bytes per distinct value (see
// hashed_value_set.h). Quantiles come from a bounded sketch (quantile_sketch.h), category counts
// are capped, and at most kMaxUnexpectedSamples unexpected values are kept per expectation.
//
// Typical use (the `prodcat validate` command):
//
//   ExpectationSuite suite;
//   PRODCAT_RETURN_IF_ERROR(LoadExpectationSuite("suite.yaml", &suite));
//   ValidationResult result;
//   PRODCAT_RETURN_IF_ERROR(ValidateFile("data.csv", read_options, suite, &result));
//   std::cout << result.RenderTable();
//   WriteFileAtomic("result.json", result.ToJson().dump(2));
//   return result.HasBlockingFailure() ? 1 : 0;
//
// Files are parsed on one background thread while the calling thread evaluates, so the two
// overlap on a multi-core machine.
//
// A Status error means the data could not be read (or a row was bad under OnError::kFail); a
// failed expectation is not an error, it is reported in the result.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record_reader.h"
#include "prodcat/validation/expectation_suite.h"
#include "prodcat/validation/validation_result.h"

namespace prodcat {

// Streams every remaining record of `reader` once. `data_path` labels the report only.
Status ValidateRecords(RecordReader* reader, const ExpectationSuite& suite,
                       const std::string& data_path, ValidationResult* result);

// Opens `path` by extension (.csv, .tsv, .jsonl, .ndjson, .json, .avro) and validates it.
Status ValidateFile(const std::filesystem::path& path, const ReadOptions& options,
                    const ExpectationSuite& suite, ValidationResult* result);

// Validates records already in memory. A column counts as present when any record has a value
// for it (title always).
Status ValidateRecords(const std::vector<ProductRecord>& records, const ExpectationSuite& suite,
                       ValidationResult* result);

// OpenRecordReader plus .avro files (OpenAvroRecordReader), whichever the data layer dispatches.
Status OpenAnyRecordReader(const std::filesystem::path& path, const ReadOptions& options,
                           std::unique_ptr<RecordReader>* reader);

// A RecordReader over records in memory (not owned; they must outlive the reader). HasField is
// true for title and for every field some record has a value for.
class MemoryRecordReader : public RecordReader {
 public:
  explicit MemoryRecordReader(const std::vector<ProductRecord>& records);
  Status Next(ProductRecord* record, bool* has_record) override;
  const ReadStats& stats() const override { return stats_; }
  bool HasField(Field f) const override { return present_[static_cast<size_t>(f)]; }

 private:
  const std::vector<ProductRecord>& records_;  // the data; outlives this reader
  size_t next_ = 0;                            // index of the next record to return
  ReadStats stats_;                            // rows_read so far
  std::array<bool, kNumFields> present_{};     // per Field: some record has a value
};

}  // namespace prodcat
