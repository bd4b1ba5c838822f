// Validation throughput and memory: one phase per run, so each phase's peak RSS is its own.
//
//   prodcat_validation_bench generate ROWS DATA        write ROWS generated rows
//   (.csv/.jsonl/.avro) prodcat_validation_bench infer DATA SUITE          infer a suite from DATA,
//   write SUITE (YAML) prodcat_validation_bench validate DATA SUITE [--no-unique]
//                                                      validate DATA once; --no-unique drops the
//                                                      uniqueness check (the one structure that
//                                                      grows with distinct values)
//
// Each run prints one JSON line: phase, rows, seconds, rows_per_second, peak_rss_mib.
// bench/validation/run.sh drives it for 100k and 1M rows.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "prodcat/data/avro_record_io.h"
#include "prodcat/data/generator.h"
#include "prodcat/validation/suite_inference.h"
#include "prodcat/validation/validator.h"

namespace {

double PeakRssMib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

int Fail(const prodcat::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

void Report(const char* phase, uint64_t rows, double seconds) {
  std::printf(
      "{\"phase\": \"%s\", \"rows\": %llu, \"seconds\": %.3f, \"rows_per_second\": %.0f, "
      "\"peak_rss_mib\": %.1f}\n",
      phase, static_cast<unsigned long long>(rows), seconds, rows / std::max(seconds, 1e-9),
      PeakRssMib());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace prodcat;
  using Clock = std::chrono::steady_clock;
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: %s generate ROWS DATA | infer DATA SUITE | validate DATA SUITE "
                 "[--no-unique]\n",
                 argv[0]);
    return 2;
  }
  const std::string phase = argv[1];
  const auto start = Clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

  if (phase == "generate") {
    GeneratorOptions options;
    options.rows = std::stoull(argv[2]);
    const std::filesystem::path out = argv[3];
    Status s;
    if (out.extension() == ".avro") {
      std::unique_ptr<RecordWriter> writer;
      s = OpenAvroRecordWriter(out, {}, "deflate", &writer);
      if (s.ok()) {
        s = GenerateProducts(options, [&](const ProductRecord& r) { return writer->Write(r); });
      }
      if (s.ok()) s = writer->Close();
    } else {
      s = GenerateProductsToFile(options, out);
    }
    if (!s.ok()) return Fail(s);
    Report("generate", options.rows, seconds());
    return 0;
  }
  if (phase == "infer") {
    ExpectationSuite suite;
    Status s = InferSuiteFromFile(argv[2], {}, {}, &suite);
    if (s.ok()) s = WriteExpectationSuite(argv[3], suite);
    if (!s.ok()) return Fail(s);
    Report("infer", suite.meta["rows"].get<uint64_t>(), seconds());
    return 0;
  }
  if (phase == "validate") {
    ExpectationSuite suite;
    Status s = LoadExpectationSuite(argv[3], &suite);
    if (!s.ok()) return Fail(s);
    const bool no_unique = argc > 4 && std::strcmp(argv[4], "--no-unique") == 0;
    if (no_unique) {
      std::erase_if(suite.expectations, [](const Expectation& e) {
        return e.type == ExpectationType::kColumnValuesToBeUnique;
      });
    }
    ValidationResult result;
    s = ValidateFile(argv[2], {}, suite, &result);
    if (!s.ok()) return Fail(s);
    std::fprintf(stderr, "%s", result.RenderTable().c_str());
    Report(no_unique ? "validate_no_unique" : "validate", result.rows, seconds());
    return 0;
  }
  std::fprintf(stderr, "unknown phase '%s'\n", phase.c_str());
  return 2;
}
