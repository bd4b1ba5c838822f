// Per-format constructors behind OpenRecordReader / OpenRecordWriter (internal to data/).
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record_reader.h"

namespace prodcat {

// RFC 4180 CSV with `delimiter` (',' for .csv, '\t' for .tsv). Reads and checks the header.
Status OpenCsvRecordReader(const std::filesystem::path& path, char delimiter,
                           const ReadOptions& options, std::unique_ptr<RecordReader>* reader);
// JSON Lines: one object per line.
Status OpenJsonlRecordReader(const std::filesystem::path& path, const ReadOptions& options,
                             std::unique_ptr<RecordReader>* reader);

Status OpenCsvRecordWriter(const std::filesystem::path& path, char delimiter,
                           const std::vector<Field>& fields, std::unique_ptr<RecordWriter>* writer);
Status OpenJsonlRecordWriter(const std::filesystem::path& path, const std::vector<Field>& fields,
                             std::unique_ptr<RecordWriter>* writer);

}  // namespace prodcat
