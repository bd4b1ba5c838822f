// prodcat: product categorization, from a products file to a served model.
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "prodcat/common/version.h"

int main(int argc, char** argv) {
  CLI::App app{"prodcat: train, evaluate and serve product categorization models"};
  app.set_version_flag("--version", std::string("prodcat ") + prodcat::kVersion);
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  prodcat::cli::RegisterGenerate(app);
  prodcat::cli::RegisterPrepare(app);
  prodcat::cli::RegisterTrain(app);
  prodcat::cli::RegisterEvaluate(app);
  prodcat::cli::RegisterPredict(app);
  prodcat::cli::RegisterRun(app);
  prodcat::cli::RegisterServe(app);
  prodcat::cli::RegisterValidation(app);
  prodcat::cli::RegisterTrackingServer(app);
  prodcat::cli::RegisterRegistry(app);
  prodcat::cli::RegisterRuns(app);
  prodcat::cli::RegisterDrift(app);

  app.parse_complete_callback([&log_level] {
    auto logger = spdlog::stderr_color_mt("prodcat");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
    spdlog::set_level(spdlog::level::from_str(log_level));
    spdlog::cfg::load_env_levels();
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return prodcat::cli::ExitCode();
}
