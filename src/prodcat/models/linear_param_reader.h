// Strict reading of a family's JSON hyperparameters: every key must be known, every value must
// have the expected type and range, and errors name the family and the key. Shared by the linear
// and fastText families.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat {

class ParamReader {
 public:
  // `params` must outlive the reader. Null reads as an empty object.
  ParamReader(std::string family, const nlohmann::json& params);

  // Each reader leaves *out untouched when the key is absent (so *out holds the default).
  Status Number(const std::string& key, double min, double max, double* out);
  Status Integer(const std::string& key, int64_t min, int64_t max, int64_t* out);
  Status Integer(const std::string& key, int min, int max, int* out);
  Status Boolean(const std::string& key, bool* out);
  Status Choice(const std::string& key, std::initializer_list<const char*> choices,
                std::string* out);
  // After reading every known key: an error naming the first key nobody asked for.
  Status RejectUnknownKeys() const;

 private:
  const nlohmann::json* Find(const std::string& key);
  std::string Describe(const std::string& key) const;

  std::string family_;              // "linear", "fasttext": prefixes messages
  const nlohmann::json* params_;    // object or null; never dangling while the reader lives
  std::vector<std::string> known_;  // keys asked for so far, in order
};

}  // namespace prodcat
