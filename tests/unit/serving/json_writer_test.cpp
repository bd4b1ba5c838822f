#include "prodcat/serving/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "prodcat/serving/api_error.h"
#include "prodcat/serving/request_id.h"

namespace prodcat::serving {
namespace {

TEST(JsonWriterTest, NestedContainersAndCommas) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("a").Int(1);
  w.Key("b").BeginArray().String("x").Bool(true).Null().BeginObject().EndObject().EndArray();
  w.Key("c").BeginObject().Key("d").Double(0.5).EndObject();
  w.EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":["x",true,null,{}],"c":{"d":0.5}})");
}

TEST(JsonWriterTest, DeepNestingKeepsCommasRight) {
  // Past the inline depth the writer tracks containers on the heap; the output must not change.
  std::string out;
  JsonWriter w(&out);
  nlohmann::json expected = nlohmann::json::array({1, 2});
  w.BeginArray();
  for (int depth = 0; depth < 100; ++depth) w.Int(depth).BeginArray();
  w.Int(1).Int(2);
  for (int depth = 99; depth >= 0; --depth) {
    w.EndArray().Int(depth);
    expected = nlohmann::json::array({depth, expected, depth});
  }
  w.EndArray();
  EXPECT_EQ(nlohmann::json::parse(out), expected);
}

TEST(JsonWriterTest, EscapesStringsSoTheyRoundTrip) {
  std::string tricky = "quote\" backslash\\ newline\n tab\t ctrl\x01 unicode \xc3\xa9 </script>";
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("k\"ey").String(tricky).EndObject();
  auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed["k\"ey"], tricky);
  EXPECT_NE(out.find("\\u0001"), std::string::npos);
}

TEST(JsonWriterTest, NumbersRoundTripAndNonFiniteIsNull) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray().Float(0.1f).Double(1e-7).Int(-42).Double(NAN).Float(INFINITY).EndArray();
  auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed[0].get<float>(), 0.1f);
  EXPECT_DOUBLE_EQ(parsed[1].get<double>(), 1e-7);
  EXPECT_EQ(parsed[2], -42);
  EXPECT_TRUE(parsed[3].is_null());
  EXPECT_TRUE(parsed[4].is_null());
}

TEST(ApiErrorTest, ResponseShape) {
  http::Response response;
  SetErrorResponse(ApiError::Make(422, "missing_field", "title is required", "title"), &response);
  EXPECT_EQ(response.status, 422);
  auto j = nlohmann::json::parse(response.body);
  EXPECT_EQ(j["error"]["code"], "missing_field");
  EXPECT_EQ(j["error"]["message"], "title is required");
  EXPECT_EQ(j["error"]["field"], "title");
  FormatTransportError(413, "payload_too_large", "too big", &response);
  j = nlohmann::json::parse(response.body);
  EXPECT_EQ(response.status, 413);
  EXPECT_TRUE(j["error"]["field"].is_null());
}

TEST(RequestIdTest, ValidationAndGeneration) {
  EXPECT_TRUE(IsValidRequestId("abc-123_XYZ.:/"));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId("line\r\nbreak"));
  EXPECT_FALSE(IsValidRequestId("caf\xc3\xa9"));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'a')));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'a')));
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    EXPECT_EQ(id.size(), 32u);
    EXPECT_TRUE(IsValidRequestId(id));
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace prodcat::serving
