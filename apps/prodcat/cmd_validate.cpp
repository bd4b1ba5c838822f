// Data validation commands: validate, suite infer, schema check, convert.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "prodcat/common/file_util.h"
#include "prodcat/data/avro_record_io.h"
#include "prodcat/validation/schema_compatibility.h"
#include "prodcat/validation/suite_inference.h"
#include "prodcat/validation/validator.h"

namespace prodcat::cli {

namespace {

void RegisterValidateCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "validate", "Check a data file against an expectation suite (exit 1 on an error failure)");
  struct Args {
    CommonOptions common;
    std::string suite, data, out;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--suite", a->suite, "Expectation suite (YAML or JSON)")->required();
  cmd->add_option("--data", a->data, "Data file (.csv, .tsv, .jsonl, .avro)")->required();
  cmd->add_option("--out", a->out, "Write the Great Expectations-shaped result JSON here");
  AddConfigOptions(cmd, &a->common);
  AddDataOptions(cmd, &a->common);
  cmd->callback([a] {
    Config config;
    Status s = LoadConfig(a->common, &config);
    ReadOptions read;
    if (s.ok()) s = ReadOptionsFromConfig(config, &read);
    ExpectationSuite suite;
    if (s.ok()) s = LoadExpectationSuite(a->suite, &suite);
    ValidationResult result;
    if (s.ok()) s = ValidateFile(a->data, read, suite, &result);
    if (s.ok() && !a->out.empty()) s = WriteFileAtomic(a->out, result.ToJson().dump(2) + "\n");
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("%s", result.RenderTable().c_str());
    if (result.HasBlockingFailure()) {
      std::fprintf(stderr, "error: %s failed an expectation of severity 'error'\n",
                   a->data.c_str());
      ExitCode() = 1;
    }
  });
}

void RegisterSuiteCommand(CLI::App& app) {
  auto* suite = app.add_subcommand("suite", "Expectation suites");
  suite->require_subcommand(1);
  auto* infer = suite->add_subcommand(
      "infer", "Profile a reference dataset and propose an expectation suite to edit");
  struct Args {
    CommonOptions common;
    std::string data, out, name = "products";
  };
  auto a = std::make_shared<Args>();
  infer->add_option("--data", a->data, "Reference data (e.g. the training split)")->required();
  infer->add_option("--out", a->out, "Suite file to write (.yaml or .json)")->required();
  infer->add_option("--name", a->name, "Suite name")->capture_default_str();
  AddConfigOptions(infer, &a->common);
  AddDataOptions(infer, &a->common);
  infer->callback([a] {
    Config config;
    Status s = LoadConfig(a->common, &config);
    ReadOptions read;
    if (s.ok()) s = ReadOptionsFromConfig(config, &read);
    InferenceOptions options;
    options.suite_name = a->name;
    ExpectationSuite suite;
    if (s.ok()) s = InferSuiteFromFile(a->data, read, options, &suite);
    if (s.ok()) s = WriteExpectationSuite(a->out, suite);
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("wrote a suite of %zu expectations -> %s\n", suite.expectations.size(),
                a->out.c_str());
  });
}

void RegisterSchemaCommand(CLI::App& app) {
  auto* schema = app.add_subcommand("schema", "Avro schema tools");
  schema->require_subcommand(1);
  auto* check = schema->add_subcommand(
      "check", "Is NEW compatible with OLD (Confluent Schema Registry rules)? Exit 1 if not");
  struct Args {
    std::vector<std::string> old_schemas;
    std::string new_schema, mode = "BACKWARD";
  };
  auto a = std::make_shared<Args>();
  check
      ->add_option("--old", a->old_schemas,
                   "Older schema(s), oldest first (transitive modes check all)")
      ->required();
  check->add_option("--new", a->new_schema, "The new schema")->required();
  check
      ->add_option("--mode", a->mode,
                   "BACKWARD | FORWARD | FULL | BACKWARD_TRANSITIVE | FORWARD_TRANSITIVE | "
                   "FULL_TRANSITIVE")
      ->capture_default_str();
  check->callback([a] {
    CompatibilityMode mode;
    if (!ParseCompatibilityMode(a->mode, &mode)) {
      ExitCode() = Fail(Status::InvalidArgument("unknown compatibility mode '" + a->mode + "'"));
      return;
    }
    std::vector<std::string> olds;
    for (const auto& path : a->old_schemas) {
      std::string text;
      Status s = ReadFile(path, &text);
      if (!s.ok()) {
        ExitCode() = Fail(s);
        return;
      }
      olds.push_back(std::move(text));
    }
    std::string fresh;
    Status s = ReadFile(a->new_schema, &fresh);
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    auto result = CheckCompatibility(olds, fresh, mode);
    if (!result.ok()) {
      ExitCode() = Fail(result.status());
      return;
    }
    std::printf("%s: %s\n", std::string(CompatibilityModeName(mode)).c_str(),
                result->compatible ? "compatible" : "INCOMPATIBLE");
    if (!result->compatible) {
      std::printf("%s\n", result->Summary().c_str());
      ExitCode() = 1;
    }
  });
}

void RegisterConvertCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "convert", "Convert a products file between CSV, TSV, JSON Lines and Avro (by extension)");
  struct Args {
    CommonOptions common;
    std::string input, output, codec = "snappy";
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--input", a->input, "Source file")->required();
  cmd->add_option("--output", a->output, "Destination file")->required();
  cmd->add_option("--codec", a->codec, "Avro codec: null, deflate, snappy, lzma")
      ->capture_default_str();
  AddConfigOptions(cmd, &a->common);
  AddDataOptions(cmd, &a->common);
  cmd->callback([a] {
    Config config;
    Status s = LoadConfig(a->common, &config);
    ReadOptions read;
    if (s.ok()) s = ReadOptionsFromConfig(config, &read);
    std::unique_ptr<RecordReader> reader;
    if (s.ok()) s = OpenRecordReader(a->input, read, &reader);
    std::unique_ptr<RecordWriter> writer;
    std::filesystem::path out(a->output);
    if (s.ok()) {
      s = out.extension() == ".avro" ? OpenAvroRecordWriter(out, {}, a->codec, &writer)
                                     : OpenRecordWriter(out, {}, &writer);
    }
    size_t rows = 0;
    while (s.ok()) {
      ProductRecord r;
      bool has = false;
      s = reader->Next(&r, &has);
      if (!s.ok() || !has) break;
      s = writer->Write(r);
      ++rows;
    }
    if (s.ok()) s = writer->Close();
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("converted %zu rows (%zu skipped) -> %s\n", rows, reader->stats().rows_skipped,
                a->output.c_str());
  });
}

}  // namespace

void RegisterValidation(CLI::App& app) {
  RegisterValidateCommand(app);
  RegisterSuiteCommand(app);
  RegisterSchemaCommand(app);
  RegisterConvertCommand(app);
}

}  // namespace prodcat::cli
