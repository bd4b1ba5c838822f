#include <cstdio>

#include "commands.h"
#include "prodcat/data/fingerprint.h"
#include "prodcat/evaluation/metrics.h"
#include "prodcat/pipeline/evaluate.h"
#include "prodcat/pipeline/tracking_hooks.h"

namespace prodcat::cli {

void RegisterEvaluate(CLI::App& app) {
  auto* cmd = app.add_subcommand("evaluate", "Score a model bundle on labeled data");
  struct Args {
    CommonOptions common;
    std::string model, data, out;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option(
         "--model", a->model,
         "Model bundle directory or models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE")
      ->required();
  cmd->add_option("--data", a->data, "Labeled products file")->required();
  cmd->add_option("--out", a->out, "Report JSON path (plots are written beside it)")->required();
  AddConfigOptions(cmd, &a->common);
  AddDataOptions(cmd, &a->common);
  cmd->callback([a] {
    Config config;
    Status s = LoadConfig(a->common, &config);
    EvaluateOptions options;
    if (s.ok()) s = ReadOptionsFromConfig(config, &options.read);
    options.read.require_label = true;
    options.importance_top = static_cast<size_t>(config.GetInt("evaluate", "importance_top"));
    options.threads = static_cast<int>(config.GetInt("train", "threads"));
    std::unique_ptr<ModelBundle> bundle;
    std::string model_dir;
    if (s.ok()) s = ResolveModel(config, a->model, &model_dir);
    if (s.ok()) s = ModelBundle::Load(model_dir, &bundle);
    std::vector<ProductRecord> records;
    if (s.ok()) s = ReadAllRecords(a->data, options.read, &records);
    nlohmann::json report;
    if (s.ok()) s = EvaluateToFiles(*bundle, records, options, a->out, &report);
    std::unique_ptr<tracking::RunLogger> logger;
    if (s.ok()) s = StartTrackedRun(TrackingOptions::FromConfig(config), "evaluate", &logger);
    if (s.ok() && logger) {
      s = logger->SetTag("prodcat.model", a->model);
      if (s.ok()) {
        s = LogEvaluation(*logger, report, FingerprintRecords(records),
                          std::filesystem::path(a->out).parent_path());
      }
      if (s.ok()) s = logger->End();
    }
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("%s", RenderReportTable(report).c_str());
    std::printf("report: %s\n", a->out.c_str());
  });
}

}  // namespace prodcat::cli
