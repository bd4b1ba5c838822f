// CSV and JSON Lines writers of ProductRecords in the canonical schema.
#include <charconv>
#include <cmath>
#include <set>

#include "prodcat/data/atomic_output_file.h"
#include "prodcat/data/field_values.h"
#include "prodcat/data/record_formats.h"

namespace prodcat {
namespace {

// Shortest text that parses back to exactly `value`.
void AppendNumber(double value, std::string* out) {
  char digits[32];
  auto r = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, r.ptr);
}

// Shared bookkeeping: open/closed state, field list checks, per-record value checks.
class WriterBase : public RecordWriter {
 public:
  Status Init(const std::filesystem::path& path, const std::vector<Field>& fields) {
    std::set<Field> unique(fields.begin(), fields.end());
    if (unique.size() != fields.size()) {
      return Status::InvalidArgument(path.string() +
                                     ": a field is listed twice: expected each "
                                     "canonical field at most once");
    }
    fields_ = fields;
    file_name_ = path.string();
    return out_.Open(path);
  }

  Status Write(const ProductRecord& record) override {
    if (!out_.is_open()) {
      return Status::FailedPrecondition(file_name_ + ": write after Close()");
    }
    ++records_written_;
    PRODCAT_RETURN_IF_ERROR(Check(record));
    AppendRecord(record, &out_.buffer());
    return out_.MaybeFlush();
  }

  Status Close() override {
    if (!out_.is_open()) return Status::FailedPrecondition(file_name_ + ": already closed");
    return out_.Commit();
  }

 protected:
  virtual void AppendRecord(const ProductRecord& record, std::string* out) = 0;

  // Values that could not be read back are refused rather than written.
  Status Check(const ProductRecord& record) const {
    for (Field f : fields_) {
      if (const std::string* s = record.StringField(f)) {
        size_t bad = FindInvalidUtf8(*s);
        if (bad != std::string::npos) {
          return Error(
              record, f,
              "expected UTF-8 text, got an invalid byte sequence at byte " + std::to_string(bad));
        }
      } else if (const std::optional<double>& v = *record.NumericField(f);
                 v && !std::isfinite(*v)) {
        return Error(record, f, "expected a finite number, got " + std::to_string(*v));
      }
    }
    return Status::Ok();
  }

  Status Error(const ProductRecord& record, Field f, const std::string& what) const {
    std::string id =
        record.product_id.empty() ? "" : " (product_id " + QuoteForMessage(record.product_id) + ")";
    return Status::InvalidArgument(file_name_ + ": record " + std::to_string(records_written_) +
                                   id + ": field '" + std::string(FieldName(f)) + "': " + what);
  }

  std::vector<Field> fields_;   // columns in output order, each canonical field at most once
  std::string file_name_;       // for messages
  AtomicOutputFile out_;        // open until Close()
  size_t records_written_ = 0;  // including the one being written
};

class CsvRecordWriter : public WriterBase {
 public:
  explicit CsvRecordWriter(char delimiter) : delimiter_(delimiter) {}

  Status WriteHeader() {
    std::string& out = out_.buffer();
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i) out += delimiter_;
      out += FieldName(fields_[i]);
    }
    out += '\n';
    return Status::Ok();
  }

 private:
  void AppendRecord(const ProductRecord& record, std::string* out) override {
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i) *out += delimiter_;
      Field f = fields_[i];
      if (const std::string* s = record.StringField(f)) {
        // An empty sole column would make a blank line, which readers skip: quote it.
        AppendCell(*s, fields_.size() == 1 && s->empty(), out);
      } else if (const std::optional<double>& v = *record.NumericField(f)) {
        AppendNumber(*v, out);
      }
    }
    *out += '\n';
  }

  // RFC 4180: quote only cells that contain the delimiter, a quote or a line break.
  void AppendCell(const std::string& cell, bool force_quotes, std::string* out) const {
    bool needs_quotes = force_quotes;
    for (char c : cell) {
      if (c == delimiter_ || c == '"' || c == '\n' || c == '\r') {
        needs_quotes = true;
        break;
      }
    }
    if (!needs_quotes) {
      *out += cell;
      return;
    }
    *out += '"';
    for (char c : cell) {
      if (c == '"') *out += '"';
      *out += c;
    }
    *out += '"';
  }

  const char delimiter_;  // ',' or '\t'
};

class JsonlRecordWriter : public WriterBase {
 private:
  void AppendRecord(const ProductRecord& record, std::string* out) override {
    *out += '{';
    bool first = true;
    for (Field f : fields_) {
      const std::string* s = record.StringField(f);
      const std::optional<double>* v = record.NumericField(f);
      // Missing values are omitted, except the title: readers require that key.
      if (s ? s->empty() && f != Field::kTitle : !v->has_value()) continue;
      if (!first) *out += ',';
      first = false;
      *out += '"';
      *out += FieldName(f);
      *out += "\":";
      if (s) {
        AppendJsonString(*s, out);
      } else {
        AppendNumber(**v, out);
      }
    }
    *out += "}\n";
  }

  static void AppendJsonString(const std::string& s, std::string* out) {
    static const char* kHex = "0123456789abcdef";
    *out += '"';
    for (char c : s) {
      switch (c) {
        case '"': *out += "\\\""; break;
        case '\\': *out += "\\\\"; break;
        case '\n': *out += "\\n"; break;
        case '\r': *out += "\\r"; break;
        case '\t': *out += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            *out += "\\u00";
            *out += kHex[(c >> 4) & 0xF];
            *out += kHex[c & 0xF];
          } else {
            *out += c;
          }
      }
    }
    *out += '"';
  }
};

}  // namespace

Status OpenCsvRecordWriter(const std::filesystem::path& path, char delimiter,
                           const std::vector<Field>& fields,
                           std::unique_ptr<RecordWriter>* writer) {
  auto csv = std::make_unique<CsvRecordWriter>(delimiter);
  PRODCAT_RETURN_IF_ERROR(csv->Init(path, fields));
  PRODCAT_RETURN_IF_ERROR(csv->WriteHeader());
  *writer = std::move(csv);
  return Status::Ok();
}

Status OpenJsonlRecordWriter(const std::filesystem::path& path, const std::vector<Field>& fields,
                             std::unique_ptr<RecordWriter>* writer) {
  auto jsonl = std::make_unique<JsonlRecordWriter>();
  PRODCAT_RETURN_IF_ERROR(jsonl->Init(path, fields));
  *writer = std::move(jsonl);
  return Status::Ok();
}

}  // namespace prodcat
