// Conversions between yaml-cpp nodes and nlohmann JSON values (internal to validation), so suite
// files can be YAML or JSON while the code works on one representation. Plain YAML scalars are
// typed by the YAML 1.2 core schema (null, true/false, integers, floats); quoted scalars are
// always strings.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat {

// Converts `node`; errors (e.g. a mapping used as a key) name the 1-based line.
Status YamlToJson(const YAML::Node& node, nlohmann::json* out);

// The value a plain (unquoted) YAML scalar `text` stands for.
nlohmann::json ResolvePlainScalar(std::string_view text);

// Emits `value` into `out`: small maps and short scalar arrays in flow style, the rest as blocks,
// strings quoted whenever plain style would read back as something else. Keys of a top-level map
// listed in `key_order` come first, in that order; the rest follow alphabetically.
void EmitJson(const nlohmann::json& value, YAML::Emitter* out,
              const std::vector<std::string>& key_order = {});

// Shortest text that reads back as exactly `value` ("0.1", "1e-05", "3").
std::string NumberText(double value);

}  // namespace prodcat
