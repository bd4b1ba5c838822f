// JsonlRecordReader: ProductRecords from JSON Lines, one object per line, parsed with simdjson.
// There is no header, so the first object plays its part: a required key (title, the label
// under require_label, the group column) missing from it is a file-level error; later objects
// that lack a key simply have that value missing.
#include <simdjson.h>

#include <bitset>
#include <charconv>
#include <cstring>

#include "prodcat/data/field_binding.h"
#include "prodcat/data/input_buffer.h"
#include "prodcat/data/record_formats.h"
#include "prodcat/data/row_error_policy.h"

namespace prodcat {
namespace {

namespace dom = simdjson::dom;

class JsonlRecordReader : public RecordReader {
 public:
  JsonlRecordReader(const std::filesystem::path& path, const ReadOptions& options)
      : options_(options),
        file_(path.string()),
        bindings_(BuildBindings(options_)),
        errors_(options_, &stats_) {}

  Status Init(const std::filesystem::path& path) { return input_.Open(path); }

  Status Next(ProductRecord* record, bool* has_record) override {
    for (;;) {
      bool has_line = false;
      PRODCAT_RETURN_IF_ERROR(ReadLine(&has_line));
      if (!has_line) {
        if (!seen_content_) {
          return Status::InvalidArgument(file_ +
                                         ": empty file: expected JSON objects, one per line");
        }
        *has_record = false;
        return Status::Ok();
      }
      if (IsBlank()) continue;
      seen_content_ = true;
      bool fatal = false;
      Status s = ParseLine(record, &fatal);
      if (!s.ok()) {
        if (fatal) return s;
        PRODCAT_RETURN_IF_ERROR(errors_.Handle(s));
        continue;
      }
      ++stats_.rows_read;
      *has_record = true;
      return Status::Ok();
    }
  }

  const ReadStats& stats() const override { return stats_; }
  bool HasField(Field f) const override { return present_.test(static_cast<size_t>(f)); }

 private:
  // Reads the next physical line (without its line end) into line_; *has_line = false at EOF.
  Status ReadLine(bool* has_line) {
    line_.clear();
    *has_line = false;
    bool any = false;
    while (input_.Available()) {
      any = true;
      const char* begin = input_.data() + input_.pos();
      const char* end = input_.data() + input_.size();
      const char* nl = static_cast<const char*>(std::memchr(begin, '\n', end - begin));
      line_.append(begin, nl ? nl : end);
      input_.set_pos(static_cast<size_t>((nl ? nl + 1 : end) - input_.data()));
      if (nl) break;
    }
    PRODCAT_RETURN_IF_ERROR(input_.status());
    if (!any) return Status::Ok();
    ++line_number_;
    if (line_number_ == 1 && line_.compare(0, 3, "\xEF\xBB\xBF") == 0) line_.erase(0, 3);
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    *has_line = true;
    return Status::Ok();
  }

  bool IsBlank() const {
    for (char c : line_) {
      if (c != ' ' && c != '\t' && c != '\r') return false;
    }
    return true;
  }

  Status ParseLine(ProductRecord* record, bool* fatal) {
    size_t length = line_.size();
    line_.resize(length + simdjson::SIMDJSON_PADDING, '\0');  // simdjson reads ahead
    dom::element root;
    simdjson::error_code error = parser_.parse(line_.data(), length, false).get(root);
    if (error) {
      return Status::InvalidArgument(Where(file_, line_number_) + "expected a JSON object, got " +
                                     "invalid JSON (" + simdjson::error_message(error) + ")");
    }
    dom::object object;
    if (root.get_object().get(object)) {
      return Status::InvalidArgument(Where(file_, line_number_) + "expected a JSON object, got " +
                                     TypeName(root.type()));
    }
    ResetRecord(record);
    std::bitset<kNumFields + 1> seen_targets;  // + 1: the group column
    for (dom::key_value_pair member : object) {
      const FieldBinding* binding = Find(member.key);
      if (!binding) continue;
      for (const RecordTarget& t : binding->targets) {
        seen_targets.set(t.is_group ? kNumFields : static_cast<size_t>(t.field));
        if (!t.is_group) present_.set(static_cast<size_t>(t.field));
        PRODCAT_RETURN_IF_ERROR(Store(t, binding->source_name, member.value, record));
      }
    }
    if (!checked_required_keys_) {
      checked_required_keys_ = true;
      for (const FieldBinding& binding : bindings_) {
        for (const RecordTarget& t : binding.targets) {
          size_t bit = t.is_group ? kNumFields : static_cast<size_t>(t.field);
          if (!IsRequired(t) || seen_targets.test(bit)) continue;
          *fatal = true;
          return Status::InvalidArgument(
              Where(file_, line_number_) + "first object: missing required " +
              (t.is_group ? "group column" : "column") + " '" + binding.source_name +
              "': expected it as a key of every object");
        }
      }
    }
    if (options_.require_label && record->category.empty()) {
      return Status::InvalidArgument(Where(file_, line_number_) +
                                     DescribeTarget(RecordTarget{false, Field::kCategory},
                                                    options_.columns.SourceName(Field::kCategory)) +
                                     ": expected a non-empty label");
    }
    record->source_line = line_number_;
    return Status::Ok();
  }

  bool IsRequired(const RecordTarget& t) const {
    if (t.is_group) return true;
    return t.field == Field::kTitle || (t.field == Field::kCategory && options_.require_label);
  }

  const FieldBinding* Find(std::string_view key) const {
    for (const FieldBinding& b : bindings_) {
      if (b.source_name == key) return &b;
    }
    return nullptr;
  }

  static const char* TypeName(dom::element_type type) {
    switch (type) {
      case dom::element_type::ARRAY: return "an array";
      case dom::element_type::OBJECT: return "an object";
      case dom::element_type::BOOL: return "a boolean";
      case dom::element_type::NULL_VALUE: return "null";
      case dom::element_type::STRING: return "a string";
      default: return "a number";
    }
  }

  // JSON strings and numbers are accepted for every target (numbers as their shortest text for
  // string fields, numeric strings for numeric fields); null is missing; anything else an error.
  Status Store(const RecordTarget& t, const std::string& source, dom::element value,
               ProductRecord* record) {
    std::string_view text;
    char digits[32];
    switch (value.type()) {
      case dom::element_type::NULL_VALUE: return Status::Ok();
      case dom::element_type::STRING: text = value.get_string().value_unsafe(); break;
      case dom::element_type::INT64: {
        auto r = std::to_chars(digits, digits + sizeof(digits), value.get_int64().value_unsafe());
        text = std::string_view(digits, static_cast<size_t>(r.ptr - digits));
        break;
      }
      case dom::element_type::UINT64: {
        auto r = std::to_chars(digits, digits + sizeof(digits), value.get_uint64().value_unsafe());
        text = std::string_view(digits, static_cast<size_t>(r.ptr - digits));
        break;
      }
      case dom::element_type::DOUBLE: {
        auto r = std::to_chars(digits, digits + sizeof(digits), value.get_double().value_unsafe());
        text = std::string_view(digits, static_cast<size_t>(r.ptr - digits));
        break;
      }
      default:
        return Status::InvalidArgument(
            Where(file_, line_number_) + DescribeTarget(t, source) + ": expected " +
            (!t.is_group && IsNumericField(t.field) ? "a number" : "a string") + ", got " +
            TypeName(value.type()));
    }
    // simdjson has already validated the whole line as UTF-8.
    return StoreValue(t, source, text, /*check_utf8=*/false, file_, line_number_, record);
  }

  ReadOptions options_;                 // as given to OpenRecordReader
  std::string file_;                    // path as given, prefixes messages
  std::vector<FieldBinding> bindings_;  // keys that feed the record
  InputBuffer input_;                   // the file, read block by block
  std::string line_;                    // current line, padded for simdjson while parsing
  size_t line_number_ = 0;              // 1-based number of the line in line_
  dom::parser parser_;                  // reused across lines (keeps its buffers)
  ReadStats stats_;                     // counts so far
  RowErrorPolicy errors_;               // writes into stats_
  bool seen_content_ = false;           // a non-blank line was read
  bool checked_required_keys_ = false;  // the first object's keys were checked
  std::bitset<kNumFields> present_;     // canonical fields seen as keys so far
};

}  // namespace

Status OpenJsonlRecordReader(const std::filesystem::path& path, const ReadOptions& options,
                             std::unique_ptr<RecordReader>* reader) {
  auto jsonl = std::make_unique<JsonlRecordReader>(path, options);
  PRODCAT_RETURN_IF_ERROR(jsonl->Init(path));
  *reader = std::move(jsonl);
  return Status::Ok();
}

}  // namespace prodcat
