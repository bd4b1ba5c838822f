#include <cstdio>

#include "commands.h"
#include "prodcat/data/generator.h"

namespace prodcat::cli {

void RegisterGenerate(CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "Generate a deterministic sample products file");
  auto opts = std::make_shared<GeneratorOptions>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("--rows", opts->rows, "Number of rows")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Random seed")->capture_default_str();
  cmd->add_option("--out", *out, "Output file (.csv or .jsonl)")->required();
  cmd->add_option("--imbalance", opts->imbalance, "Largest / smallest class share")
      ->capture_default_str();
  cmd->add_option("--missing-rate", opts->missing_rate, "Share of missing optional values")
      ->capture_default_str();
  cmd->add_option("--label-noise", opts->label_noise, "Share of rows with a wrong label")
      ->capture_default_str();
  cmd->add_flag("--descriptions", opts->descriptions, "Also generate a description column");
  cmd->callback([opts, out] {
    Status s = GenerateProductsToFile(*opts, *out);
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("generated %zu rows -> %s\n", opts->rows, out->c_str());
  });
}

}  // namespace prodcat::cli
