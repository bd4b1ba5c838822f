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

namespace prodcat::experiments::testing {

// A fresh temporary directory, removed with everything in it at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    static int n = 0;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("prodcat_experiments_") + (info ? info->name() : "test") + "_" +
                       std::to_string(::getpid()) + "_" + std::to_string(n++);
    std::replace(name.begin(), name.end(), '/', '_');
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;  // exists for the object's lifetime
};

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
