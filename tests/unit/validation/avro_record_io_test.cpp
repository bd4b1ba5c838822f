#include "prodcat/data/avro_record_io.h"

#include <avro.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "prodcat/common/file_util.h"
#include "validation_test_util.h"

namespace prodcat {
namespace {

using testing::ReadBytes;
using testing::ScratchDir;

// Varied records: missing values, Unicode, long text, integers and fractions.
std::vector<ProductRecord> SampleRecords(size_t n) {
  std::vector<ProductRecord> records;
  for (size_t i = 0; i < n; ++i) {
    ProductRecord r;
    // append() rather than "literal" + string: GCC 12 warns falsely (-Wrestrict) on the latter.
    if (i % 7 != 3) r.product_id = std::string("p").append(std::to_string(i));
    r.title = std::string("Titel №").append(std::to_string(i)).append(" – café \"quoted\", comma");
    if (i % 5 != 0) r.seller_id = std::string("s").append(std::to_string(i % 13));
    r.brand = i % 4 == 0 ? "" : "Brand" + std::to_string(i % 9);
    r.subcategory = "sub" + std::to_string(i % 3);
    if (i % 6 != 0) r.price = 0.01 * static_cast<double>(i) + 1.5;
    if (i % 3 != 0) r.rating = static_cast<double>(i % 5) + 0.5;
    if (i % 2 == 0) r.reviews_count = static_cast<double>(i * 3);
    r.category = i % 11 == 0 ? "" : "cat" + std::to_string(i % 4);
    // Long descriptions push the file over several blocks.
    r.description = i % 2 ? std::string(200 + i % 50, 'a' + static_cast<char>(i % 26)) : "";
    records.push_back(r);
  }
  return records;
}

Status WriteRecords(const std::filesystem::path& path, const std::vector<ProductRecord>& records,
                    const std::string& codec, const std::vector<Field>& fields = {}) {
  std::unique_ptr<RecordWriter> writer;
  PRODCAT_RETURN_IF_ERROR(OpenAvroRecordWriter(path, fields, codec, &writer));
  for (const ProductRecord& r : records) PRODCAT_RETURN_IF_ERROR(writer->Write(r));
  return writer->Close();
}

Status ReadRecords(const std::filesystem::path& path, std::vector<ProductRecord>* records,
                   const ReadOptions& options = {}, ReadStats* stats = nullptr) {
  std::unique_ptr<RecordReader> reader;
  PRODCAT_RETURN_IF_ERROR(OpenAvroRecordReader(path, options, &reader));
  for (;;) {
    ProductRecord r;
    bool has = false;
    PRODCAT_RETURN_IF_ERROR(reader->Next(&r, &has));
    if (!has) break;
    records->push_back(r);
  }
  if (stats) *stats = reader->stats();
  return Status::Ok();
}

void ExpectSameRecords(const std::vector<ProductRecord>& expected,
                       const std::vector<ProductRecord>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    for (Field f : kAllFields) {
      if (const std::string* s = expected[i].StringField(f)) {
        EXPECT_EQ(*s, *actual[i].StringField(f)) << "record " << i << " " << FieldName(f);
      } else {
        EXPECT_EQ(*expected[i].NumericField(f), *actual[i].NumericField(f))
            << "record " << i << " " << FieldName(f);
      }
    }
    EXPECT_EQ(actual[i].source_line, i + 1) << "source_line is the 1-based record number";
  }
}

TEST(AvroRecordIo, RoundTripsEveryCodecOverSeveralBlocks) {
  ScratchDir dir;
  std::vector<ProductRecord> records = SampleRecords(3000);
  for (std::string_view codec : kAvroCodecs) {
    SCOPED_TRACE(std::string(codec));
    auto path = dir.Path("products_" + std::string(codec) + ".avro");
    Status w = WriteRecords(path, records, std::string(codec));
    ASSERT_TRUE(w.ok()) << w.ToString();
    std::vector<ProductRecord> back;
    Status r = ReadRecords(path, &back);
    ASSERT_TRUE(r.ok()) << r.ToString();
    ExpectSameRecords(records, back);
  }
  // The uncompressed file is larger than one block, so the multi-block path is exercised.
  EXPECT_GT(std::filesystem::file_size(dir.Path("products_null.avro")), 2 * kAvroBlockSize);
  EXPECT_LT(std::filesystem::file_size(dir.Path("products_deflate.avro")),
            std::filesystem::file_size(dir.Path("products_null.avro")));
}

TEST(AvroRecordIo, WriterLeavesNothingUntilClose) {
  ScratchDir dir;
  auto path = dir.Path("out.avro");
  {
    std::unique_ptr<RecordWriter> writer;
    ASSERT_TRUE(OpenAvroRecordWriter(path, {}, "deflate", &writer).ok());
    ASSERT_TRUE(writer->Write(testing::MakeRecord("a")).ok());
    EXPECT_FALSE(std::filesystem::exists(path));
  }  // abandoned
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "the staging file is removed";
}

TEST(AvroRecordIo, WriterRejectsBadInput) {
  ScratchDir dir;
  std::unique_ptr<RecordWriter> writer;
  Status codec = OpenAvroRecordWriter(dir.Path("a.avro"), {}, "zstandard", &writer);
  EXPECT_EQ(codec.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(codec.message().find("zstandard"), std::string::npos) << codec.message();
  EXPECT_NE(codec.message().find("deflate"), std::string::npos) << "lists the available codecs";

  ASSERT_TRUE(OpenAvroRecordWriter(dir.Path("b.avro"), {}, "null", &writer).ok());
  ProductRecord nan = testing::MakeRecord("t", "c", std::nan(""));
  Status s = writer->Write(nan);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("price"), std::string::npos) << s.message();
  Status utf8 = writer->Write(testing::MakeRecord("bad \xff byte"));
  EXPECT_NE(utf8.message().find("UTF-8"), std::string::npos) << utf8.message();
  // A record larger than a block cannot be written by avro-c: a clear error, not a crash.
  Status big = writer->Write(testing::MakeRecord(std::string(kAvroBlockSize + 10, 'x')));
  EXPECT_FALSE(big.ok());
  EXPECT_NE(big.message().find("block size"), std::string::npos) << big.message();
  EXPECT_TRUE(writer->Close().ok());
}

TEST(AvroRecordIo, WritesRequestedFieldsOnlyInOrder) {
  ScratchDir dir;
  auto path = dir.Path("subset.avro");
  std::vector<ProductRecord> records = SampleRecords(20);
  ASSERT_TRUE(WriteRecords(path, records, "snappy", {Field::kCategory, Field::kTitle}).ok());
  std::unique_ptr<RecordReader> reader;
  ASSERT_TRUE(OpenAvroRecordReader(path, {}, &reader).ok());
  EXPECT_TRUE(reader->HasField(Field::kTitle));
  EXPECT_TRUE(reader->HasField(Field::kCategory));
  EXPECT_FALSE(reader->HasField(Field::kPrice));
  ProductRecord r;
  bool has = false;
  ASSERT_TRUE(reader->Next(&r, &has).ok());
  ASSERT_TRUE(has);
  EXPECT_EQ(r.title, records[0].title);
  EXPECT_EQ(r.category, records[0].category);
  EXPECT_FALSE(r.price.has_value());
}

// The schema written into files and schemas/product.avsc must not drift apart.
TEST(AvroRecordIo, DeclaredSchemaMatchesSchemaFile) {
  std::string text;
  ASSERT_TRUE(
      ReadFile(std::filesystem::path(PRODCAT_TEST_DATA_DIR) / "../../schemas/product.avsc", &text)
          .ok());
  auto strip_docs = [](nlohmann::json j) {
    j.erase("doc");
    for (auto& field : j["fields"]) field.erase("doc");
    return j;
  };
  nlohmann::json file = strip_docs(nlohmann::json::parse(text));
  nlohmann::json generated = nlohmann::json::parse(ProductAvroSchemaJson());
  EXPECT_EQ(file, generated) << file.dump(1) << "\nvs\n" << generated.dump(1);
  avro_schema_t schema;
  ASSERT_EQ(avro_schema_from_json_length(text.data(), text.size(), &schema), 0) << avro_strerror();
  avro_schema_decref(schema);
}

// Writes `n` records of a foreign schema with avro-c directly; `fill` sets record i.
void WriteForeign(const std::filesystem::path& path, const std::string& schema_json, size_t n,
                  const std::function<void(size_t, avro_value_t*)>& fill) {
  avro_schema_t schema;
  ASSERT_EQ(avro_schema_from_json_length(schema_json.data(), schema_json.size(), &schema), 0)
      << avro_strerror();
  avro_file_writer_t writer;
  ASSERT_EQ(avro_file_writer_create_with_codec(path.c_str(), schema, &writer, "deflate", 0), 0)
      << avro_strerror();
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  avro_value_t value;
  avro_generic_value_new(iface, &value);
  for (size_t i = 0; i < n; ++i) {
    fill(i, &value);
    ASSERT_EQ(avro_file_writer_append_value(writer, &value), 0) << avro_strerror();
  }
  avro_file_writer_close(writer);
  avro_value_decref(&value);
  avro_value_iface_decref(iface);
  avro_schema_decref(schema);
}

TEST(AvroRecordIo, ReadsForeignSchemaWithMappingAndNumericTypes) {
  ScratchDir dir;
  auto path = dir.Path("foreign.avro");
  const std::string schema = R"({"type": "record", "name": "Offer", "fields": [
      {"name": "id", "type": "long"},
      {"name": "name", "type": "string"},
      {"name": "cost", "type": ["null", "float"]},
      {"name": "stars", "type": "int"},
      {"name": "label", "type": {"type": "enum", "name": "Label", "symbols": ["shoes", "toys"]}},
      {"name": "ignored", "type": {"type": "array", "items": "int"}}]})";
  WriteForeign(path, schema, 3, [](size_t i, avro_value_t* v) {
    avro_value_t f, b;
    avro_value_get_by_index(v, 0, &f, nullptr);
    avro_value_set_long(&f, 1000 + static_cast<int64_t>(i));
    avro_value_get_by_index(v, 1, &f, nullptr);
    std::string name = "item " + std::to_string(i);
    avro_value_set_string_len(&f, name.c_str(), name.size() + 1);
    avro_value_get_by_index(v, 2, &f, nullptr);
    if (i == 1) {
      avro_value_set_branch(&f, 0, &b);
    } else {
      avro_value_set_branch(&f, 1, &b);
      avro_value_set_float(&b, 2.5f);
    }
    avro_value_get_by_index(v, 3, &f, nullptr);
    avro_value_set_int(&f, static_cast<int32_t>(i));
    avro_value_get_by_index(v, 4, &f, nullptr);
    avro_value_set_enum(&f, static_cast<int>(i % 2));
  });
  ReadOptions options;
  ASSERT_TRUE(ColumnMapping::Parse("product_id=id,title=name,price=cost,rating=stars,"
                                   "category=label",
                                   &options.columns)
                  .ok());
  std::vector<ProductRecord> records;
  Status s = ReadRecords(path, &records, options);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].product_id, "1000") << "a long feeds a string field as its decimal text";
  EXPECT_EQ(records[2].title, "item 2");
  EXPECT_EQ(records[0].price, 2.5);
  EXPECT_FALSE(records[1].price.has_value()) << "a null union branch is a missing value";
  EXPECT_EQ(records[2].rating, 2.0);
  EXPECT_EQ(records[0].category, "shoes");
  EXPECT_EQ(records[1].category, "toys");
}

TEST(AvroRecordIo, RejectsUnusableSchemas) {
  ScratchDir dir;
  auto no_title = dir.Path("no_title.avro");
  WriteForeign(no_title, R"({"type": "record", "name": "R", "fields": [
      {"name": "name", "type": "string"}]})",
               1, [](size_t, avro_value_t* v) {
                 avro_value_t f;
                 avro_value_get_by_index(v, 0, &f, nullptr);
                 avro_value_set_string(&f, "x");
               });
  std::unique_ptr<RecordReader> reader;
  Status missing = OpenAvroRecordReader(no_title, {}, &reader);
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("'title'"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("name"), std::string::npos) << "lists the fields it has";

  auto bad_type = dir.Path("bad_type.avro");
  WriteForeign(bad_type, R"({"type": "record", "name": "R", "fields": [
      {"name": "title", "type": "string"}, {"name": "price", "type": ["null", "boolean"]}]})",
               1, [](size_t, avro_value_t* v) {
                 avro_value_t f, b;
                 avro_value_get_by_index(v, 0, &f, nullptr);
                 avro_value_set_string(&f, "x");
                 avro_value_get_by_index(v, 1, &f, nullptr);
                 avro_value_set_branch(&f, 0, &b);
               });
  Status type = OpenAvroRecordReader(bad_type, {}, &reader);
  EXPECT_EQ(type.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(type.message().find("price"), std::string::npos) << type.message();
  EXPECT_NE(type.message().find("boolean"), std::string::npos) << type.message();

  auto not_avro = dir.Write("text.avro", "title\nhello\n");
  Status magic = OpenAvroRecordReader(not_avro, {}, &reader);
  EXPECT_EQ(magic.code(), StatusCode::kDataLoss);
  EXPECT_NE(magic.message().find("text.avro"), std::string::npos) << magic.message();
  EXPECT_EQ(OpenAvroRecordReader(dir.Path("absent.avro"), {}, &reader).code(),
            StatusCode::kNotFound);
}

TEST(AvroRecordIo, RowErrorsFollowOnErrorPolicy) {
  ScratchDir dir;
  auto path = dir.Path("nan.avro");
  WriteForeign(path, R"({"type": "record", "name": "R", "fields": [
      {"name": "title", "type": "string"}, {"name": "price", "type": "double"}]})",
               3, [](size_t i, avro_value_t* v) {
                 avro_value_t f;
                 avro_value_get_by_index(v, 0, &f, nullptr);
                 avro_value_set_string(&f, "x");
                 avro_value_get_by_index(v, 1, &f, nullptr);
                 avro_value_set_double(&f, i == 1 ? std::nan("") : 1.0 * static_cast<double>(i));
               });
  std::vector<ProductRecord> records;
  Status fail = ReadRecords(path, &records);
  EXPECT_EQ(fail.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(fail.message().find("nan.avro:2"), std::string::npos) << fail.message();
  EXPECT_NE(fail.message().find("finite"), std::string::npos) << fail.message();

  records.clear();
  ReadOptions skip;
  skip.on_error = OnError::kSkip;
  ReadStats stats;
  ASSERT_TRUE(ReadRecords(path, &records, skip, &stats).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(stats.rows_skipped, 1u);
  EXPECT_EQ(records[1].source_line, 3u);
  EXPECT_EQ(records[1].price, 2.0);
}

TEST(AvroRecordIo, EmptyFileHasNoRecords) {
  ScratchDir dir;
  auto path = dir.Path("empty.avro");
  ASSERT_TRUE(WriteRecords(path, {}, "deflate").ok());
  std::vector<ProductRecord> records;
  Status s = ReadRecords(path, &records);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(records.empty());
}

TEST(AvroRecordIo, TruncatedFileIsDataLossNamingFileAndBlock) {
  ScratchDir dir;
  auto path = dir.Path("full.avro");
  ASSERT_TRUE(WriteRecords(path, SampleRecords(3000), "null").ok());
  std::string bytes = ReadBytes(path);
  for (size_t keep : {size_t{3}, size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
    SCOPED_TRACE(keep);
    auto cut = dir.Write("cut.avro", bytes.substr(0, keep));
    std::vector<ProductRecord> records;
    Status s = ReadRecords(cut, &records);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
    EXPECT_NE(s.message().find("cut.avro"), std::string::npos) << s.message();
    if (keep > 1000) {
      EXPECT_NE(s.message().find("block"), std::string::npos) << s.message();
      EXPECT_TRUE(records.empty()) << "framing is checked before any record is returned";
    }
  }
}

TEST(AvroRecordIo, CorruptSyncMarkerAndSnappyDataAreDetected) {
  ScratchDir dir;
  auto path = dir.Path("snappy.avro");
  ASSERT_TRUE(WriteRecords(path, SampleRecords(3000), "snappy").ok());
  std::string bytes = ReadBytes(path);
  // The last 16 bytes are the final block's sync marker.
  std::string sync = bytes;
  sync[sync.size() - 5] ^= 0x5A;
  std::vector<ProductRecord> records;
  Status s = ReadRecords(dir.Write("sync.avro", sync), &records);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("sync marker"), std::string::npos) << s.message();
  // A byte inside the last block's compressed data: snappy's CRC catches it.
  std::string data = bytes;
  data[data.size() - 16 - 40] ^= 0x5A;
  records.clear();
  Status d = ReadRecords(dir.Write("data.avro", data), &records);
  EXPECT_EQ(d.code(), StatusCode::kDataLoss) << d.ToString();
  EXPECT_NE(d.message().find("block"), std::string::npos) << d.message();
  EXPECT_NE(d.message().find("record"), std::string::npos) << d.message();
}

// Every single-byte corruption of a small file either reads (some damage is undetectable without
// checksums, e.g. a changed letter) or fails with a DataLoss/InvalidArgument status: never a
// crash, a hang or an early silent end.
TEST(AvroRecordIo, AnySingleByteCorruptionFailsCleanlyOrReads) {
  ScratchDir dir;
  std::vector<ProductRecord> sample = SampleRecords(12);
  for (std::string_view codec : kAvroCodecs) {
    SCOPED_TRACE(std::string(codec));
    auto path = dir.Path("small.avro");
    ASSERT_TRUE(WriteRecords(path, sample, std::string(codec)).ok());
    const size_t size = std::filesystem::file_size(path);
    size_t detected = 0;
    // Flip each byte in place and back (cheaper than rewriting the file thousands of times).
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    auto flip = [&file](size_t offset) {
      char c;
      file.seekg(static_cast<std::streamoff>(offset));
      file.get(c);
      file.seekp(static_cast<std::streamoff>(offset));
      file.put(static_cast<char>(c ^ 0xFF));
      file.flush();
    };
    for (size_t i = 0; i < size; ++i) {
      flip(i);
      std::vector<ProductRecord> records;
      Status s = ReadRecords(path, &records);
      flip(i);
      if (s.ok()) {
        EXPECT_EQ(records.size(), sample.size()) << "byte " << i << ": silent early end";
      } else {
        ++detected;
        EXPECT_TRUE(s.code() == StatusCode::kDataLoss || s.code() == StatusCode::kInvalidArgument)
            << "byte " << i << ": " << s.ToString();
      }
    }
    EXPECT_GT(detected, 0u);
  }
}

}  // namespace
}  // namespace prodcat
