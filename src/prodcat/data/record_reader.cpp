// Format dispatch by file extension, column mapping and the read-everything convenience.
#include "prodcat/data/record_reader.h"

#include <algorithm>
#include <cctype>

#include "prodcat/data/avro_record_io.h"
#include "prodcat/data/record_formats.h"

namespace prodcat {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string CanonicalNames() {
  std::string out;
  for (Field f : kAllFields) {
    if (!out.empty()) out += ", ";
    out += FieldName(f);
  }
  return out;
}

std::string LowerExtension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace

Status ColumnMapping::Parse(const std::string& spec, ColumnMapping* out) {
  ColumnMapping mapping;
  std::string_view rest = spec;
  while (!Trim(rest).empty()) {
    size_t comma = rest.find(',');
    std::string_view entry = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (Trim(entry).empty()) continue;  // tolerate "a=b,,c=d" and a trailing comma
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("column mapping '" + std::string(Trim(entry)) +
                                     "': expected canonical=source");
    }
    std::string canonical(Trim(entry.substr(0, eq)));
    std::string source(Trim(entry.substr(eq + 1)));
    Field f;
    if (!ParseFieldName(canonical, &f)) {
      return Status::InvalidArgument("column mapping: unknown canonical field '" + canonical +
                                     "': expected one of " + CanonicalNames());
    }
    if (source.empty()) {
      return Status::InvalidArgument("column mapping for '" + canonical +
                                     "': expected a source column name after '='");
    }
    if (!mapping.canonical_to_source.emplace(canonical, source).second) {
      return Status::InvalidArgument("column mapping: field '" + canonical +
                                     "' is mapped more than once");
    }
  }
  *out = std::move(mapping);
  return Status::Ok();
}

std::string ColumnMapping::SourceName(Field f) const {
  auto it = canonical_to_source.find(std::string(FieldName(f)));
  return it == canonical_to_source.end() ? std::string(FieldName(f)) : it->second;
}

Status OpenRecordReader(const std::filesystem::path& path, const ReadOptions& options,
                        std::unique_ptr<RecordReader>* reader) {
  for (const auto& [canonical, source] : options.columns.canonical_to_source) {
    Field f;
    if (!ParseFieldName(canonical, &f)) {
      return Status::InvalidArgument("column mapping: unknown canonical field '" + canonical +
                                     "': expected one of " + CanonicalNames());
    }
  }
  std::string ext = LowerExtension(path);
  if (ext == ".csv") return OpenCsvRecordReader(path, ',', options, reader);
  if (ext == ".tsv") return OpenCsvRecordReader(path, '\t', options, reader);
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") {
    return OpenJsonlRecordReader(path, options, reader);
  }
  if (ext == ".avro") return OpenAvroRecordReader(path, options, reader);
  return Status::InvalidArgument(path.string() + ": unsupported file extension '" + ext +
                                 "': expected .csv, .tsv, .jsonl, .ndjson, .json or .avro");
}

Status ReadAllRecords(const std::filesystem::path& path, const ReadOptions& options,
                      std::vector<ProductRecord>* records, ReadStats* stats) {
  std::unique_ptr<RecordReader> reader;
  PRODCAT_RETURN_IF_ERROR(OpenRecordReader(path, options, &reader));
  for (;;) {
    ProductRecord record;
    bool has_record = false;
    PRODCAT_RETURN_IF_ERROR(reader->Next(&record, &has_record));
    if (!has_record) break;
    records->push_back(std::move(record));
  }
  if (stats) *stats = reader->stats();
  return Status::Ok();
}

Status OpenRecordWriter(const std::filesystem::path& path, const std::vector<Field>& fields,
                        std::unique_ptr<RecordWriter>* writer) {
  std::vector<Field> columns = fields;
  if (columns.empty()) columns.assign(kAllFields.begin(), kAllFields.end());
  std::string ext = LowerExtension(path);
  if (ext == ".csv") return OpenCsvRecordWriter(path, ',', columns, writer);
  if (ext == ".tsv") return OpenCsvRecordWriter(path, '\t', columns, writer);
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") {
    return OpenJsonlRecordWriter(path, columns, writer);
  }
  // snappy: the fast codec (avro-c's deflate writes at maximum compression, ~10x slower).
  if (ext == ".avro") return OpenAvroRecordWriter(path, columns, "snappy", writer);
  return Status::InvalidArgument(path.string() + ": unsupported file extension '" + ext +
                                 "': expected .csv, .tsv, .jsonl, .ndjson, .json or .avro");
}

}  // namespace prodcat
