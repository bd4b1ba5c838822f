// JsonWriter: appends compact JSON to a string without building a DOM. The hot-path responses
// (/predict, /predict/batch, infer) are written with it: nlohmann::json would allocate a node
// per value, which costs more than the model itself for a single prediction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace prodcat::serving {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  // Non-finite values have no JSON form and are written as null.
  JsonWriter& Double(double value);
  JsonWriter& Float(float value);  // shortest form that reads back as the same float
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already-serialized JSON as one value.
  JsonWriter& Raw(std::string_view json);

 private:
  static constexpr int kInlineDepth = 64;  // containers tracked without allocating

  void BeforeValue();
  void Open(char bracket);
  void Close(char bracket);
  // Whether the innermost open container already holds a value; sets it to `value`.
  bool ExchangeNeedsComma(bool value);
  std::string* out_;          // the destination; never null
  uint64_t needs_comma_ = 0;  // bit d: the container at depth d + 1 already holds a value
  std::vector<bool> deeper_;  // the same beyond kInlineDepth (rare: allocates only then)
  int depth_ = 0;             // open containers
  bool after_key_ = false;    // the next value belongs to the key just written
};

// Appends `value` as a quoted JSON string (escaping quotes, backslashes and control characters).
void AppendJsonString(std::string_view value, std::string* out);

}  // namespace prodcat::serving
