#include <cstdio>

#include "commands.h"
#include "prodcat/pipeline/batch_predict.h"

namespace prodcat::cli {

void RegisterPredict(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Batch-score a products file with a model bundle");
  struct Args {
    CommonOptions common;
    std::string model, input, output;
    size_t top_k = 3;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option(
         "--model", a->model,
         "Model bundle directory or models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE")
      ->required();
  cmd->add_option("--input", a->input, "Products file (.csv, .tsv, .jsonl)")->required();
  cmd->add_option("--output", a->output, "Predictions file (.csv or .jsonl)")->required();
  cmd->add_option("--top-k", a->top_k, "Labels per row")->capture_default_str();
  AddConfigOptions(cmd, &a->common);
  AddDataOptions(cmd, &a->common);
  cmd->callback([a] {
    Config config;
    Status s = LoadConfig(a->common, &config);
    BatchPredictOptions options;
    if (s.ok()) s = ReadOptionsFromConfig(config, &options.read);
    options.top_k = a->top_k;
    options.threads = static_cast<int>(config.GetInt("train", "threads"));
    std::unique_ptr<ModelBundle> bundle;
    std::string model_dir;
    if (s.ok()) s = ResolveModel(config, a->model, &model_dir);
    if (s.ok()) s = ModelBundle::Load(model_dir, &bundle);
    BatchPredictStats stats;
    if (s.ok()) s = PredictFile(*bundle, a->input, a->output, options, &stats);
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("scored %zu rows (%zu skipped) in %.2fs -> %s\n", stats.rows, stats.skipped,
                stats.seconds, a->output.c_str());
  });
}

}  // namespace prodcat::cli
