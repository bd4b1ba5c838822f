#include "prodcat/serving/open_inference.h"

#include <simdjson.h>

#include <algorithm>
#include <optional>

#include "prodcat/serving/api_error.h"
#include "prodcat/serving/json_input.h"
#include "prodcat/serving/json_writer.h"
#include "prodcat/serving/record_rules.h"

namespace prodcat::serving {
namespace {

namespace dom = simdjson::dom;

// The product fields a request may send as inputs, in metadata order.
constexpr Field kInputFields[] = {Field::kTitle,    Field::kBrand,       Field::kDescription,
                                  Field::kSellerId, Field::kSubcategory, Field::kProductId,
                                  Field::kPrice,    Field::kRating,      Field::kReviewsCount};

bool IsNumericDatatype(std::string_view t) {
  static constexpr std::string_view kTypes[] = {"FP16",   "FP32",   "FP64",  "INT8",
                                                "INT16",  "INT32",  "INT64", "UINT8",
                                                "UINT16", "UINT32", "UINT64"};
  return std::find(std::begin(kTypes), std::end(kTypes), t) != std::end(kTypes);
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(s.substr(0, 64), &out);
  return out;
}

struct Column {
  Field field = Field::kTitle;
  std::vector<std::string> text;  // BYTES inputs
  std::vector<double> numbers;    // numeric inputs
  size_t rows() const { return text.size() + numbers.size(); }
};

// Everything in this parser that can fail returns false with *error set. The request is parsed
// with simdjson's DOM (validated in full, keys in any order: JSON libraries that sort keys put
// "data" before "datatype").
class InferParser {
 public:
  InferParser(const RequestLimits& limits, size_t default_top_k, InferRequest* request,
              std::string* error)
      : limits_(limits), default_top_k_(default_top_k), request_(request), error_(error) {}

  bool Parse(std::string* body) {
    thread_local dom::parser parser;
    dom::element root;
    if (!Ok(parser.parse(PaddedView(body)).get(root))) return false;
    dom::object object;
    if (root.get_object().get(object)) return Fail("the request must be a JSON object");
    dom::element value;
    if (!object["id"].get(value)) {
      std::string_view id;
      if (value.get_string().get(id)) return Fail("'id' must be a string");
      request_->has_id = true;
      request_->id.assign(id);
    }
    if (!object["parameters"].get(value) &&
        !ParseParameters(value, &top_k_, &probabilities_param_)) {
      return false;
    }
    if (!object["outputs"].get(value) && !ParseOutputs(value)) return false;
    if (object["inputs"].get(value)) return Fail("'inputs' is required");
    if (!ParseInputs(value)) return false;
    return Assemble();
  }

 private:
  bool Ok(simdjson::error_code code) {
    if (!code) return true;
    *error_ = std::string("invalid JSON: ") + simdjson::error_message(code);
    return false;
  }
  bool Fail(std::string message) {
    *error_ = std::move(message);
    return false;
  }

  bool ParseTopK(dom::element value, size_t* top_k) {
    int64_t k = 0;
    if (value.get_int64().get(k) || k < 1 || static_cast<size_t>(k) > limits_.max_top_k) {
      return Fail("parameter 'top_k' must be an integer between 1 and " +
                  std::to_string(limits_.max_top_k));
    }
    *top_k = static_cast<size_t>(k);
    return true;
  }

  bool ParseParameters(dom::element value, size_t* top_k, std::optional<bool>* probabilities) {
    dom::object params;
    if (value.get_object().get(params)) return Fail("'parameters' must be an object");
    dom::element v;
    if (!params["top_k"].get(v) && !ParseTopK(v, top_k)) return false;
    if (probabilities != nullptr && !params["probabilities"].get(v)) {
      bool b = false;
      if (v.get_bool().get(b)) return Fail("parameter 'probabilities' must be a boolean");
      *probabilities = b;
    }
    return true;
  }

  bool ParseOutputs(dom::element value) {
    dom::array outputs;
    if (value.get_array().get(outputs)) return Fail("'outputs' must be an array");
    outputs_given_ = true;
    request_->want_category = request_->want_confidence = false;
    for (dom::element element : outputs) {
      dom::object output;
      if (element.get_object().get(output)) return Fail("each of 'outputs' must be an object");
      std::string_view name;
      if (output["name"].get_string().get(name)) return Fail("output 'name' must be a string");
      dom::element params;
      if (!output["parameters"].get(params) && !ParseParameters(params, &top_k_, nullptr)) {
        return false;
      }
      if (name == "category") {
        request_->want_category = true;
      } else if (name == "confidence") {
        request_->want_confidence = true;
      } else if (name == "probabilities") {
        request_->want_probabilities = true;
      } else if (name == "labels") {
        request_->want_labels = true;
      } else {
        return Fail("unknown output " + Quoted(name) +
                    ": outputs are category, confidence, probabilities, labels");
      }
    }
    return true;
  }

  bool ParseShape(dom::element value, const std::string& input, size_t* rows) {
    dom::array shape;
    if (value.get_array().get(shape))
      return Fail("input '" + input + "': 'shape' must be an array");
    std::vector<int64_t> dims;
    for (dom::element element : shape) {
      int64_t d = 0;
      if (element.get_int64().get(d))
        return Fail("input '" + input + "': 'shape' must hold integers");
      dims.push_back(d);
    }
    if (dims.empty() || dims.size() > 2 || dims[0] < 1 || (dims.size() == 2 && dims[1] != 1)) {
      return Fail("input '" + input + "': shape must be [N] or [N, 1] with N >= 1");
    }
    *rows = static_cast<size_t>(dims[0]);
    return true;
  }

  bool ParseData(dom::element value, Column* column, const std::string& input) {
    dom::array data;
    if (value.get_array().get(data)) return Fail("input '" + input + "': 'data' must be an array");
    if (data.size() > limits_.max_batch_items) {
      return Fail("input '" + input + "': at most " + std::to_string(limits_.max_batch_items) +
                  " rows per request");
    }
    const bool numeric = IsNumericField(column->field);
    for (dom::element element : data) {
      size_t row = column->rows();
      if (numeric) {
        double d = 0;
        if (!element.is_number() || element.get_double().get(d)) {
          return Fail("input '" + input + "' row " + std::to_string(row) +
                      ": expected a finite number (data must be flat)");
        }
        column->numbers.push_back(d);
      } else {
        std::string_view text;
        if (element.get_string().get(text)) {
          return Fail("input '" + input + "' row " + std::to_string(row) +
                      ": BYTES data must be strings (data must be flat)");
        }
        column->text.emplace_back(text);
      }
    }
    return true;
  }

  bool ParseInputs(dom::element value) {
    dom::array inputs;
    if (value.get_array().get(inputs)) return Fail("'inputs' must be an array");
    for (dom::element element : inputs) {
      dom::object input;
      if (element.get_object().get(input)) return Fail("each of 'inputs' must be an object");
      std::string_view name_view, datatype;
      if (input["name"].get_string().get(name_view)) {
        return Fail("each input needs a string 'name'");
      }
      const std::string name(name_view);
      if (input["datatype"].get_string().get(datatype)) {
        return Fail("input '" + name + "': 'datatype' is required");
      }
      Column column;
      if (!Prepare(name, datatype, &column)) return false;
      dom::element shape, data;
      if (input["shape"].get(shape)) return Fail("input '" + name + "': 'shape' is required");
      if (input["data"].get(data)) return Fail("input '" + name + "': 'data' is required");
      size_t rows = 0;
      if (!ParseShape(shape, name, &rows) || !ParseData(data, &column, name)) return false;
      if (rows != column.rows()) {
        return Fail("input '" + name + "': shape says " + std::to_string(rows) +
                    " rows but data has " + std::to_string(column.rows()));
      }
      columns_.push_back(std::move(column));
    }
    return true;
  }

  // Checks the input's name and datatype and sets column->field.
  bool Prepare(const std::string& name, std::string_view datatype, Column* column) {
    Field field;
    bool known = ParseFieldName(name, &field) &&
                 std::find(std::begin(kInputFields), std::end(kInputFields), field) !=
                     std::end(kInputFields);
    if (!known) {
      return Fail("unknown input " + Quoted(name) +
                  ": inputs are title, brand, description, seller_id, subcategory, product_id, "
                  "price, rating, reviews_count");
    }
    for (const Column& c : columns_) {
      if (c.field == field) return Fail("input '" + name + "' is given twice");
    }
    if (IsNumericField(field) && !IsNumericDatatype(datatype)) {
      return Fail("input '" + name + "' must have a numeric datatype such as FP32, got " +
                  Quoted(datatype));
    }
    if (!IsNumericField(field) && datatype != "BYTES") {
      return Fail("input '" + name + "' must have datatype BYTES, got " + Quoted(datatype));
    }
    column->field = field;
    return true;
  }

  bool Assemble() {
    const Column* title = nullptr;
    for (const Column& c : columns_) {
      if (c.field == Field::kTitle) title = &c;
    }
    if (title == nullptr) return Fail("input 'title' is required");
    size_t n = title->rows();
    for (const Column& c : columns_) {
      if (c.rows() != n) {
        return Fail("input '" + std::string(FieldName(c.field)) + "' has " +
                    std::to_string(c.rows()) + " rows but 'title' has " + std::to_string(n));
      }
    }
    request_->records.assign(n, ProductRecord());
    for (Column& c : columns_) {
      for (size_t i = 0; i < n; ++i) {
        ProductRecord& r = request_->records[i];
        if (IsNumericField(c.field)) {
          *r.MutableNumericField(c.field) = c.numbers[i];
        } else {
          *r.MutableStringField(c.field) = std::move(c.text[i]);
        }
      }
    }
    for (size_t i = 0; i < n; ++i) {
      ApiError e;
      if (!CheckRecordRules(request_->records[i], limits_, &e)) {
        return Fail("input '" + e.field + "' row " + std::to_string(i) + ": " + e.message);
      }
    }
    bool probabilities = probabilities_param_.value_or(top_k_ > 0);
    if (!outputs_given_ && probabilities) {
      request_->want_probabilities = request_->want_labels = true;
    }
    if (request_->want_probabilities) request_->want_labels = true;
    request_->top_k = top_k_ > 0 ? top_k_ : default_top_k_;
    return true;
  }

  const RequestLimits& limits_;
  size_t default_top_k_;
  InferRequest* request_;
  std::string* error_;
  std::vector<Column> columns_;              // one per input, in request order
  size_t top_k_ = 0;                         // 0: not given
  std::optional<bool> probabilities_param_;  // parameters.probabilities
  bool outputs_given_ = false;               // an "outputs" list selects what is returned
};

}  // namespace

bool ParseInferRequest(std::string* body, const RequestLimits& limits, size_t default_top_k,
                       InferRequest* request, std::string* error) {
  *request = InferRequest();
  InferParser parser(limits, default_top_k, request, error);
  return parser.Parse(body);
}

nlohmann::json InferInputsMetadata() {
  nlohmann::json inputs = nlohmann::json::array();
  for (Field f : kInputFields) {
    inputs.push_back({{"name", std::string(FieldName(f))},
                      {"datatype", IsNumericField(f) ? "FP32" : "BYTES"},
                      {"shape", {-1}}});
  }
  return inputs;
}

nlohmann::json InferOutputsMetadata() {
  return nlohmann::json::array(
      {{{"name", "category"}, {"datatype", "BYTES"}, {"shape", {-1}}},
       {{"name", "confidence"}, {"datatype", "FP32"}, {"shape", {-1}}},
       {{"name", "probabilities"}, {"datatype", "FP32"}, {"shape", {-1, -1}}},
       {{"name", "labels"}, {"datatype", "BYTES"}, {"shape", {-1, -1}}}});
}

void WriteInferResponse(const InferRequest& request, const ServedModel& model,
                        const std::vector<std::vector<ScoredLabel>>& predictions,
                        std::string* out) {
  const int64_t n = static_cast<int64_t>(predictions.size());
  const int64_t k = predictions.empty() ? 0 : static_cast<int64_t>(predictions[0].size());
  JsonWriter w(out);
  w.BeginObject();
  w.Key("model_name").String(model.name);
  w.Key("model_version").String(model.version);
  if (request.has_id) w.Key("id").String(request.id);
  w.Key("outputs").BeginArray();
  auto begin_output = [&](const char* name, const char* datatype, bool two_d) {
    w.BeginObject().Key("name").String(name).Key("datatype").String(datatype);
    w.Key("shape").BeginArray().Int(n);
    if (two_d) w.Int(k);
    w.EndArray();
    w.Key("data").BeginArray();
  };
  if (request.want_category) {
    begin_output("category", "BYTES", false);
    for (const auto& p : predictions) w.String(p[0].label);
    w.EndArray().EndObject();
  }
  if (request.want_confidence) {
    begin_output("confidence", "FP32", false);
    for (const auto& p : predictions) w.Float(p[0].probability);
    w.EndArray().EndObject();
  }
  if (request.want_probabilities) {
    begin_output("probabilities", "FP32", true);
    for (const auto& p : predictions) {
      for (const auto& s : p) w.Float(s.probability);
    }
    w.EndArray().EndObject();
  }
  if (request.want_labels) {
    begin_output("labels", "BYTES", true);
    for (const auto& p : predictions) {
      for (const auto& s : p) w.String(s.label);
    }
    w.EndArray().EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace prodcat::serving
