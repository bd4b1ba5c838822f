#include <cstdio>

#include "commands.h"
#include "prodcat/pipeline/run.h"

namespace prodcat::cli {

void RegisterRun(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "run", "The main job: generate (if no input) -> prepare -> train -> evaluate");
  struct Args {
    CommonOptions common;
    RunOptions run;
    std::string input, out, suite;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--input", a->input, "Products file; omitted: generate sample data");
  cmd->add_option("--out", a->out, "Run directory (default: runs/<UTC timestamp>)");
  cmd->add_option("--model", a->run.model, "auto | linear | fasttext | gbdt")
      ->check(CLI::IsMember({"auto", "linear", "fasttext", "gbdt"}));
  cmd->add_flag("--resume", a->run.resume, "Resume training from the run's checkpoints");
  cmd->add_option("--suite", a->suite,
                  "Expectation suite the data must pass (default: inferred from training split)");
  AddConfigOptions(cmd, &a->common);
  AddDataOptions(cmd, &a->common);
  cmd->callback([a] {
    Config config;
    Status s = LoadConfig(a->common, &config);
    if (s.ok() && !a->suite.empty()) s = config.Set("validation.suite=\"" + a->suite + "\"");
    a->run.input = a->input;
    a->run.out_dir = a->out;
    nlohmann::json summary;
    if (s.ok()) s = RunMainJob(config, a->run, &summary);
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("%s", RenderRunSummary(summary).c_str());
  });
}

}  // namespace prodcat::cli
