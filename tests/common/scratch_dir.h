// A fresh temporary directory per test, removed with everything in it when the test ends.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace prodcat::testing {

class ScratchDir {
 public:
  // `prefix` names the suite in the directory name ("prodcat_<prefix>_<test>_<pid>_<n>").
  explicit ScratchDir(const std::string& prefix = "test") {
    static int n = 0;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "prodcat_" + prefix + "_" + (info ? info->name() : "test") + "_" +
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
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;  // exists for the object's lifetime
};

}  // namespace prodcat::testing
