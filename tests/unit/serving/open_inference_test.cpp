#include "prodcat/serving/open_inference.h"

#include <gtest/gtest.h>

namespace prodcat::serving {
namespace {

struct Parsed {
  bool ok;
  InferRequest request;
  std::string error;
};

Parsed Parse(std::string body, size_t default_top_k = 3) {
  Parsed p;
  p.ok = ParseInferRequest(&body, RequestLimits(), default_top_k, &p.request, &p.error);
  return p;
}

TEST(OpenInferenceTest, ColumnsBecomeRecords) {
  auto p = Parse(R"({"id": "req-1",
    "inputs": [
      {"name": "title", "shape": [2], "datatype": "BYTES", "data": ["usb cable", "garden hose"]},
      {"name": "price", "shape": [2, 1], "datatype": "FP32", "data": [9.5, 20]},
      {"name": "brand", "shape": [2], "datatype": "BYTES", "data": ["Anker", ""]}]})");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(p.request.has_id);
  EXPECT_EQ(p.request.id, "req-1");
  ASSERT_EQ(p.request.records.size(), 2u);
  EXPECT_EQ(p.request.records[0].title, "usb cable");
  EXPECT_DOUBLE_EQ(*p.request.records[1].price, 20.0);
  EXPECT_EQ(p.request.records[0].brand, "Anker");
  EXPECT_TRUE(p.request.want_category);
  EXPECT_TRUE(p.request.want_confidence);
  EXPECT_FALSE(p.request.want_probabilities);
  EXPECT_EQ(p.request.top_k, 3u);
}

TEST(OpenInferenceTest, KeysInAnyOrder) {
  // Libraries that sort keys write "data" before "datatype" and "name".
  auto p = Parse(R"({"parameters": {"top_k": 1}, "inputs": [{"data": [5], "datatype": "INT64",
      "name": "reviews_count", "shape": [1]}, {"data": ["lamp"], "datatype": "BYTES",
      "name": "title", "shape": [1, 1]}], "id": "z"})");
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.request.records.size(), 1u);
  EXPECT_EQ(p.request.records[0].title, "lamp");
  EXPECT_DOUBLE_EQ(*p.request.records[0].reviews_count, 5.0);
  EXPECT_EQ(p.request.id, "z");
  EXPECT_EQ(p.request.top_k, 1u);
}

TEST(OpenInferenceTest, ProbabilitiesByParameterOrOutputs) {
  auto by_param = Parse(R"({"inputs": [{"name": "title", "shape": [1], "datatype": "BYTES",
      "data": ["x"]}], "parameters": {"top_k": 2}})");
  ASSERT_TRUE(by_param.ok) << by_param.error;
  EXPECT_TRUE(by_param.request.want_probabilities);
  EXPECT_TRUE(by_param.request.want_labels);
  EXPECT_EQ(by_param.request.top_k, 2u);

  auto by_outputs = Parse(R"({"inputs": [{"name": "title", "shape": [1], "datatype": "BYTES",
      "data": ["x"]}], "outputs": [{"name": "probabilities", "parameters": {"top_k": 4}}]})");
  ASSERT_TRUE(by_outputs.ok) << by_outputs.error;
  EXPECT_FALSE(by_outputs.request.want_category);  // only what was asked for
  EXPECT_FALSE(by_outputs.request.want_confidence);
  EXPECT_TRUE(by_outputs.request.want_probabilities);
  EXPECT_EQ(by_outputs.request.top_k, 4u);
}

TEST(OpenInferenceTest, ProtocolErrors) {
  const char* kTitle = R"({"name": "title", "shape": [1], "datatype": "BYTES", "data": ["x"]})";
  auto with = [&](const std::string& more) {
    return std::string(R"({"inputs": [)") + kTitle + more + "]}";
  };
  struct Case {
    std::string body;
    const char* expect;  // a fragment of the message
  };
  const std::vector<Case> cases = {
      {"{", "invalid JSON"},
      {"[]", "JSON object"},
      {R"({"id": "1"})", "'inputs' is required"},
      {R"({"inputs": [{"name": "brand", "shape": [1], "datatype": "BYTES", "data": ["b"]}]})",
       "'title' is required"},
      {with(R"(, {"name": "colour", "shape": [1], "datatype": "BYTES", "data": ["red"]})"),
       "unknown input"},
      {with(R"(, {"name": "price", "shape": [1], "datatype": "BYTES", "data": ["1"]})"),
       "numeric datatype"},
      {with(R"(, {"name": "brand", "shape": [1], "datatype": "FP32", "data": [1]})"), "BYTES"},
      {with(R"(, {"name": "price", "shape": [2], "datatype": "FP32", "data": [1, 2]})"),
       "has 2 rows but 'title' has 1"},
      {with(R"(, {"name": "price", "shape": [3], "datatype": "FP32", "data": [1]})"),
       "shape says 3"},
      {with(R"(, {"name": "price", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]})"),
       "[N] or [N, 1]"},
      {with(R"(, {"name": "price", "shape": [1], "datatype": "FP32", "data": ["NaN"]})"),
       "finite number"},
      {with(R"(, {"name": "price", "shape": [1], "datatype": "FP32", "data": [-1]})"),
       "input 'price' row 0"},
      {with(R"(, {"name": "title", "shape": [1], "datatype": "BYTES", "data": ["y"]})"),
       "given twice"},
      {R"({"inputs": [{"name": "title", "shape": [1], "datatype": "BYTES", "data": [""]}]})",
       "title"},
      {R"({"inputs": [{"name": "title", "shape": [1], "datatype": "BYTES", "data": [["x"]]}]})",
       "flat"},
      {std::string(R"({"inputs": [)") + kTitle + R"(], "outputs": [{"name": "logits"}]})",
       "unknown output"},
      {std::string(R"({"inputs": [)") + kTitle + R"(], "parameters": {"top_k": 0}})", "top_k"},
  };
  for (const Case& c : cases) {
    auto p = Parse(c.body);
    EXPECT_FALSE(p.ok) << c.body;
    EXPECT_NE(p.error.find(c.expect), std::string::npos) << c.body << " -> " << p.error;
  }
}

TEST(OpenInferenceTest, ResponseShapes) {
  InferRequest request;
  request.has_id = true;
  request.id = "7";
  request.want_probabilities = request.want_labels = true;
  ServedModel model;
  model.name = "m";
  model.version = "v";
  std::vector<std::vector<ScoredLabel>> predictions = {{{"A", 0.75f}, {"B", 0.25f}},
                                                       {{"B", 0.5f}, {"A", 0.5f}}};
  std::string out;
  WriteInferResponse(request, model, predictions, &out);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["model_name"], "m");
  EXPECT_EQ(j["model_version"], "v");
  EXPECT_EQ(j["id"], "7");
  ASSERT_EQ(j["outputs"].size(), 4u);
  EXPECT_EQ(j["outputs"][0]["name"], "category");
  EXPECT_EQ(j["outputs"][0]["datatype"], "BYTES");
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json({2}));
  EXPECT_EQ(j["outputs"][0]["data"], nlohmann::json({"A", "B"}));
  EXPECT_EQ(j["outputs"][1]["name"], "confidence");
  EXPECT_EQ(j["outputs"][1]["datatype"], "FP32");
  EXPECT_EQ(j["outputs"][2]["shape"], nlohmann::json({2, 2}));
  EXPECT_EQ(j["outputs"][2]["data"].size(), 4u);
  EXPECT_EQ(j["outputs"][3]["data"], nlohmann::json({"A", "B", "B", "A"}));
}

}  // namespace
}  // namespace prodcat::serving
