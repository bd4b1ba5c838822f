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

namespace od = simdjson::ondemand;

// The product fields a request may send as inputs, in metadata order.
constexpr Field kInputFields[] = {Field::kTitle,       Field::kBrand,    Field::kDescription,
                                  Field::kSellerId,    Field::kSubcategory, Field::kProductId,
                                  Field::kPrice,       Field::kRating,   Field::kReviewsCount};

bool IsNumericDatatype(std::string_view t) {
  static constexpr std::string_view kTypes[] = {"FP16",  "FP32",  "FP64",   "INT8",
                                                "INT16", "INT32", "INT64",  "UINT8",
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
  std::vector<std::string> text;     // BYTES inputs
  std::vector<double> numbers;       // numeric inputs
  std::optional<size_t> shape_rows;  // N from the shape
};

// Everything in this parser that can fail returns false with *error set.
class InferParser {
 public:
  InferParser(const RequestLimits& limits, size_t default_top_k, InferRequest* request,
              std::string* error)
      : limits_(limits), default_top_k_(default_top_k), request_(request), error_(error) {}

  bool Parse(std::string* body) {
    thread_local od::parser parser;
    od::document doc;
    if (!Ok(parser.iterate(PaddedView(body)).get(doc))) return false;
    od::object root;
    od::json_type type{};
    if (!Ok(doc.type().get(type))) return false;
    if (type != od::json_type::object) return Fail("the request must be a JSON object");
    if (!Ok(doc.get_object().get(root))) return false;
    bool saw_inputs = false;
    for (auto member : root) {
      od::field field;
      if (!Ok(std::move(member).get(field))) return false;
      std::string_view key;
      if (!Ok(field.unescaped_key().get(key))) return false;
      od::value value = field.value();
      if (key == "id") {
        if (!ParseId(value)) return false;
      } else if (key == "inputs") {
        saw_inputs = true;
        if (!ParseInputs(value)) return false;
      } else if (key == "outputs") {
        if (!ParseOutputs(value)) return false;
      } else if (key == "parameters") {
        if (!ParseParameters(value, &top_k_, &probabilities_param_)) return false;
      }
    }
    if (HasTrailingContent(doc)) return Fail("trailing content after the JSON object");
    if (!saw_inputs) return Fail("'inputs' is required");
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

  bool ParseId(od::value value) {
    std::string_view id;
    od::json_type type{};
    if (!Ok(value.type().get(type))) return false;
    if (type != od::json_type::string) return Fail("'id' must be a string");
    if (!Ok(value.get_string().get(id))) return false;
    request_->has_id = true;
    request_->id.assign(id);
    return true;
  }

  bool ParseTopK(od::value value, size_t* top_k) {
    od::json_type type{};
    if (!Ok(value.type().get(type))) return false;
    int64_t k = 0;
    if (type != od::json_type::number || value.get_int64().get(k) || k < 1 ||
        static_cast<size_t>(k) > limits_.max_top_k) {
      return Fail("parameter 'top_k' must be an integer between 1 and " +
                  std::to_string(limits_.max_top_k));
    }
    *top_k = static_cast<size_t>(k);
    return true;
  }

  bool ParseParameters(od::value value, size_t* top_k, std::optional<bool>* probabilities) {
    od::object params;
    od::json_type type{};
    if (!Ok(value.type().get(type))) return false;
    if (type != od::json_type::object) return Fail("'parameters' must be an object");
    if (!Ok(value.get_object().get(params))) return false;
    for (auto member : params) {
      od::field field;
      if (!Ok(std::move(member).get(field))) return false;
      std::string_view key;
      if (!Ok(field.unescaped_key().get(key))) return false;
      if (key == "top_k") {
        if (!ParseTopK(field.value(), top_k)) return false;
      } else if (key == "probabilities" && probabilities != nullptr) {
        bool b = false;
        if (field.value().get_bool().get(b)) return Fail("parameter 'probabilities' must be a boolean");
        *probabilities = b;
      }
    }
    return true;
  }

  bool ParseOutputs(od::value value) {
    od::array outputs;
    od::json_type type{};
    if (!Ok(value.type().get(type))) return false;
    if (type != od::json_type::array) return Fail("'outputs' must be an array");
    if (!Ok(value.get_array().get(outputs))) return false;
    outputs_given_ = true;
    request_->want_category = request_->want_confidence = false;
    for (auto element : outputs) {
      od::object output;
      if (element.get_object().get(output)) return Fail("each of 'outputs' must be an object");
      std::string name;
      for (auto member : output) {
        od::field field;
        if (!Ok(std::move(member).get(field))) return false;
        std::string_view key;
        if (!Ok(field.unescaped_key().get(key))) return false;
        if (key == "name") {
          std::string_view n;
          if (field.value().get_string().get(n)) return Fail("output 'name' must be a string");
          name.assign(n);
        } else if (key == "parameters") {
          if (!ParseParameters(field.value(), &top_k_, nullptr)) return false;
        }
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

  bool ParseShape(od::value value, const std::string& input, size_t* rows) {
    od::array shape;
    if (value.get_array().get(shape)) return Fail("input '" + input + "': 'shape' must be an array");
    std::vector<int64_t> dims;
    for (auto element : shape) {
      int64_t d = 0;
      if (element.get_int64().get(d)) {
        return Fail("input '" + input + "': 'shape' must hold integers");
      }
      dims.push_back(d);
    }
    if (dims.empty() || dims.size() > 2 || dims[0] < 1 || (dims.size() == 2 && dims[1] != 1)) {
      return Fail("input '" + input + "': shape must be [N] or [N, 1] with N >= 1");
    }
    *rows = static_cast<size_t>(dims[0]);
    return true;
  }

  bool ParseData(od::value value, Column* column, bool numeric, const std::string& input) {
    od::array data;
    if (value.get_array().get(data)) return Fail("input '" + input + "': 'data' must be an array");
    for (auto element : data) {
      if (column->text.size() + column->numbers.size() >= limits_.max_batch_items) {
        return Fail("input '" + input + "': at most " + std::to_string(limits_.max_batch_items) +
                    " rows per request");
      }
      od::value v;
      if (!Ok(std::move(element).get(v))) return false;
      od::json_type type{};
      if (!Ok(v.type().get(type))) return false;
      size_t row = column->text.size() + column->numbers.size();
      if (numeric) {
        double d = 0;
        if (type != od::json_type::number || v.get_double().get(d)) {
          return Fail("input '" + input + "' row " + std::to_string(row) +
                      ": expected a finite number (data must be flat)");
        }
        column->numbers.push_back(d);
      } else {
        std::string_view s;
        if (type != od::json_type::string) {
          return Fail("input '" + input + "' row " + std::to_string(row) +
                      ": BYTES data must be strings (data must be flat)");
        }
        if (!Ok(v.get_string().get(s))) return false;
        column->text.emplace_back(s);
      }
    }
    return true;
  }

  bool ParseInputs(od::value value) {
    od::array inputs;
    od::json_type type{};
    if (!Ok(value.type().get(type))) return false;
    if (type != od::json_type::array) return Fail("'inputs' must be an array");
    if (!Ok(value.get_array().get(inputs))) return false;
    for (auto element : inputs) {
      od::object input;
      if (element.get_object().get(input)) return Fail("each of 'inputs' must be an object");
      std::string name, datatype;
      bool has_data = false, has_shape = false;
      Column column;
      for (auto member : input) {
        od::field field;
        if (!Ok(std::move(member).get(field))) return false;
        std::string_view key;
        if (!Ok(field.unescaped_key().get(key))) return false;
        if (key == "name") {
          std::string_view n;
          if (field.value().get_string().get(n)) return Fail("input 'name' must be a string");
          name.assign(n);
        } else if (key == "datatype") {
          std::string_view d;
          if (field.value().get_string().get(d)) return Fail("input 'datatype' must be a string");
          datatype.assign(d);
        } else if (key == "shape") {
          size_t rows = 0;
          if (!ParseShape(field.value(), name.empty() ? "?" : name, &rows)) return false;
          column.shape_rows = rows;
          has_shape = true;
        } else if (key == "data") {
          // On Demand reads forward only, so "data" must follow "name" and "datatype" (as every
          // client library writes them).
          if (name.empty() || datatype.empty()) {
            return Fail("input 'data' must come after its 'name' and 'datatype'");
          }
          if (!Prepare(name, datatype, &column)) return false;
          if (!ParseData(field.value(), &column, IsNumericField(column.field), name)) return false;
          has_data = true;
        }
      }
      if (name.empty()) return Fail("each input needs a 'name'");
      if (!has_data) return Fail("input '" + name + "': 'data' is required");
      if (!has_shape) return Fail("input '" + name + "': 'shape' is required");
      size_t rows = column.text.size() + column.numbers.size();
      if (*column.shape_rows != rows) {
        return Fail("input '" + name + "': shape says " + std::to_string(*column.shape_rows) +
                    " rows but data has " + std::to_string(rows));
      }
      columns_.push_back(std::move(column));
    }
    return true;
  }

  // Checks the input's name and datatype and sets column->field.
  bool Prepare(const std::string& name, const std::string& datatype, Column* column) {
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
    size_t n = title->text.size();
    for (const Column& c : columns_) {
      size_t rows = c.text.size() + c.numbers.size();
      if (rows != n) {
        return Fail("input '" + std::string(FieldName(c.field)) + "' has " +
                    std::to_string(rows) + " rows but 'title' has " + std::to_string(n));
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
