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

namespace prodcat::testing {

// A fresh directory under the system temp dir, removed with its contents at destruction.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("prodcat_data_") + (info ? info->name() : "test") + "_" +
                       std::to_string(::getpid());
    std::replace(name.begin(), name.end(), '/', '_');  // parameterized tests: "Name/0"
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  // Writes `contents` byte for byte to `name` inside the directory and returns its path.
  std::filesystem::path Write(const std::string& name, const std::string& contents) const {
    std::filesystem::path p = path_ / name;
    std::ofstream out(p, std::ios::binary);
    out << contents;
    return p;
  }
  std::filesystem::path Path(const std::string& name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;  // exists for the lifetime of this object
};

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
