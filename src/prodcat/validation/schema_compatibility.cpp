#include "prodcat/validation/schema_compatibility.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

namespace prodcat {
namespace {

bool Promotes(AvroType writer, AvroType reader) {
  switch (writer) {
    case AvroType::kInt:
      return reader == AvroType::kLong || reader == AvroType::kFloat || reader == AvroType::kDouble;
    case AvroType::kLong: return reader == AvroType::kFloat || reader == AvroType::kDouble;
    case AvroType::kFloat: return reader == AvroType::kDouble;
    case AvroType::kString: return reader == AvroType::kBytes;
    case AvroType::kBytes: return reader == AvroType::kString;
    default: return false;
  }
}

std::string Unqualified(const std::string& full_name) {
  size_t dot = full_name.rfind('.');
  return dot == std::string::npos ? full_name : full_name.substr(dot + 1);
}

bool NamesMatch(const AvroNode& reader, const AvroNode& writer) {
  if (reader.name == writer.name) return true;
  for (const std::string& alias : reader.aliases) {
    if (alias == writer.full_name || Unqualified(alias) == writer.name) return true;
  }
  return false;
}

// The schema-resolution walk. Pairs under evaluation are assumed compatible when met again, which
// terminates recursive types (coinduction, as Avro's Java implementation does).
class ResolutionChecker {
 public:
  void Check(const AvroNode* r, const AvroNode* w, const std::string& path,
             std::vector<ResolutionIssue>* issues) {
    if (!in_progress_.insert({r, w}).second) return;
    CheckPair(r, w, path, issues);
    in_progress_.erase({r, w});
  }

 private:
  bool Compatible(const AvroNode* r, const AvroNode* w) {
    std::vector<ResolutionIssue> scratch;
    Check(r, w, "", &scratch);
    return scratch.empty();
  }

  void Add(IncompatibilityKind kind, const AvroNode* r, const AvroNode* w, const std::string& path,
           std::string detail, std::vector<ResolutionIssue>* issues) {
    issues->push_back({kind, path, r->DisplayName(), w->DisplayName(), std::move(detail)});
  }

  // A reader union branch that stands for `w`: the same type (and name, for named types) first,
  // so deep differences are reported in detail; else any branch that can read it.
  const AvroNode* MatchingBranch(const AvroNode* reader_union, const AvroNode* w) {
    for (const AvroNode* b : reader_union->branches) {
      if (b->type == w->type && (!w->is_named() || NamesMatch(*b, *w))) return b;
    }
    for (const AvroNode* b : reader_union->branches) {
      if (Compatible(b, w)) return b;
    }
    return nullptr;
  }

  void CheckPair(const AvroNode* r, const AvroNode* w, const std::string& path,
                 std::vector<ResolutionIssue>* issues) {
    if (w->type == AvroType::kUnion) {
      for (const AvroNode* branch : w->branches) {
        if (r->type == AvroType::kUnion) {
          const AvroNode* match = MatchingBranch(r, branch);
          if (!match) {
            Add(IncompatibilityKind::kMissingUnionBranch, r, w, path, branch->DisplayName(),
                issues);
          } else {
            Check(match, branch, path, issues);
          }
        } else if (r->type != branch->type && !Promotes(branch->type, r->type)) {
          Add(IncompatibilityKind::kMissingUnionBranch, r, w, path, branch->DisplayName(), issues);
        } else {
          Check(r, branch, path, issues);
        }
      }
      return;
    }
    if (r->type == AvroType::kUnion) {
      const AvroNode* match = MatchingBranch(r, w);
      if (!match) {
        Add(IncompatibilityKind::kTypeMismatch, r, w, path, "", issues);
      } else {
        Check(match, w, path, issues);
      }
      return;
    }
    if (r->type != w->type) {
      if (!Promotes(w->type, r->type)) {
        Add(IncompatibilityKind::kTypeMismatch, r, w, path, "", issues);
      }
      return;
    }
    switch (r->type) {
      case AvroType::kRecord: {
        if (!NamesMatch(*r, *w)) {
          Add(IncompatibilityKind::kNameMismatch, r, w, path, "", issues);
          return;
        }
        for (const AvroField& rf : r->fields) {
          const AvroField* wf = nullptr;
          for (const AvroField& candidate : w->fields) {
            if (candidate.name == rf.name || std::find(rf.aliases.begin(), rf.aliases.end(),
                                                       candidate.name) != rf.aliases.end()) {
              wf = &candidate;
              break;
            }
          }
          const std::string field_path = path + "." + rf.name;
          if (wf) {
            Check(rf.type, wf->type, field_path, issues);
          } else if (!rf.has_default) {
            Add(IncompatibilityKind::kReaderFieldMissingDefault, r, w, field_path, rf.name, issues);
          }
        }
        return;
      }
      case AvroType::kEnum: {
        if (!NamesMatch(*r, *w)) {
          Add(IncompatibilityKind::kNameMismatch, r, w, path, "", issues);
          return;
        }
        if (!r->enum_default.empty()) return;  // unknown symbols read as the default
        std::string missing;
        for (const std::string& symbol : w->symbols) {
          if (std::find(r->symbols.begin(), r->symbols.end(), symbol) == r->symbols.end()) {
            missing += (missing.empty() ? "" : ", ") + symbol;
          }
        }
        if (!missing.empty()) {
          Add(IncompatibilityKind::kMissingEnumSymbols, r, w, path, missing, issues);
        }
        return;
      }
      case AvroType::kFixed:
        if (!NamesMatch(*r, *w)) {
          Add(IncompatibilityKind::kNameMismatch, r, w, path, "", issues);
        } else if (r->size != w->size) {
          Add(IncompatibilityKind::kFixedSizeMismatch, r, w, path,
              std::to_string(w->size) + " -> " + std::to_string(r->size), issues);
        }
        return;
      case AvroType::kArray: Check(r->items, w->items, path + "[]", issues); return;
      case AvroType::kMap: Check(r->items, w->items, path + "{}", issues); return;
      default: return;  // equal primitive types
    }
  }

  std::set<std::pair<const AvroNode*, const AvroNode*>> in_progress_;  // (reader, writer) pairs
};

// Phrases a resolution issue in old/new terms. new_reads_old: reader = new, writer = old.
std::string Explain(const ResolutionIssue& issue, bool new_reads_old) {
  const std::string& old_type = new_reads_old ? issue.writer_type : issue.reader_type;
  const std::string& new_type = new_reads_old ? issue.reader_type : issue.writer_type;
  const std::string consequence =
      new_reads_old ? "new readers cannot read old data" : "old readers cannot read new data";
  switch (issue.kind) {
    case IncompatibilityKind::kReaderFieldMissingDefault:
      return new_reads_old
                 ? "field '" + issue.detail + "' added without a default: " + consequence
                 : "field '" + issue.detail +
                       "' removed while the old schema has no default for it: " + consequence;
    case IncompatibilityKind::kNameMismatch:
      return "type renamed from '" + old_type + "' to '" + new_type +
             "' without an alias for the writer's name: " + consequence;
    case IncompatibilityKind::kFixedSizeMismatch:
      return "fixed '" + new_type + "' changed size (" + issue.detail + " bytes, writer -> " +
             "reader): " + consequence;
    case IncompatibilityKind::kMissingEnumSymbols:
      return new_reads_old ? "enum '" + new_type + "' lost symbols [" + issue.detail +
                                 "] and has no default: " + consequence
                           : "enum '" + new_type + "' gained symbols [" + issue.detail +
                                 "] the old enum lacks and has no default for: " + consequence;
    case IncompatibilityKind::kMissingUnionBranch:
      return "type changed from " + old_type + " to " + new_type + ": the " +
             (new_reads_old ? "old" : "new") + " branch '" + issue.detail +
             "' has no match: " + consequence;
    case IncompatibilityKind::kTypeMismatch:
      return "type changed from " + old_type + " to " + new_type + ": " + consequence;
  }
  return consequence;
}

}  // namespace

bool ParseCompatibilityMode(std::string_view text, CompatibilityMode* mode) {
  std::string upper(text);
  for (char& c : upper) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  for (CompatibilityMode m :
       {CompatibilityMode::kNone, CompatibilityMode::kBackward, CompatibilityMode::kForward,
        CompatibilityMode::kFull, CompatibilityMode::kBackwardTransitive,
        CompatibilityMode::kForwardTransitive, CompatibilityMode::kFullTransitive}) {
    if (CompatibilityModeName(m) == upper) {
      *mode = m;
      return true;
    }
  }
  return false;
}

std::string_view CompatibilityModeName(CompatibilityMode mode) {
  switch (mode) {
    case CompatibilityMode::kNone: return "NONE";
    case CompatibilityMode::kBackward: return "BACKWARD";
    case CompatibilityMode::kForward: return "FORWARD";
    case CompatibilityMode::kFull: return "FULL";
    case CompatibilityMode::kBackwardTransitive: return "BACKWARD_TRANSITIVE";
    case CompatibilityMode::kForwardTransitive: return "FORWARD_TRANSITIVE";
    case CompatibilityMode::kFullTransitive: return "FULL_TRANSITIVE";
  }
  return "?";
}

bool IsTransitive(CompatibilityMode mode) {
  return mode == CompatibilityMode::kBackwardTransitive ||
         mode == CompatibilityMode::kForwardTransitive ||
         mode == CompatibilityMode::kFullTransitive;
}

std::string_view IncompatibilityKindName(IncompatibilityKind kind) {
  switch (kind) {
    case IncompatibilityKind::kNameMismatch: return "NAME_MISMATCH";
    case IncompatibilityKind::kFixedSizeMismatch: return "FIXED_SIZE_MISMATCH";
    case IncompatibilityKind::kMissingEnumSymbols: return "MISSING_ENUM_SYMBOLS";
    case IncompatibilityKind::kReaderFieldMissingDefault:
      return "READER_FIELD_MISSING_DEFAULT_VALUE";
    case IncompatibilityKind::kTypeMismatch: return "TYPE_MISMATCH";
    case IncompatibilityKind::kMissingUnionBranch: return "MISSING_UNION_BRANCH";
  }
  return "?";
}

std::vector<ResolutionIssue> CheckReaderCanReadWriter(const AvroSchema& reader,
                                                      const AvroSchema& writer) {
  std::vector<ResolutionIssue> issues;
  ResolutionChecker().Check(&reader.root(), &writer.root(), reader.root().DisplayName(), &issues);
  return issues;
}

std::string CompatibilityResult::Summary() const {
  if (compatible) return "compatible";
  std::string out;
  for (const SchemaIncompatibility& i : incompatibilities) {
    out += i.path + ": " + i.message + "\n";
  }
  return out;
}

StatusOr<CompatibilityResult> CheckCompatibility(std::string_view old_schema_json,
                                                 std::string_view new_schema_json,
                                                 CompatibilityMode mode) {
  return CheckCompatibility(std::vector<std::string>{std::string(old_schema_json)}, new_schema_json,
                            mode);
}

StatusOr<CompatibilityResult> CheckCompatibility(const std::vector<std::string>& older_schemas_json,
                                                 std::string_view new_schema_json,
                                                 CompatibilityMode mode) {
  StatusOr<AvroSchema> new_schema = AvroSchema::Parse(new_schema_json);
  if (!new_schema.ok()) return new_schema.status().WithContext("new schema");
  CompatibilityResult result;
  if (mode == CompatibilityMode::kNone || older_schemas_json.empty()) return result;
  const bool backward =
      mode != CompatibilityMode::kForward && mode != CompatibilityMode::kForwardTransitive;
  const bool forward =
      mode != CompatibilityMode::kBackward && mode != CompatibilityMode::kBackwardTransitive;
  const size_t first = IsTransitive(mode) ? 0 : older_schemas_json.size() - 1;
  for (size_t i = first; i < older_schemas_json.size(); ++i) {
    StatusOr<AvroSchema> old_schema = AvroSchema::Parse(older_schemas_json[i]);
    if (!old_schema.ok()) {
      return old_schema.status().WithContext("old schema " + std::to_string(i + 1) + " of " +
                                             std::to_string(older_schemas_json.size()));
    }
    for (bool new_reads_old : {true, false}) {
      if (new_reads_old ? !backward : !forward) continue;
      const AvroSchema& reader = new_reads_old ? *new_schema : *old_schema;
      const AvroSchema& writer = new_reads_old ? *old_schema : *new_schema;
      for (const ResolutionIssue& issue : CheckReaderCanReadWriter(reader, writer)) {
        result.incompatibilities.push_back(
            {issue.kind, issue.path, Explain(issue, new_reads_old), i, new_reads_old});
      }
    }
  }
  result.compatible = result.incompatibilities.empty();
  return result;
}

}  // namespace prodcat
