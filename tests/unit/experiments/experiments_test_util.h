// Shared helpers for the experiments tests: a scratch directory and small experiment specs.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/experiments/experiment_spec.h"
#include "scratch_dir.h"

namespace prodcat::experiments::testing {

using prodcat::testing::ScratchDir;

// prefix + decimal i ("user-" , 7 -> "user-7"); also sidesteps GCC 12's false -Wrestrict on
// `"literal" + std::to_string(i)`.
inline std::string Numbered(std::string_view prefix, int64_t i) {
  std::string text(prefix);
  text += std::to_string(i);
  return text;
}

// A running experiment with arms "A" (control) and "B" and the given weights.
inline ExperimentSpec TwoArmSpec(const std::string& id, double weight_a = 1, double weight_b = 1) {
  ExperimentSpec spec;
  spec.id = id;
  spec.description = "test experiment";
  spec.arms = {{"A", "models:/cat@champion", weight_a}, {"B", "models:/cat/7", weight_b}};
  return spec;
}

}  // namespace prodcat::experiments::testing
