// Helpers for validation module tests: a scratch directory per test and small record builders.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "prodcat/data/record.h"

namespace prodcat::testing {

// A fresh directory under the system temp dir, removed with its contents at destruction.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("prodcat_validation_") + (info ? info->name() : "test") + "_" +
                       std::to_string(::getpid());
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
    // Unlink first: rewriting a truncated file makes ext4 flush it on close (auto_da_alloc).
    std::filesystem::remove(p);
    std::ofstream out(p, std::ios::binary);
    out << contents;
    return p;
  }
  std::filesystem::path Path(const std::string& name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;  // exists for the lifetime of this object
};

inline std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A record with the given title and category; other fields empty.
inline ProductRecord MakeRecord(std::string title, std::string category = "",
                                std::optional<double> price = std::nullopt) {
  ProductRecord r;
  r.title = std::move(title);
  r.category = std::move(category);
  r.price = price;
  return r;
}

}  // namespace prodcat::testing
