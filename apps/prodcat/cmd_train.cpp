#include <cstdio>

#include "commands.h"
#include "prodcat/pipeline/tracking_hooks.h"
#include "prodcat/pipeline/train.h"

namespace prodcat::cli {

void RegisterTrain(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train the best of several classifiers into a bundle");
  struct Args {
    CommonOptions common;
    std::string train, val, out, model, reframing, checkpoint_dir, suite, register_as;
    bool resume = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--train", a->train, "Training split")->required();
  cmd->add_option("--val", a->val, "Validation split (early stopping, model selection)")
      ->required();
  cmd->add_option("--out", a->out, "Model bundle directory")->required();
  cmd->add_option("--model", a->model, "auto | linear | fasttext | gbdt")
      ->check(CLI::IsMember({"auto", "linear", "fasttext", "gbdt"}));
  cmd->add_option("--reframing", a->reframing,
                  "reframing.json from prepare (default: the one beside --train, if any)");
  cmd->add_option("--checkpoint-dir", a->checkpoint_dir,
                  "Where checkpoints go (default: <out>-checkpoints)");
  cmd->add_flag("--resume", a->resume, "Continue from the last checkpoint after a crash");
  cmd->add_option("--suite", a->suite,
                  "Expectation suite the data must pass (default: inferred from --train)");
  cmd->add_option("--register", a->register_as, "Register the bundle under this model name");
  AddConfigOptions(cmd, &a->common);
  AddDataOptions(cmd, &a->common);
  cmd->callback([a] {
    Config config;
    Status s = LoadConfig(a->common, &config);
    ReadOptions read;
    if (s.ok()) s = ReadOptionsFromConfig(config, &read);
    TrainOptions options;
    if (s.ok()) s = TrainOptions::FromConfig(config, a->model, &options);
    options.resume = a->resume;
    options.checkpoint_dir = a->checkpoint_dir;
    if (!a->suite.empty()) options.suite = a->suite;
    TrackingOptions tracking = TrackingOptions::FromConfig(config);
    tracking.register_as = a->register_as;
    std::unique_ptr<tracking::RunLogger> logger;
    if (s.ok()) s = StartTrackedRun(tracking, "train " + a->out, &logger);
    if (s.ok() && logger) {
      s = logger->LogParams(FlattenParams(config.root()));
      tracking::RunLogger* log = logger.get();
      options.on_round = [log](int step, const std::map<std::string, double>& metrics) {
        Status ignored = log->LogMetrics(metrics, step);
        (void)ignored;
      };
    }
    TrainOutcome outcome;
    if (s.ok()) s = TrainFromFiles(a->train, a->val, read, a->reframing, options, a->out, &outcome);
    if (s.ok() && logger) {
      for (const auto& c : outcome.candidates) {
        std::string family = c["family"].get<std::string>();
        if (s.ok()) {
          s = logger->LogMetrics({{family + ".val_macro_f1", c["val_macro_f1"].get<double>()},
                                  {family + ".val_accuracy", c["val_accuracy"].get<double>()},
                                  {family + ".train_seconds", c["train_seconds"].get<double>()}});
        }
      }
      if (s.ok()) s = logger->SetTag("prodcat.selected_family", outcome.family);
      int64_t version = 0;
      if (s.ok()) s = RegisterBundle(tracking, *logger, a->out, &version);
      if (s.ok() && version == 0) s = logger->LogArtifact(a->out, "model");
      if (s.ok() && version > 0) {
        std::printf("registered models:/%s/%lld\n", a->register_as.c_str(),
                    static_cast<long long>(version));
      }
      if (s.ok()) s = logger->End();
    }
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("%-10s %14s %14s %10s\n", "candidate", "val macro-F1", "val accuracy", "seconds");
    for (const auto& c : outcome.candidates) {
      std::printf("%-10s %14.4f %14.4f %10.1f\n", c["family"].get<std::string>().c_str(),
                  c["val_macro_f1"].get<double>(), c["val_accuracy"].get<double>(),
                  c["train_seconds"].get<double>());
    }
    std::printf("selected %s -> %s\n", outcome.family.c_str(), a->out.c_str());
  });
}

}  // namespace prodcat::cli
