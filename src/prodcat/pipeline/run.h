// The main job: generate (when no input is given) -> prepare -> train -> evaluate, all in one
// run directory, ending with a short summary. This is what `prodcat run` and the README's first
// command execute.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/pipeline/config.h"

namespace prodcat {

struct RunOptions {
  std::filesystem::path input;    // empty: generate sample data from the `generate` section
  std::filesystem::path out_dir;  // empty: runs/<UTC timestamp>
  std::string model;              // overrides train.model when set
  bool resume = false;            // resume training from the run's checkpoints
};

// Run layout: data/products.csv (when generated), prepared/{train,val,test}.csv +
// quality_report.json, model/ (the bundle), checkpoints/, evaluation/{report.json, *.svg},
// summary.json.
Status RunMainJob(const Config& config, const RunOptions& options, nlohmann::json* summary);

std::string RenderRunSummary(const nlohmann::json& summary);

// "2026-11-22T05:40:12Z"
std::string UtcTimestamp();

}  // namespace prodcat
