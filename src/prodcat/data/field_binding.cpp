#include "prodcat/data/field_binding.h"

#include "prodcat/data/field_values.h"

namespace prodcat {

std::vector<FieldBinding> BuildBindings(const ReadOptions& options) {
  std::vector<FieldBinding> bindings;
  auto add = [&bindings](const std::string& source, RecordTarget target) {
    for (auto& b : bindings) {
      if (b.source_name == source) {
        b.targets.push_back(target);
        return;
      }
    }
    bindings.push_back(FieldBinding{source, {target}});
  };
  for (Field f : kAllFields) add(options.columns.SourceName(f), RecordTarget{false, f});
  if (!options.group_column.empty()) add(options.group_column, RecordTarget{true, Field::kTitle});
  return bindings;
}

std::string DescribeTarget(const RecordTarget& target, const std::string& source_name) {
  if (target.is_group) return "group column '" + source_name + "'";
  std::string out = "field '" + std::string(FieldName(target.field)) + "'";
  if (source_name != FieldName(target.field)) out += " (column '" + source_name + "')";
  return out;
}

void ResetRecord(ProductRecord* record) {
  for (Field f : kAllFields) {
    if (std::string* s = record->MutableStringField(f)) {
      s->clear();
    } else {
      record->MutableNumericField(f)->reset();
    }
  }
  record->group.clear();
  record->source_line = 0;
}

std::string Where(const std::string& file, size_t line) {
  return file + ":" + std::to_string(line) + ": ";
}

Status StoreValue(const RecordTarget& target, const std::string& source_name,
                  std::string_view value, bool check_utf8, const std::string& file, size_t line,
                  ProductRecord* record) {
  if (!target.is_group && IsNumericField(target.field)) {
    if (!ParseNumericCell(value, record->MutableNumericField(target.field))) {
      return Status::InvalidArgument(Where(file, line) + DescribeTarget(target, source_name) +
                                     ": expected a number, got " + QuoteForMessage(value));
    }
    return Status::Ok();
  }
  if (check_utf8) {
    size_t bad = FindInvalidUtf8(value);
    if (bad != std::string_view::npos) {
      return Status::InvalidArgument(Where(file, line) + DescribeTarget(target, source_name) +
                                     ": expected UTF-8 text, got an invalid byte sequence at "
                                     "byte " +
                                     std::to_string(bad));
    }
  }
  std::string* out = target.is_group ? &record->group : record->MutableStringField(target.field);
  out->assign(value.data(), value.size());
  return Status::Ok();
}

}  // namespace prodcat
