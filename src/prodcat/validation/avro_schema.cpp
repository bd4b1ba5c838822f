#include "prodcat/validation/avro_schema.h"

#include <avro.h>

#include <map>

namespace prodcat {

std::string_view AvroTypeName(AvroType type) {
  switch (type) {
    case AvroType::kNull: return "null";
    case AvroType::kBoolean: return "boolean";
    case AvroType::kInt: return "int";
    case AvroType::kLong: return "long";
    case AvroType::kFloat: return "float";
    case AvroType::kDouble: return "double";
    case AvroType::kBytes: return "bytes";
    case AvroType::kString: return "string";
    case AvroType::kRecord: return "record";
    case AvroType::kEnum: return "enum";
    case AvroType::kArray: return "array";
    case AvroType::kMap: return "map";
    case AvroType::kUnion: return "union";
    case AvroType::kFixed: return "fixed";
  }
  return "?";
}

std::string AvroNode::DisplayName() const {
  if (is_named()) return name;
  switch (type) {
    case AvroType::kArray: return "array<" + items->DisplayName() + ">";
    case AvroType::kMap: return "map<" + items->DisplayName() + ">";
    case AvroType::kUnion: {
      std::string out = "[";
      for (size_t i = 0; i < branches.size(); ++i) {
        out += (i ? ", " : "") + branches[i]->DisplayName();
      }
      return out + "]";
    }
    default: return std::string(AvroTypeName(type));
  }
}

namespace {

bool ParsePrimitive(std::string_view name, AvroType* type) {
  static const std::map<std::string_view, AvroType> kPrimitives = {
      {"null", AvroType::kNull},   {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
      {"long", AvroType::kLong},   {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
      {"bytes", AvroType::kBytes}, {"string", AvroType::kString}};
  auto it = kPrimitives.find(name);
  if (it == kPrimitives.end()) return false;
  *type = it->second;
  return true;
}

std::string Show(const nlohmann::json& j) {
  std::string text = j.dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

}  // namespace

// Builds the node graph; named types are registered before their fields are parsed so records
// can refer to themselves.
class AvroSchemaParser {
 public:
  StatusOr<AvroSchema> Run(std::string_view text) {
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& error) {
      return Status::InvalidArgument(std::string("invalid JSON: ") + error.what());
    }
    avro_schema_t checked = nullptr;
    if (avro_schema_from_json_length(text.data(), text.size(), &checked) != 0) {
      return Status::InvalidArgument(std::string("libavro rejects the schema: ") + avro_strerror());
    }
    avro_schema_decref(checked);
    StatusOr<const AvroNode*> root = ParseNode(json, "", "the schema");
    if (!root.ok()) return root.status();
    schema_.root_ = *root;
    return std::move(schema_);
  }

 private:
  AvroNode* NewNode(AvroType type) {
    schema_.nodes_.push_back(std::make_unique<AvroNode>());
    schema_.nodes_.back()->type = type;
    return schema_.nodes_.back().get();
  }

  static std::string FullName(const std::string& name, const std::string& ns) {
    if (name.find('.') != std::string::npos || ns.empty()) return name;
    return ns + "." + name;
  }

  StatusOr<const AvroNode*> ParseNode(const nlohmann::json& j, const std::string& ns,
                                      const std::string& where) {
    if (j.is_string()) {
      const std::string& name = j.get_ref<const std::string&>();
      AvroType primitive;
      if (ParsePrimitive(name, &primitive)) return static_cast<const AvroNode*>(NewNode(primitive));
      for (const std::string& candidate : {FullName(name, ns), name}) {
        auto it = named_.find(candidate);
        if (it != named_.end()) return it->second;
      }
      return Status::InvalidArgument(where + ": unknown type '" + name + "'");
    }
    if (j.is_array()) {
      AvroNode* node = NewNode(AvroType::kUnion);
      for (size_t i = 0; i < j.size(); ++i) {
        StatusOr<const AvroNode*> branch =
            ParseNode(j[i], ns, where + " (union branch " + std::to_string(i) + ")");
        if (!branch.ok()) return branch.status();
        if ((*branch)->type == AvroType::kUnion) {
          return Status::InvalidArgument(where + ": a union directly inside a union");
        }
        node->branches.push_back(*branch);
      }
      return static_cast<const AvroNode*>(node);
    }
    if (!j.is_object() || !j.contains("type")) {
      return Status::InvalidArgument(where +
                                     ": expected a type name, a union or an object with "
                                     "\"type\", got " +
                                     Show(j));
    }
    const nlohmann::json& type = j["type"];
    if (!type.is_string()) return ParseNode(type, ns, where);  // {"type": {...}} nesting
    const std::string& type_name = type.get_ref<const std::string&>();
    AvroType primitive;
    if (ParsePrimitive(type_name, &primitive)) {
      return static_cast<const AvroNode*>(NewNode(primitive));  // logicalType is ignored
    }
    if (type_name == "array" || type_name == "map") {
      const char* key = type_name == "array" ? "items" : "values";
      if (!j.contains(key))
        return Status::InvalidArgument(where + ": " + type_name + " without \"" + key + "\"");
      AvroNode* node = NewNode(type_name == "array" ? AvroType::kArray : AvroType::kMap);
      StatusOr<const AvroNode*> items = ParseNode(j[key], ns, where + " " + key);
      if (!items.ok()) return items.status();
      node->items = *items;
      return static_cast<const AvroNode*>(node);
    }
    AvroType named_type;
    if (type_name == "record" || type_name == "error") {
      named_type = AvroType::kRecord;
    } else if (type_name == "enum") {
      named_type = AvroType::kEnum;
    } else if (type_name == "fixed") {
      named_type = AvroType::kFixed;
    } else {
      // A named type used as {"type": "Name"}.
      return ParseNode(type, ns, where);
    }
    if (!j.contains("name") || !j["name"].is_string()) {
      return Status::InvalidArgument(where + ": " + type_name + " without a \"name\"");
    }
    AvroNode* node = NewNode(named_type);
    const std::string name = j["name"].get<std::string>();
    std::string inner_ns = ns;
    if (j.contains("namespace") && j["namespace"].is_string()) {
      inner_ns = j["namespace"].get<std::string>();
    }
    node->full_name = FullName(name, inner_ns);
    size_t dot = node->full_name.rfind('.');
    node->name = dot == std::string::npos ? node->full_name : node->full_name.substr(dot + 1);
    inner_ns = dot == std::string::npos ? "" : node->full_name.substr(0, dot);
    if (!named_.emplace(node->full_name, node).second) {
      return Status::InvalidArgument(where + ": type '" + node->full_name + "' defined twice");
    }
    if (j.contains("aliases") && j["aliases"].is_array()) {
      for (const auto& alias : j["aliases"]) {
        if (alias.is_string())
          node->aliases.push_back(FullName(alias.get<std::string>(), inner_ns));
      }
    }
    const std::string what = type_name + " '" + node->name + "'";
    if (named_type == AvroType::kFixed) {
      if (!j.contains("size") || !j["size"].is_number_integer()) {
        return Status::InvalidArgument(where + ": " + what + " without an integer \"size\"");
      }
      node->size = j["size"].get<int64_t>();
    } else if (named_type == AvroType::kEnum) {
      if (!j.contains("symbols") || !j["symbols"].is_array()) {
        return Status::InvalidArgument(where + ": " + what + " without \"symbols\"");
      }
      for (const auto& symbol : j["symbols"]) {
        if (!symbol.is_string()) {
          return Status::InvalidArgument(where + ": " + what + ": symbols must be strings");
        }
        node->symbols.push_back(symbol.get<std::string>());
      }
      if (j.contains("default") && j["default"].is_string()) {
        node->enum_default = j["default"].get<std::string>();
      }
    } else {
      if (!j.contains("fields") || !j["fields"].is_array()) {
        return Status::InvalidArgument(where + ": " + what + " without \"fields\"");
      }
      for (const auto& f : j["fields"]) {
        if (!f.is_object() || !f.contains("name") || !f["name"].is_string() ||
            !f.contains("type")) {
          return Status::InvalidArgument(where + ": " + what +
                                         ": every field needs a \"name\" and a \"type\", got " +
                                         Show(f));
        }
        AvroField field;
        field.name = f["name"].get<std::string>();
        StatusOr<const AvroNode*> field_type =
            ParseNode(f["type"], inner_ns, "field '" + field.name + "' of " + what);
        if (!field_type.ok()) return field_type.status();
        field.type = *field_type;
        if (f.contains("default")) {
          field.has_default = true;
          field.default_value = f["default"];
        }
        if (f.contains("aliases") && f["aliases"].is_array()) {
          for (const auto& alias : f["aliases"]) {
            if (alias.is_string()) field.aliases.push_back(alias.get<std::string>());
          }
        }
        node->fields.push_back(std::move(field));
      }
    }
    return static_cast<const AvroNode*>(node);
  }

  AvroSchema schema_;                             // being built
  std::map<std::string, const AvroNode*> named_;  // full name -> definition
};

StatusOr<AvroSchema> AvroSchema::Parse(std::string_view json_text) {
  return AvroSchemaParser().Run(json_text);
}

}  // namespace prodcat
