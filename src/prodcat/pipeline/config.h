// Config: the pipeline's settings. Defaults come from config/prodcat.yaml (compiled in); a user
// file is merged over them and `--set section.key=value` overrides go last. Keys that the
// defaults do not know are rejected (typos must not be silently ignored), except inside the
// free-form maps data.columns and models.<family>, whose keys the consumers validate.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat {

class Config {
 public:
  static Config Defaults();
  // `file` may be empty (defaults only).
  static Status Load(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                     Config* out);

  // Applies one "a.b.c=value" override; value is parsed as YAML (numbers, bools, lists).
  Status Set(const std::string& assignment);

  const nlohmann::json& root() const { return root_; }
  // Section access, e.g. section("train"); a missing section is an empty object.
  const nlohmann::json& section(const std::string& name) const;

  std::string GetString(const std::string& section, const std::string& key) const;
  double GetDouble(const std::string& section, const std::string& key) const;
  int64_t GetInt(const std::string& section, const std::string& key) const;
  bool GetBool(const std::string& section, const std::string& key) const;

 private:
  nlohmann::json root_ = nlohmann::json::object();  // always an object of sections
};

// YAML text -> JSON with scalar types inferred (quoted scalars stay strings).
Status YamlToJson(const std::string& yaml_text, const std::string& source_name,
                  nlohmann::json* out);

}  // namespace prodcat
