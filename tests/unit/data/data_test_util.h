// Helpers for data module tests: a scratch directory per test and small read wrappers.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "prodcat/data/record_reader.h"
#include "scratch_dir.h"

namespace prodcat::testing {

// Reads every record of `path`; fails the test on a read error.
inline std::vector<ProductRecord> ReadOk(const std::filesystem::path& path,
                                         const ReadOptions& options = {},
                                         ReadStats* stats = nullptr) {
  std::vector<ProductRecord> records;
  Status s = ReadAllRecords(path, options, &records, stats);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return records;
}

// The error of reading `path` (an OK status when the read unexpectedly succeeds).
inline Status ReadError(const std::filesystem::path& path, const ReadOptions& options = {}) {
  std::vector<ProductRecord> records;
  return ReadAllRecords(path, options, &records);
}

}  // namespace prodcat::testing
