#include "prodcat/validation/validator.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

#include "prodcat/data/avro_record_io.h"
#include "prodcat/validation/expectation_evaluator.h"
#include "prodcat/validation/record_stream.h"

namespace prodcat {
namespace {

std::string UtcNow() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

MemoryRecordReader::MemoryRecordReader(const std::vector<ProductRecord>& records)
    : records_(records) {
  present_[static_cast<size_t>(Field::kTitle)] = true;
  for (const ProductRecord& r : records_) {
    for (Field f : kAllFields) {
      const std::string* s = r.StringField(f);
      if (s ? !s->empty() : r.NumericField(f)->has_value()) present_[static_cast<size_t>(f)] = true;
    }
  }
}

Status MemoryRecordReader::Next(ProductRecord* record, bool* has_record) {
  *has_record = next_ < records_.size();
  if (*has_record) {
    *record = records_[next_++];
    if (record->source_line == 0) record->source_line = next_;  // 1-based position
    ++stats_.rows_read;
  }
  return Status::Ok();
}

Status OpenAnyRecordReader(const std::filesystem::path& path, const ReadOptions& options,
                           std::unique_ptr<RecordReader>* reader) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".avro") return OpenAvroRecordReader(path, options, reader);
  return OpenRecordReader(path, options, reader);
}

Status ValidateRecords(RecordReader* reader, const ExpectationSuite& suite,
                       const std::string& data_path, ValidationResult* result) {
  const auto start = std::chrono::steady_clock::now();
  ValidationResult out;
  out.run_time = UtcNow();
  out.data_path = data_path;
  out.suite_name = suite.name;

  std::vector<std::unique_ptr<ExpectationEvaluator>> evaluators;
  std::vector<ExpectationEvaluator*> observers;  // the ones that look at records
  for (const Expectation& e : suite.expectations) {
    evaluators.push_back(MakeEvaluator(e));
    if (evaluators.back()->needs_records()) observers.push_back(evaluators.back().get());
  }
  DataFacts facts;
  // In-memory records need no parsing, so a reader thread would only add hand-over cost.
  const bool background = dynamic_cast<MemoryRecordReader*>(reader) == nullptr;
  PRODCAT_RETURN_IF_ERROR(ForEachRecord(
      reader, background,
      [&observers](const ProductRecord& record) {
        for (ExpectationEvaluator* e : observers) e->Observe(record);
      },
      &facts.rows));
  // Asked only now: a JSON Lines reader learns its columns while reading.
  for (Field f : kAllFields) facts.present[static_cast<size_t>(f)] = reader->HasField(f);

  for (auto& e : evaluators) {
    out.results.push_back(e->Finish(facts));
    out.success &= out.results.back().success;
  }
  out.rows = facts.rows;
  out.rows_skipped = reader->stats().rows_skipped;
  out.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  *result = std::move(out);
  return Status::Ok();
}

Status ValidateFile(const std::filesystem::path& path, const ReadOptions& options,
                    const ExpectationSuite& suite, ValidationResult* result) {
  std::unique_ptr<RecordReader> reader;
  PRODCAT_RETURN_IF_ERROR(OpenAnyRecordReader(path, options, &reader));
  return ValidateRecords(reader.get(), suite, path.string(), result);
}

Status ValidateRecords(const std::vector<ProductRecord>& records, const ExpectationSuite& suite,
                       ValidationResult* result) {
  MemoryRecordReader reader(records);
  return ValidateRecords(&reader, suite, "", result);
}

}  // namespace prodcat
