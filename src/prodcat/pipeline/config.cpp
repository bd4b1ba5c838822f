#include "prodcat/pipeline/config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "prodcat/common/file_util.h"

namespace prodcat {
namespace {

#include "default_config.inc"

nlohmann::json ScalarToJson(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: always a string
  if (s == "null" || s == "~" || s.empty()) return nullptr;
  if (s == "true" || s == "True" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "no") return false;
  int64_t i = 0;
  auto [pi, ei] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ei == std::errc() && pi == s.data() + s.size()) return i;
  double d = 0;
  auto [pd, ed] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ed == std::errc() && pd == s.data() + s.size()) return d;
  return s;
}

nlohmann::json NodeToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& child : node) arr.push_back(NodeToJson(child));
      return arr;
    }
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = NodeToJson(kv.second);
      return obj;
    }
  }
  return nullptr;
}

bool IsFreeForm(const std::string& path) {
  return path == "data.columns" || path.rfind("models.", 0) == 0;
}

const char* TypeName(const nlohmann::json& j) {
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "a list";
  if (j.is_object()) return "a mapping";
  return "null";
}

// Merges `src` into `dst` (a defaults tree), checking keys and types against it.
Status MergeChecked(const nlohmann::json& src, const std::string& path, nlohmann::json* dst,
                    const std::string& source) {
  if (IsFreeForm(path)) {
    if (!src.is_object() && !src.is_null()) {
      return Status::InvalidArgument(source + ": '" + path + "' must be a mapping");
    }
    if (src.is_object()) {
      for (const auto& [k, v] : src.items()) (*dst)[k] = v;
    }
    return Status::Ok();
  }
  if (!src.is_object()) {
    return Status::InvalidArgument(source + ": '" + path + "' must be a mapping, got " +
                                   TypeName(src));
  }
  for (const auto& [key, value] : src.items()) {
    std::string child = path.empty() ? key : path + "." + key;
    if (!dst->contains(key)) {
      return Status::InvalidArgument(source + ": unknown setting '" + child + "'");
    }
    nlohmann::json& target = (*dst)[key];
    if (target.is_object() || IsFreeForm(child)) {
      PRODCAT_RETURN_IF_ERROR(MergeChecked(value, child, &target, source));
      continue;
    }
    bool compatible = (target.is_number() && value.is_number()) ||
                      (target.is_boolean() && value.is_boolean()) ||
                      (target.is_string() && value.is_string()) ||
                      (target.is_array() && value.is_array()) || target.is_null();
    if (target.is_string() && (value.is_number() || value.is_boolean())) {
      target = value.dump();  // e.g. group_col: 123 -> "123"
      continue;
    }
    if (!compatible) {
      return Status::InvalidArgument(source + ": setting '" + child + "' must be " +
                                     TypeName(target) + ", got " + TypeName(value));
    }
    target = value;
  }
  return Status::Ok();
}

}  // namespace

Status YamlToJson(const std::string& yaml_text, const std::string& source_name,
                  nlohmann::json* out) {
  try {
    YAML::Node node = YAML::Load(yaml_text);
    *out = NodeToJson(node);
    return Status::Ok();
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source_name + ":" + std::to_string(e.mark.line + 1) +
                                   ": invalid YAML: " + e.msg);
  }
}

Config Config::Defaults() {
  Config c;
  nlohmann::json j;
  Status s = YamlToJson(kDefaultConfigYaml, "default config", &j);
  if (s.ok() && j.is_object()) c.root_ = std::move(j);
  return c;
}

Status Config::Load(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                    Config* out) {
  Config c = Defaults();
  if (!file.empty()) {
    std::string text;
    PRODCAT_RETURN_IF_ERROR(ReadFile(file, &text).WithContext("config"));
    nlohmann::json user;
    PRODCAT_RETURN_IF_ERROR(YamlToJson(text, file.string(), &user));
    if (!user.is_null()) PRODCAT_RETURN_IF_ERROR(MergeChecked(user, "", &c.root_, file.string()));
  }
  for (const auto& o : overrides) PRODCAT_RETURN_IF_ERROR(c.Set(o));
  *out = std::move(c);
  return Status::Ok();
}

Status Config::Set(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument("--set expects key=value, got '" + assignment + "'");
  }
  std::string key = assignment.substr(0, eq);
  nlohmann::json value;
  PRODCAT_RETURN_IF_ERROR(YamlToJson(assignment.substr(eq + 1), "--set " + key, &value));
  // Build a nested object {a: {b: {c: value}}} and merge it with the same checks as a file.
  nlohmann::json nested = value;
  std::string rest = key;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = rest.find('.', start);
    parts.push_back(rest.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (it->empty()) return Status::InvalidArgument("--set: empty key segment in '" + key + "'");
    nlohmann::json wrapper = nlohmann::json::object();
    wrapper[*it] = std::move(nested);
    nested = std::move(wrapper);
  }
  return MergeChecked(nested, "", &root_, "--set " + key);
}

const nlohmann::json& Config::section(const std::string& name) const {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto it = root_.find(name);
  return it == root_.end() ? kEmpty : *it;
}

std::string Config::GetString(const std::string& s, const std::string& k) const {
  const auto& sec = section(s);
  auto it = sec.find(k);
  return it != sec.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double Config::GetDouble(const std::string& s, const std::string& k) const {
  const auto& sec = section(s);
  auto it = sec.find(k);
  return it != sec.end() && it->is_number() ? it->get<double>() : 0.0;
}

int64_t Config::GetInt(const std::string& s, const std::string& k) const {
  const auto& sec = section(s);
  auto it = sec.find(k);
  return it != sec.end() && it->is_number() ? static_cast<int64_t>(it->get<double>()) : 0;
}

bool Config::GetBool(const std::string& s, const std::string& k) const {
  const auto& sec = section(s);
  auto it = sec.find(k);
  return it != sec.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace prodcat
