// Synthetic tabular data for the gbdt tests: a few dense "engineered" columns whose means shift
// with the class, then sparse one-hot columns of which some are class-indicative, plus label
// noise. Small enough to train in well under a second.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "prodcat/models/classifier.h"

namespace prodcat::gbdt_test {

inline constexpr size_t kDenseColumns = 5;
inline constexpr size_t kColumns = 400;

// `label_noise`: fraction of rows whose label is replaced by a random class.
inline TrainSet MakeTabular(size_t rows, int num_classes, uint32_t seed, double label_noise = 0.05,
                            double signal = 1.0) {
  TrainSet set;
  set.tabular.num_cols = kColumns;
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> any_class(0, num_classes - 1);
  std::uniform_int_distribution<uint32_t> noise_column(kDenseColumns + 100, kColumns - 1);
  for (size_t r = 0; r < rows; ++r) {
    int label = any_class(rng);
    SparseVector row;
    for (uint32_t c = 0; c < kDenseColumns; ++c) {
      float shift =
          (static_cast<int>(c) % num_classes == label) ? static_cast<float>(signal) : 0.0f;
      row.indices.push_back(c);
      row.values.push_back(normal(rng) + shift);
    }
    std::vector<uint32_t> sparse;
    if (unit(rng) < 0.7 * signal) sparse.push_back(kDenseColumns + 10 * label + rng() % 3);
    for (int k = 0; k < 6; ++k) sparse.push_back(noise_column(rng));
    std::sort(sparse.begin(), sparse.end());
    sparse.erase(std::unique(sparse.begin(), sparse.end()), sparse.end());
    for (uint32_t c : sparse) {
      row.indices.push_back(c);
      row.values.push_back(1.0f);
    }
    set.tabular.AppendRow(row);
    set.labels.push_back(unit(rng) < label_noise ? any_class(rng) : label);
  }
  return set;
}

inline FeatureVector RowOf(const TrainSet& set, size_t row) {
  FeatureVector x;
  for (uint64_t i = set.tabular.indptr[row]; i < set.tabular.indptr[row + 1]; ++i) {
    x.tabular.indices.push_back(set.tabular.indices[i]);
    x.tabular.values.push_back(set.tabular.values[i]);
  }
  return x;
}

inline TrainContext MakeContext(int num_classes) {
  TrainContext ctx;
  ctx.num_classes = num_classes;
  for (int k = 0; k < num_classes; ++k) ctx.class_names.push_back("class" + std::to_string(k));
  ctx.seed = 7;
  ctx.threads = 1;
  ctx.show_progress = false;
  ctx.data_fingerprint = "fingerprint-a";
  return ctx;
}

// A fresh empty directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("prodcat_gbdt_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

// Sets an environment variable for the lifetime of the guard.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

}  // namespace prodcat::gbdt_test
