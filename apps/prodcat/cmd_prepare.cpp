#include <cstdio>

#include "commands.h"
#include "prodcat/pipeline/prepare.h"

namespace prodcat::cli {

void RegisterPrepare(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "prepare", "Clean, dedupe and split a products file; write a data quality report");
  struct Args {
    CommonOptions common;
    std::string input, out, group_col, rebalance;
    double reframe_min_share = -1;
    uint64_t seed = 0;
    bool seed_set = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--input", a->input, "Products file (.csv, .tsv, .jsonl)")->required();
  cmd->add_option("--out", a->out, "Output directory for train/val/test.csv")->required();
  cmd->add_option("--group-col", a->group_col,
                  "Split by this column so near-duplicates never straddle splits");
  cmd->add_option("--rebalance", a->rebalance, "none | oversample | undersample")
      ->check(CLI::IsMember({"none", "oversample", "undersample"}));
  cmd->add_option("--reframe-min-share", a->reframe_min_share,
                  "Merge classes below this share of training rows into 'Other'");
  cmd->add_option("--seed", a->seed, "Split seed");
  AddConfigOptions(cmd, &a->common);
  AddDataOptions(cmd, &a->common);
  cmd->callback([a, cmd] {
    Config config;
    Status s = LoadConfig(a->common, &config);
    if (s.ok() && !a->group_col.empty())
      s = config.Set("prepare.group_col=\"" + a->group_col + "\"");
    if (s.ok() && !a->rebalance.empty()) s = config.Set("prepare.rebalance=" + a->rebalance);
    if (s.ok() && a->reframe_min_share >= 0) {
      s = config.Set("prepare.reframe_min_share=" + std::to_string(a->reframe_min_share));
    }
    if (s.ok() && cmd->count("--seed")) s = config.Set("prepare.seed=" + std::to_string(a->seed));
    PrepareOptions options;
    if (s.ok()) s = PrepareOptions::FromConfig(config, &options);
    PreparedSplits splits;
    if (s.ok()) s = PrepareFile(a->input, a->out, options, &splits);
    if (!s.ok()) {
      ExitCode() = Fail(s);
      return;
    }
    std::printf("%s", RenderQualityTable(splits.quality_report).c_str());
    std::printf("wrote %s/{train,val,test}.csv and quality_report.json\n", a->out.c_str());
  });
}

}  // namespace prodcat::cli
