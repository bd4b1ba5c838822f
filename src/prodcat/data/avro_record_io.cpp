// Avro object container files through avro-c. avro-c ignores some read errors (a block that fails
// to decompress or a truncated block looks like the end of the file), so the container's framing
// (header, block counts and sizes, sync markers) is checked here first: the reader then knows how
// many records each block holds and turns any early stop of avro-c into a DataLoss error.
#include "prodcat/data/avro_record_io.h"

#include <avro.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

#include "prodcat/common/file_util.h"
#include "prodcat/data/field_binding.h"
#include "prodcat/data/field_values.h"
#include "prodcat/data/row_error_policy.h"

namespace prodcat {
namespace {

namespace fs = std::filesystem;

constexpr size_t kSyncSize = 16;

std::string AvroError() {
  const char* message = avro_strerror();
  return message && *message ? message : "unknown libavro error";
}

std::string CodecList() {
  std::string out;
  for (std::string_view c : kAvroCodecs) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Container framing.

// The facts about a container file that avro-c does not report reliably.
struct ContainerLayout {
  std::string codec = "null";          // "avro.codec" metadata (absent means null)
  std::string schema_json;             // "avro.schema" metadata
  std::vector<uint64_t> block_counts;  // records per block, in file order
  uint64_t total_records = 0;          // sum of block_counts
};

// Sequential reads of a file with offsets, for the framing scan.
class FramingScanner {
 public:
  FramingScanner(std::string file, FILE* fp, uint64_t size)
      : file_(std::move(file)), fp_(fp), size_(size) {}

  uint64_t offset() const { return offset_; }
  uint64_t remaining() const { return size_ - offset_; }

  Status ReadBytes(void* out, size_t n, const std::string& what) {
    if (n > remaining()) return Truncated(what);
    if (n > 0 && std::fread(out, 1, n, fp_) != n) return ReadError();
    offset_ += n;
    return Status::Ok();
  }

  Status Skip(uint64_t n, const std::string& what) {
    if (n > remaining()) return Truncated(what);
    if (fseeko(fp_, static_cast<off_t>(offset_ + n), SEEK_SET) != 0) return ReadError();
    offset_ += n;
    return Status::Ok();
  }

  // Avro's zig-zag varint "long".
  Status ReadLong(int64_t* value, const std::string& what) {
    uint64_t raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      unsigned char byte;
      PRODCAT_RETURN_IF_ERROR(ReadBytes(&byte, 1, what));
      raw |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) {
        *value = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
        return Status::Ok();
      }
    }
    return Corrupt(what + ": a variable-length integer is longer than 10 bytes");
  }

  // A length-prefixed byte string of at most `max_size` bytes.
  Status ReadString(std::string* out, const std::string& what, uint64_t max_size) {
    int64_t length;
    PRODCAT_RETURN_IF_ERROR(ReadLong(&length, what));
    if (length < 0 || static_cast<uint64_t>(length) > max_size) {
      return Corrupt(what + ": length " + std::to_string(length) + " is out of range");
    }
    if (static_cast<uint64_t>(length) > remaining()) return Truncated(what);
    out->resize(static_cast<size_t>(length));
    return ReadBytes(out->data(), out->size(), what);
  }

  Status Truncated(const std::string& what) const {
    return Status::DataLoss(file_ + ": truncated Avro file: " + what + " at byte " +
                            std::to_string(offset_) + " runs past the end of the file (" +
                            std::to_string(size_) + " bytes)");
  }
  Status Corrupt(const std::string& what) const {
    return Status::DataLoss(file_ + ": corrupt Avro file: " + what + " (at byte " +
                            std::to_string(offset_) + ")");
  }

 private:
  Status ReadError() const {
    return Status::IoError(file_ + ": read failed at byte " + std::to_string(offset_) + ": " +
                           std::strerror(errno));
  }

  std::string file_;     // for messages
  FILE* fp_;             // open for reading, owned by the caller
  uint64_t size_;        // file size in bytes
  uint64_t offset_ = 0;  // bytes consumed so far
};

// Reads the header and walks every block: counts, sizes and sync markers.
Status ScanContainer(const fs::path& path, ContainerLayout* layout) {
  const std::string file = path.string();
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return Status::NotFound("cannot open '" + file + "': " + ec.message());
  FILE* fp = std::fopen(path.c_str(), "rb");
  if (!fp) return Status::NotFound("cannot open '" + file + "': " + std::strerror(errno));
  std::unique_ptr<FILE, int (*)(FILE*)> closer(fp, &std::fclose);
  FramingScanner in(file, fp, size);

  char magic[4];
  if (size < sizeof(magic)) {
    return Status::DataLoss(file + ": not an Avro object container file: only " +
                            std::to_string(size) + " bytes, expected the 4-byte magic 'Obj\\x01'");
  }
  PRODCAT_RETURN_IF_ERROR(in.ReadBytes(magic, sizeof(magic), "the magic bytes"));
  if (std::memcmp(magic, "Obj\x01", 4) != 0) {
    return Status::DataLoss(file +
                            ": not an Avro object container file: expected the magic "
                            "bytes 'Obj\\x01' at the start");
  }
  bool has_schema = false;
  for (;;) {
    int64_t count;
    PRODCAT_RETURN_IF_ERROR(in.ReadLong(&count, "header metadata"));
    if (count == 0) break;
    if (count < 0) {
      int64_t byte_size;
      PRODCAT_RETURN_IF_ERROR(in.ReadLong(&byte_size, "header metadata"));
      count = -count;
    }
    if (count > 1 << 20) return in.Corrupt("header metadata: implausible entry count");
    for (int64_t i = 0; i < count; ++i) {
      std::string key, value;
      PRODCAT_RETURN_IF_ERROR(in.ReadString(&key, "header metadata key", 1 << 16));
      PRODCAT_RETURN_IF_ERROR(
          in.ReadString(&value, "header metadata value '" + key + "'", uint64_t{64} << 20));
      if (key == "avro.codec") layout->codec = value;
      if (key == "avro.schema") {
        layout->schema_json = std::move(value);
        has_schema = true;
      }
    }
  }
  if (!has_schema) return in.Corrupt("header: no 'avro.schema' metadata");
  bool known_codec = false;
  for (std::string_view c : kAvroCodecs) known_codec |= layout->codec == c;
  if (!known_codec) {
    return Status::InvalidArgument(file + ": Avro codec '" + layout->codec +
                                   "' is not supported by this build: expected one of " +
                                   CodecList());
  }
  char sync[kSyncSize];
  PRODCAT_RETURN_IF_ERROR(in.ReadBytes(sync, kSyncSize, "the header's sync marker"));

  char block_sync[kSyncSize];
  while (in.remaining() > 0) {
    const std::string block = "block " + std::to_string(layout->block_counts.size() + 1);
    const uint64_t block_start = in.offset();
    int64_t count, bytes;
    PRODCAT_RETURN_IF_ERROR(in.ReadLong(&count, block + " record count"));
    PRODCAT_RETURN_IF_ERROR(in.ReadLong(&bytes, block + " byte size"));
    if (count <= 0) {
      return in.Corrupt(block + " (starting at byte " + std::to_string(block_start) +
                        "): record count " + std::to_string(count) + ", expected a positive count");
    }
    if (bytes < 0) {
      return in.Corrupt(block + " (starting at byte " + std::to_string(block_start) +
                        "): negative byte size " + std::to_string(bytes));
    }
    if (static_cast<uint64_t>(bytes) > in.remaining()) {
      return in.Truncated(block + " (starting at byte " + std::to_string(block_start) +
                          ") declares " + std::to_string(bytes) + " bytes of data, but only " +
                          std::to_string(in.remaining()) + " remain; its data");
    }
    PRODCAT_RETURN_IF_ERROR(in.Skip(static_cast<uint64_t>(bytes), block + " data"));
    PRODCAT_RETURN_IF_ERROR(in.ReadBytes(block_sync, kSyncSize, block + " sync marker"));
    if (std::memcmp(sync, block_sync, kSyncSize) != 0) {
      return in.Corrupt(block + " (starting at byte " + std::to_string(block_start) +
                        "): its sync marker does not match the header's");
    }
    layout->block_counts.push_back(static_cast<uint64_t>(count));
    layout->total_records += static_cast<uint64_t>(count);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Reading.

avro_schema_t Resolve(avro_schema_t schema) {
  while (schema && avro_typeof(schema) == AVRO_LINK) schema = avro_schema_link_target(schema);
  return schema;
}

bool IsUsableBranch(avro_schema_t schema) {
  switch (avro_typeof(Resolve(schema))) {
    case AVRO_NULL:
    case AVRO_STRING:
    case AVRO_ENUM:
    case AVRO_INT32:
    case AVRO_INT64:
    case AVRO_FLOAT:
    case AVRO_DOUBLE: return true;
    default: return false;
  }
}

bool IsUsableType(avro_schema_t schema) {
  schema = Resolve(schema);
  if (avro_typeof(schema) != AVRO_UNION) return IsUsableBranch(schema);
  for (size_t i = 0; i < avro_schema_union_size(schema); ++i) {
    if (!IsUsableBranch(avro_schema_union_branch(schema, static_cast<int>(i)))) return false;
  }
  return true;
}

std::string DescribeType(avro_schema_t schema) {
  schema = Resolve(schema);
  if (avro_typeof(schema) != AVRO_UNION) return avro_schema_type_name(schema);
  std::string out = "[";
  for (size_t i = 0; i < avro_schema_union_size(schema); ++i) {
    if (i) out += ", ";
    out += avro_schema_type_name(Resolve(avro_schema_union_branch(schema, static_cast<int>(i))));
  }
  return out + "]";
}

// One schema field and the record parts it feeds.
struct AvroBinding {
  int field_index = 0;                // index in the writer's record schema
  std::string source_name;            // the Avro field name
  std::vector<RecordTarget> targets;  // non-empty
};

class AvroRecordReader : public RecordReader {
 public:
  AvroRecordReader(const fs::path& path, const ReadOptions& options)
      : options_(options), file_(path.string()), path_(path), errors_(options_, &stats_) {}

  ~AvroRecordReader() override {
    if (value_open_) avro_value_decref(&value_);
    if (iface_) avro_value_iface_decref(iface_);
    if (file_reader_) avro_file_reader_close(file_reader_);
    if (header_schema_) avro_schema_decref(header_schema_);
  }

  Status Init() {
    PRODCAT_RETURN_IF_ERROR(ScanContainer(path_, &layout_));
    if (avro_schema_from_json_length(layout_.schema_json.data(), layout_.schema_json.size(),
                                     &header_schema_) != 0) {
      header_schema_ = nullptr;
      return Status::DataLoss(file_ + ": the header's Avro schema does not parse: " + AvroError());
    }
    PRODCAT_RETURN_IF_ERROR(Bind(header_schema_));
    if (layout_.total_records == 0) return Status::Ok();
    if (avro_file_reader(path_.c_str(), &file_reader_) != 0) {
      file_reader_ = nullptr;
      return Status::DataLoss(file_ + ": block 1: libavro cannot read it: " + AvroError());
    }
    // Built on our own parse of the same header schema: with libavro 1.11.1 a generic class made
    // from avro_file_reader_get_writer_schema() leaks the schema (found with valgrind).
    iface_ = avro_generic_class_from_schema(header_schema_);
    if (!iface_) return Status::Internal(file_ + ": libavro: " + AvroError());
    if (avro_generic_value_new(iface_, &value_) != 0) {
      return Status::Internal(file_ + ": libavro: " + AvroError());
    }
    value_open_ = true;
    return Status::Ok();
  }

  Status Next(ProductRecord* record, bool* has_record) override {
    for (;;) {
      if (records_decoded_ == layout_.total_records) {
        *has_record = false;
        return Status::Ok();
      }
      if (avro_file_reader_read_value(file_reader_, &value_) != 0) {
        return Status::DataLoss(Position() +
                                ": cannot decode the record (corrupt data?): " + AvroError());
      }
      ++records_decoded_;
      Status s = Convert(record);
      if (++record_in_block_ == layout_.block_counts[block_index_]) {
        ++block_index_;
        record_in_block_ = 0;
      }
      if (!s.ok()) {
        PRODCAT_RETURN_IF_ERROR(errors_.Handle(s));
        continue;
      }
      ++stats_.rows_read;
      *has_record = true;
      return Status::Ok();
    }
  }

  const ReadStats& stats() const override { return stats_; }
  bool HasField(Field f) const override { return present_.count(f) > 0; }

 private:
  // "file: block 3, record 17 (record 1042 of the file)" for the record being decoded.
  std::string Position() const {
    return file_ + ": block " + std::to_string(block_index_ + 1) + ", record " +
           std::to_string(record_in_block_ + 1) + " (record " +
           std::to_string(records_decoded_ + 1) + " of the file)";
  }

  Status Bind(avro_schema_t schema) {
    schema = Resolve(schema);
    if (avro_typeof(schema) != AVRO_RECORD) {
      return Status::InvalidArgument(file_ + ": the Avro schema is a " +
                                     avro_schema_type_name(schema) + ", expected a record");
    }
    for (const FieldBinding& binding : BuildBindings(options_)) {
      int index = avro_schema_record_field_get_index(schema, binding.source_name.c_str());
      if (index < 0) {
        for (const RecordTarget& t : binding.targets) {
          if (IsRequired(t)) {
            return Status::InvalidArgument(file_ + ": Avro record '" + avro_schema_name(schema) +
                                           "' has no " + DescribeTarget(t, binding.source_name) +
                                           ", which is required; its fields are " +
                                           FieldNames(schema));
          }
        }
        continue;
      }
      avro_schema_t type = avro_schema_record_field_get_by_index(schema, index);
      if (!IsUsableType(type)) {
        return Status::InvalidArgument(
            file_ + ": " + DescribeTarget(binding.targets.front(), binding.source_name) +
            " has Avro type " + DescribeType(type) +
            ": expected string, enum, int, long, float or double, optionally in a union with "
            "null");
      }
      for (const RecordTarget& t : binding.targets) {
        if (!t.is_group) present_.insert(t.field);
      }
      bindings_.push_back(AvroBinding{index, binding.source_name, binding.targets});
    }
    return Status::Ok();
  }

  bool IsRequired(const RecordTarget& t) const {
    if (t.is_group) return true;
    return t.field == Field::kTitle || (t.field == Field::kCategory && options_.require_label);
  }

  static std::string FieldNames(avro_schema_t record) {
    std::string out;
    for (size_t i = 0; i < avro_schema_record_size(record); ++i) {
      if (i) out += ", ";
      out += avro_schema_record_field_name(record, static_cast<int>(i));
    }
    return out.empty() ? "(none)" : out;
  }

  Status Convert(ProductRecord* record) {
    ResetRecord(record);
    const size_t line = static_cast<size_t>(records_decoded_);
    for (const AvroBinding& binding : bindings_) {
      avro_value_t field, branch;
      if (avro_value_get_by_index(&value_, static_cast<size_t>(binding.field_index), &field,
                                  nullptr) != 0) {
        return Status::Internal(Position() + ": libavro: " + AvroError());
      }
      avro_value_t* v = &field;
      if (avro_value_get_type(&field) == AVRO_UNION) {
        if (avro_value_get_current_branch(&field, &branch) != 0) {
          return Status::DataLoss(Position() + ": field '" + binding.source_name +
                                  "': bad union branch: " + AvroError());
        }
        v = &branch;
      }
      for (const RecordTarget& t : binding.targets) {
        PRODCAT_RETURN_IF_ERROR(Store(*v, t, binding.source_name, line, record));
      }
    }
    if (options_.require_label && record->category.empty()) {
      return Status::InvalidArgument(Where(file_, line) +
                                     DescribeTarget(RecordTarget{false, Field::kCategory},
                                                    options_.columns.SourceName(Field::kCategory)) +
                                     ": expected a non-empty label");
    }
    record->source_line = line;
    return Status::Ok();
  }

  // Numbers go straight into numeric targets; everything else goes through StoreValue as text so
  // Avro accepts and rejects the same values as the CSV and JSON Lines readers.
  Status Store(avro_value_t& v, const RecordTarget& t, const std::string& source, size_t line,
               ProductRecord* record) {
    const bool numeric_target = !t.is_group && IsNumericField(t.field);
    char digits[32];
    std::string_view text;
    double number = 0;
    bool is_number = false;
    switch (avro_value_get_type(&v)) {
      case AVRO_NULL: return Status::Ok();
      case AVRO_STRING: {
        const char* s = nullptr;
        size_t size = 0;
        avro_value_get_string(&v, &s, &size);
        text = std::string_view(s ? s : "", size > 0 ? size - 1 : 0);  // size counts the NUL
        break;
      }
      case AVRO_ENUM: {
        int symbol = 0;
        avro_value_get_enum(&v, &symbol);
        const char* name = avro_schema_enum_get(avro_value_get_schema(&v), symbol);
        text = name ? name : "";
        break;
      }
      case AVRO_INT32: {
        int32_t i = 0;
        avro_value_get_int(&v, &i);
        number = i;
        is_number = true;
        text = std::string_view(digits, std::to_chars(digits, digits + 32, i).ptr - digits);
        break;
      }
      case AVRO_INT64: {
        int64_t i = 0;
        avro_value_get_long(&v, &i);
        number = static_cast<double>(i);
        is_number = true;
        text = std::string_view(digits, std::to_chars(digits, digits + 32, i).ptr - digits);
        break;
      }
      case AVRO_FLOAT: {
        float f = 0;
        avro_value_get_float(&v, &f);
        number = f;
        is_number = true;
        text = std::string_view(digits, std::to_chars(digits, digits + 32, f).ptr - digits);
        break;
      }
      case AVRO_DOUBLE: {
        avro_value_get_double(&v, &number);
        is_number = true;
        text = std::string_view(digits, std::to_chars(digits, digits + 32, number).ptr - digits);
        break;
      }
      default:
        return Status::InvalidArgument(Where(file_, line) + DescribeTarget(t, source) +
                                       ": unexpected Avro value type");
    }
    if (is_number && !std::isfinite(number)) {
      return Status::InvalidArgument(Where(file_, line) + DescribeTarget(t, source) +
                                     ": expected a finite number, got " + std::string(text));
    }
    if (is_number && numeric_target) {
      *record->MutableNumericField(t.field) = number;
      return Status::Ok();
    }
    return StoreValue(t, source, text, /*check_utf8=*/!is_number, file_, line, record);
  }

  ReadOptions options_;                       // as given to OpenAvroRecordReader
  std::string file_;                          // path as given, prefixes messages
  fs::path path_;                             // the container file
  ReadStats stats_;                           // counts so far
  RowErrorPolicy errors_;                     // writes into stats_
  ContainerLayout layout_;                    // verified framing of the whole file
  avro_schema_t header_schema_ = nullptr;     // parsed from the header, owned
  avro_file_reader_t file_reader_ = nullptr;  // null when the file holds no records
  avro_value_iface_t* iface_ = nullptr;       // generic class of the writer schema, owned
  avro_value_t value_{};                      // reused for every record when value_open_
  bool value_open_ = false;                   // value_ must be released
  std::vector<AvroBinding> bindings_;         // schema fields that feed the record
  std::set<Field> present_;                   // canonical fields the schema provides
  uint64_t records_decoded_ = 0;              // records taken from avro-c so far
  size_t block_index_ = 0;                    // block of the next record (0-based)
  uint64_t record_in_block_ = 0;              // records of that block already decoded
};

// ---------------------------------------------------------------------------------------------
// Writing.

class AvroRecordWriter : public RecordWriter {
 public:
  ~AvroRecordWriter() override {
    if (writer_) avro_file_writer_close(writer_);
    if (fp_) {
      std::fclose(fp_);
      ::unlink(staging_.c_str());
    }
    Release();
  }

  Status Init(const fs::path& path, const std::vector<Field>& fields, const std::string& codec) {
    path_ = path;
    file_ = path.string();
    fields_ = fields;
    if (fields_.empty()) fields_.assign(kAllFields.begin(), kAllFields.end());
    std::set<Field> unique(fields_.begin(), fields_.end());
    if (unique.size() != fields_.size()) {
      return Status::InvalidArgument(file_ +
                                     ": a field is listed twice: expected each "
                                     "canonical field at most once");
    }
    bool known_codec = false;
    for (std::string_view c : kAvroCodecs) known_codec |= codec == c;
    if (!known_codec) {
      return Status::InvalidArgument(file_ + ": unknown Avro codec '" + codec +
                                     "': expected one of " + CodecList());
    }
    std::string json = ProductAvroSchemaJson(fields_);
    if (avro_schema_from_json_length(json.data(), json.size(), &schema_) != 0) {
      schema_ = nullptr;
      return Status::Internal("the declared Avro schema does not parse: " + AvroError());
    }
    iface_ = avro_generic_class_from_schema(schema_);
    if (!iface_ || avro_generic_value_new(iface_, &value_) != 0) {
      return Status::Internal(file_ + ": libavro: " + AvroError());
    }
    value_open_ = true;
    staging_ = StagingPath(path);
    fp_ = std::fopen(staging_.c_str(), "wb");
    if (!fp_) {
      return Status::IoError("cannot create '" + staging_.string() + "': " + std::strerror(errno));
    }
    if (avro_file_writer_create_with_codec_fp(fp_, staging_.c_str(), /*should_close=*/0, schema_,
                                              &writer_, codec.c_str(), kAvroBlockSize) != 0) {
      writer_ = nullptr;
      return Status::IoError(file_ + ": cannot start the Avro file (codec " + codec +
                             "): " + AvroError());
    }
    return Status::Ok();
  }

  Status Write(const ProductRecord& record) override {
    if (!writer_) return Status::FailedPrecondition(file_ + ": write after Close()");
    ++records_written_;
    for (size_t i = 0; i < fields_.size(); ++i) {
      PRODCAT_RETURN_IF_ERROR(SetField(i, record));
    }
    if (avro_file_writer_append_value(writer_, &value_) != 0) {
      std::string why = AvroError();
      size_t encoded = 0;
      if (avro_value_sizeof(&value_, &encoded) == 0 && encoded > kAvroBlockSize) {
        return Error(record, "encodes to " + std::to_string(encoded) +
                                 " bytes, more than the Avro block size of " +
                                 std::to_string(kAvroBlockSize) + " bytes");
      }
      return Status::IoError(file_ + ": cannot append record " + std::to_string(records_written_) +
                             ": " + why);
    }
    return Status::Ok();
  }

  Status Close() override {
    if (!writer_) return Status::FailedPrecondition(file_ + ": already closed");
    int rc = avro_file_writer_close(writer_);
    writer_ = nullptr;
    std::string why = rc != 0 ? AvroError() : "";
    bool flushed = rc == 0 && std::fflush(fp_) == 0 && ::fsync(fileno(fp_)) == 0;
    if (!flushed && why.empty()) why = std::strerror(errno);
    bool closed = std::fclose(fp_) == 0;
    fp_ = nullptr;
    Release();
    if (!flushed || !closed) {
      ::unlink(staging_.c_str());
      return Status::IoError(file_ + ": cannot finish the Avro file: " +
                             (why.empty() ? std::string(std::strerror(errno)) : why));
    }
    if (::rename(staging_.c_str(), path_.c_str()) != 0) {
      Status s = Status::IoError("rename failed for '" + file_ + "': " + std::strerror(errno));
      ::unlink(staging_.c_str());
      return s;
    }
    return FsyncDirectory(path_.parent_path());
  }

 private:
  void Release() {
    if (value_open_) avro_value_decref(&value_);
    value_open_ = false;
    if (iface_) avro_value_iface_decref(iface_);
    iface_ = nullptr;
    if (schema_) avro_schema_decref(schema_);
    schema_ = nullptr;
  }

  Status SetField(size_t index, const ProductRecord& record) {
    Field f = fields_[index];
    avro_value_t field, branch;
    if (avro_value_get_by_index(&value_, index, &field, nullptr) != 0) {
      return Status::Internal(file_ + ": libavro: " + AvroError());
    }
    int rc = 0;
    if (const std::string* s = record.StringField(f)) {
      size_t bad = FindInvalidUtf8(*s);
      if (bad != std::string::npos) {
        return Error(record, "field '" + std::string(FieldName(f)) +
                                 "': expected UTF-8 text, got an invalid byte sequence at byte " +
                                 std::to_string(bad));
      }
      if (f == Field::kTitle) {
        rc = avro_value_set_string_len(&field, s->c_str(), s->size() + 1);
      } else if (s->empty()) {
        rc = avro_value_set_branch(&field, 0, &branch);
      } else {
        rc = avro_value_set_branch(&field, 1, &branch);
        if (rc == 0) rc = avro_value_set_string_len(&branch, s->c_str(), s->size() + 1);
      }
    } else {
      const std::optional<double>& v = *record.NumericField(f);
      if (v && !std::isfinite(*v)) {
        return Error(record, "field '" + std::string(FieldName(f)) +
                                 "': expected a finite number, got " + std::to_string(*v));
      }
      if (!v) {
        rc = avro_value_set_branch(&field, 0, &branch);
      } else {
        rc = avro_value_set_branch(&field, 1, &branch);
        if (rc == 0) rc = avro_value_set_double(&branch, *v);
      }
    }
    if (rc != 0) return Status::Internal(file_ + ": libavro: " + AvroError());
    return Status::Ok();
  }

  Status Error(const ProductRecord& record, const std::string& what) const {
    std::string id =
        record.product_id.empty() ? "" : " (product_id " + QuoteForMessage(record.product_id) + ")";
    return Status::InvalidArgument(file_ + ": record " + std::to_string(records_written_) + id +
                                   ": " + what);
  }

  fs::path path_;                        // final path
  std::string file_;                     // path as given, for messages
  fs::path staging_;                     // where bytes go until Close()
  std::vector<Field> fields_;            // schema fields in order, each at most once
  avro_schema_t schema_ = nullptr;       // declared schema restricted to fields_, owned
  avro_value_iface_t* iface_ = nullptr;  // generic class of schema_, owned
  avro_value_t value_{};                 // reused for every record when value_open_
  bool value_open_ = false;              // value_ must be released
  FILE* fp_ = nullptr;                   // the staging file until Close()
  avro_file_writer_t writer_ = nullptr;  // open until Close()
  size_t records_written_ = 0;           // including the one being written
};

}  // namespace

std::string ProductAvroSchemaJson(const std::vector<Field>& fields) {
  std::vector<Field> columns = fields;
  if (columns.empty()) columns.assign(kAllFields.begin(), kAllFields.end());
  std::string out = R"({"type": "record", "name": "Product", "namespace": "prodcat", "fields": [)";
  for (size_t i = 0; i < columns.size(); ++i) {
    Field f = columns[i];
    if (i) out += ", ";
    out += R"({"name": ")" + std::string(FieldName(f)) + R"(", "type": )";
    if (f == Field::kTitle) {
      out += R"("string"})";
    } else {
      out += IsNumericField(f) ? R"(["null", "double"])" : R"(["null", "string"])";
      out += R"(, "default": null})";
    }
  }
  return out + "]}";
}

Status OpenAvroRecordReader(const fs::path& path, const ReadOptions& options,
                            std::unique_ptr<RecordReader>* reader) {
  auto avro = std::make_unique<AvroRecordReader>(path, options);
  PRODCAT_RETURN_IF_ERROR(avro->Init());
  *reader = std::move(avro);
  return Status::Ok();
}

Status OpenAvroRecordWriter(const fs::path& path, const std::vector<Field>& fields,
                            const std::string& codec, std::unique_ptr<RecordWriter>* writer) {
  auto avro = std::make_unique<AvroRecordWriter>();
  PRODCAT_RETURN_IF_ERROR(avro->Init(path, fields, codec));
  *writer = std::move(avro);
  return Status::Ok();
}

}  // namespace prodcat
