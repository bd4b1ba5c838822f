// Avro schema compatibility with the rules and modes of the Confluent Schema Registry, which
// apply Avro schema resolution (reader schema vs writer schema):
//
//   BACKWARD   the new schema can read data written with the old one (reader = new)
//   FORWARD    the old schema can read data written with the new one (reader = old)
//   FULL       both
//   *_TRANSITIVE  the same against every older schema, not just the latest
//   NONE       no check
//
// A reader can read a writer when, recursively: the types are equal, or the writer's type
// promotes to the reader's (int -> long, float, double; long -> float, double; float -> double;
// string <-> bytes); records (and enums, fixed) have the same unqualified name or the reader
// lists the writer's name among its aliases, and every reader field exists in the writer (by name
// or reader field alias) or has a default; enums: every writer symbol is a reader symbol unless
// the reader enum has a default; fixed: equal sizes; arrays and maps: their items/values; a writer
// union: every branch is readable; a reader union (writer not a union): some branch reads it.
//
// Example: adding a field without a default breaks BACKWARD ("field 'x' added without a default:
// new readers cannot read old data"); removing a field that has no default in the old schema
// breaks FORWARD.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/validation/avro_schema.h"

namespace prodcat {

enum class CompatibilityMode {
  kNone,
  kBackward,
  kForward,
  kFull,
  kBackwardTransitive,
  kForwardTransitive,
  kFullTransitive,
};

// "BACKWARD", "FULL_TRANSITIVE", ... (case-insensitive; '-' works for '_'). False otherwise.
bool ParseCompatibilityMode(std::string_view text, CompatibilityMode* mode);
std::string_view CompatibilityModeName(CompatibilityMode mode);
bool IsTransitive(CompatibilityMode mode);

// The kinds of Avro's SchemaCompatibility (Java) incompatibilities.
enum class IncompatibilityKind {
  kNameMismatch,               // record/enum/fixed renamed without an alias
  kFixedSizeMismatch,          // fixed size changed
  kMissingEnumSymbols,         // writer symbols the reader lacks (and no enum default)
  kReaderFieldMissingDefault,  // reader field absent from the writer, without a default
  kTypeMismatch,               // types that do not resolve (and are not promotable)
  kMissingUnionBranch,         // a writer union branch the reader cannot read
};
std::string_view IncompatibilityKindName(IncompatibilityKind kind);  // "READER_FIELD_MISSING_..."

// A reader/writer incompatibility, in schema-resolution terms.
struct ResolutionIssue {
  IncompatibilityKind kind = IncompatibilityKind::kTypeMismatch;
  std::string path;         // "Product.price", "Product.tags[]", "Product.attributes{}"
  std::string reader_type;  // display form of the reader's type at `path`
  std::string writer_type;  // display form of the writer's type at `path`
  std::string detail;       // field name, missing symbols or union branch, per kind
};

// Every reason `reader` cannot read data written with `writer` (empty: it can).
std::vector<ResolutionIssue> CheckReaderCanReadWriter(const AvroSchema& reader,
                                                      const AvroSchema& writer);

struct SchemaIncompatibility {
  IncompatibilityKind kind = IncompatibilityKind::kTypeMismatch;
  std::string path;           // where, e.g. "Product.price"
  std::string message;        // what changed and who cannot read what, in old/new terms
  size_t older_index = 0;     // index into the older schemas it was found against
  bool new_reads_old = true;  // true: the new schema as reader (BACKWARD direction)
};

struct CompatibilityResult {
  bool compatible = true;                                // no incompatibilities
  std::vector<SchemaIncompatibility> incompatibilities;  // in check order

  // "compatible" or one line per incompatibility: "Product.x: field 'x' added ...".
  std::string Summary() const;
};

// Checks `new_schema_json` against `old_schema_json` under `mode` (transitive modes behave like
// their plain versions with one older schema). Errors: a schema that does not parse (the message
// says which one).
StatusOr<CompatibilityResult> CheckCompatibility(std::string_view old_schema_json,
                                                 std::string_view new_schema_json,
                                                 CompatibilityMode mode);

// `older_schemas_json` oldest first. Non-transitive modes check only the latest (last) one, like
// the schema registry; transitive modes check every one.
StatusOr<CompatibilityResult> CheckCompatibility(const std::vector<std::string>& older_schemas_json,
                                                 std::string_view new_schema_json,
                                                 CompatibilityMode mode);

}  // namespace prodcat
