#include "prodcat/validation/yaml_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace prodcat {
namespace {

constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";

bool IsNumberStart(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.');
}

bool IsShortScalarArray(const nlohmann::json& value) {
  if (value.size() > 12) return false;
  size_t chars = 0;
  for (const auto& item : value) {
    if (item.is_structured()) return false;
    chars += item.is_string() ? item.get_ref<const std::string&>().size() + 2 : 8;
  }
  return chars <= 60;
}

// Small maps of scalars read best on one line: {column: price, min_value: 0, max_value: 10}.
bool IsShortScalarObject(const nlohmann::json& value) {
  if (value.size() > 6) return false;
  size_t chars = 0;
  for (const auto& [key, item] : value.items()) {
    if (item.is_structured()) return false;
    chars += key.size() + (item.is_string() ? item.get_ref<const std::string&>().size() : 8) + 4;
  }
  return chars <= 80;
}

}  // namespace

std::string NumberText(double value) {
  char digits[32];
  auto r = std::to_chars(digits, digits + sizeof(digits), value);
  return std::string(digits, r.ptr);
}

nlohmann::json ResolvePlainScalar(std::string_view text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (IsNumberStart(text)) {
    std::string_view digits = text[0] == '+' ? text.substr(1) : text;
    int64_t integer;
    auto ri = std::from_chars(digits.data(), digits.data() + digits.size(), integer);
    if (ri.ec == std::errc() && ri.ptr == digits.data() + digits.size()) return integer;
    double real;
    auto rd = std::from_chars(digits.data(), digits.data() + digits.size(), real);
    if (rd.ec == std::errc() && rd.ptr == digits.data() + digits.size() && std::isfinite(real)) {
      return real;
    }
  }
  return std::string(text);
}

Status YamlToJson(const YAML::Node& node, nlohmann::json* out) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: *out = nullptr; return Status::Ok();
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      // "!" marks a quoted scalar; "?" a plain one.
      if (node.Tag() == "!" || node.Tag() == kStrTag) {
        *out = text;
      } else {
        *out = ResolvePlainScalar(text);
      }
      return Status::Ok();
    }
    case YAML::NodeType::Sequence: {
      *out = nlohmann::json::array();
      for (const YAML::Node& item : node) {
        nlohmann::json value;
        PRODCAT_RETURN_IF_ERROR(YamlToJson(item, &value));
        out->push_back(std::move(value));
      }
      return Status::Ok();
    }
    case YAML::NodeType::Map: {
      *out = nlohmann::json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return Status::InvalidArgument("line " + std::to_string(entry.first.Mark().line + 1) +
                                         ": expected a plain key, got a " +
                                         (entry.first.IsMap() ? "mapping" : "sequence"));
        }
        nlohmann::json value;
        PRODCAT_RETURN_IF_ERROR(YamlToJson(entry.second, &value));
        (*out)[entry.first.Scalar()] = std::move(value);
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

void EmitJson(const nlohmann::json& value, YAML::Emitter* out,
              const std::vector<std::string>& key_order) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: *out << YAML::Null; return;
    case nlohmann::json::value_t::boolean: *out << value.get<bool>(); return;
    case nlohmann::json::value_t::number_integer: *out << value.get<int64_t>(); return;
    case nlohmann::json::value_t::number_unsigned: *out << value.get<uint64_t>(); return;
    case nlohmann::json::value_t::number_float: *out << NumberText(value.get<double>()); return;
    case nlohmann::json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      if (!ResolvePlainScalar(text).is_string()) *out << YAML::DoubleQuoted;
      *out << text;
      return;
    }
    case nlohmann::json::value_t::array:
      if (IsShortScalarArray(value)) *out << YAML::Flow;
      *out << YAML::BeginSeq;
      for (const auto& item : value) EmitJson(item, out);
      *out << YAML::EndSeq;
      return;
    case nlohmann::json::value_t::object:
      if (IsShortScalarObject(value)) *out << YAML::Flow;
      *out << YAML::BeginMap;
      for (const std::string& key : key_order) {
        if (!value.contains(key)) continue;
        *out << YAML::Key << key << YAML::Value;
        EmitJson(value[key], out);
      }
      for (const auto& [key, item] : value.items()) {
        if (std::find(key_order.begin(), key_order.end(), key) != key_order.end()) continue;
        *out << YAML::Key << key << YAML::Value;
        EmitJson(item, out);
      }
      *out << YAML::EndMap;
      return;
    default: *out << YAML::Null; return;
  }
}

}  // namespace prodcat
