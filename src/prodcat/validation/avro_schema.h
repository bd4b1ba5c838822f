// A parsed Avro schema as a graph of typed nodes, for structural walks (compatibility checks).
// Parsing follows the Avro specification: primitive names, records (and errors), enums, arrays,
// maps, unions and fixed; full names from name + namespace (inherited from the enclosing named
// type), references to named types defined earlier (recursive records included), aliases, field
// defaults and enum defaults. Logical types are read as their underlying type. The text is also
// handed to libavro's parser, so anything libavro rejects is rejected here with its message.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat {

enum class AvroType {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

// "int", "record", ...
std::string_view AvroTypeName(AvroType type);

struct AvroNode;

struct AvroField {
  std::string name;                  // field name
  std::vector<std::string> aliases;  // alternative names a writer may have used
  const AvroNode* type = nullptr;    // owned by the AvroSchema
  bool has_default = false;          // "default" present (a null default counts)
  nlohmann::json default_value;      // the default when has_default
};

struct AvroNode {
  AvroType type = AvroType::kNull;  // what kind of node; decides which members below apply
  // Named types (record, enum, fixed):
  std::string full_name;                  // "namespace.name", or "name" without a namespace
  std::string name;                       // unqualified name
  std::vector<std::string> aliases;       // full names
  std::vector<AvroField> fields;          // record: fields in order
  std::vector<std::string> symbols;       // enum: symbols in order
  std::string enum_default;               // enum: the default symbol, empty when none
  int64_t size = 0;                       // fixed: bytes per value
  const AvroNode* items = nullptr;        // array items or map values; owned by the AvroSchema
  std::vector<const AvroNode*> branches;  // union: branch types in order

  bool is_named() const {
    return type == AvroType::kRecord || type == AvroType::kEnum || type == AvroType::kFixed;
  }
  // The name used in messages: a named type's unqualified name, else the type name.
  std::string DisplayName() const;
};

class AvroSchema {
 public:
  // Parses schema JSON text. Errors name what is wrong and where ("field 'price' of record
  // 'Product': unknown type 'dubble'").
  static StatusOr<AvroSchema> Parse(std::string_view json_text);

  const AvroNode& root() const { return *root_; }

 private:
  std::vector<std::unique_ptr<AvroNode>> nodes_;  // every node; pointers stay valid on move
  const AvroNode* root_ = nullptr;                // the top-level type, in nodes_
  friend class AvroSchemaParser;
};

}  // namespace prodcat
