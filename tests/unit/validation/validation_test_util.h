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
#include "scratch_dir.h"

namespace prodcat::testing {

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
