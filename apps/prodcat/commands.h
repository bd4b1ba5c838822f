// The `prodcat` command line: one file per subcommand, each adding itself to the CLI11 app.
// A subcommand's callback stores its exit code in CommandResult; main() returns it.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record_reader.h"
#include "prodcat/pipeline/config.h"

namespace prodcat::cli {

// Options shared by the subcommands that read configuration and data.
struct CommonOptions {
  std::string config_file;             // --config FILE
  std::vector<std::string> overrides;  // --set key=value (repeatable)
  std::string columns;                 // --columns title=product_name,...
  std::string on_error;                // --on-error fail|skip
  std::string tracking_uri;            // --tracking-uri (sqlite:///, postgresql://, http://)
  std::string experiment;              // --experiment NAME
  bool no_tracking = false;            // --no-tracking
};

void AddConfigOptions(CLI::App* cmd, CommonOptions* o);
void AddDataOptions(CLI::App* cmd, CommonOptions* o);
// Loads the config and folds --columns / --on-error into its `data` section.
Status LoadConfig(const CommonOptions& o, Config* config);
// ReadOptions from the `data` section of the config.
Status ReadOptionsFromConfig(const Config& config, ReadOptions* read);

// Resolves models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE (or a directory).
Status ResolveModel(const Config& config, const std::string& reference, std::string* dir);

// Prints "error: <message>" to stderr and returns the exit code for a failed Status.
int Fail(const Status& status);

int& ExitCode();

void RegisterGenerate(CLI::App& app);
void RegisterPrepare(CLI::App& app);
void RegisterTrain(CLI::App& app);
void RegisterEvaluate(CLI::App& app);
void RegisterPredict(CLI::App& app);
void RegisterRun(CLI::App& app);
void RegisterServe(CLI::App& app);
void RegisterValidation(CLI::App& app);  // validate, suite, schema, convert
void RegisterTrackingServer(CLI::App& app);
void RegisterRegistry(CLI::App& app);
void RegisterRuns(CLI::App& app);
void RegisterDrift(CLI::App& app);

}  // namespace prodcat::cli
