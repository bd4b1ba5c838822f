// A fresh temporary directory per test, removed with everything in it when the test ends.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
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
  std::filesystem::path Path(const std::string& name) const { return path_ / name; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  // Writes `contents` byte for byte to `name` inside the directory and returns its path.
  std::filesystem::path Write(const std::string& name, const std::string& contents) const {
    std::filesystem::path p = path_ / name;
    // Unlink first: rewriting a truncated file makes ext4 flush it on close (auto_da_alloc).
    std::filesystem::remove(p);
    std::ofstream out(p, std::ios::binary);
    out << contents;
    return p;
  }

 private:
  std::filesystem::path path_;  // exists for the object's lifetime
};

}  // namespace prodcat::testing
