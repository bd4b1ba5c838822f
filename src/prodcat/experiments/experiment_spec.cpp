#include "prodcat/experiments/experiment_spec.h"

#include <cmath>
#include <set>
#include <sstream>

#include "prodcat/experiments/assignment.h"

namespace prodcat::experiments {
namespace {

constexpr size_t kMaxArms = 100;
constexpr size_t kMaxDescriptionBytes = 4096;
constexpr size_t kMaxModelBytes = 1024;
constexpr size_t kMaxKeyFields = 16;

std::string Number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

bool HasControlCharacter(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Context prefix of every validation message.
std::string Where(const ExperimentSpec& spec) {
  return spec.id.empty() ? "experiment" : "experiment '" + spec.id + "'";
}

Status Invalid(const ExperimentSpec& spec, const std::string& field, const std::string& what) {
  return Status::InvalidArgument(Where(spec) + ": " + field + ": " + what);
}

// JSON type names for "expected X, got Y" messages.
std::string TypeName(const nlohmann::json& value) {
  return value.type_name();
}

Status RequireType(const nlohmann::json& value, const std::string& field, bool ok,
                   const char* expected) {
  if (ok) return Status::Ok();
  return Status::InvalidArgument("experiment spec: " + field + ": expected " + expected + ", got " +
                                 TypeName(value) + " " + value.dump());
}

Status ReadString(const nlohmann::json& value, const std::string& field, std::string* out) {
  PRODCAT_RETURN_IF_ERROR(RequireType(value, field, value.is_string(), "a string"));
  *out = value.get<std::string>();
  return Status::Ok();
}

Status ReadNumber(const nlohmann::json& value, const std::string& field, double* out) {
  PRODCAT_RETURN_IF_ERROR(RequireType(value, field, value.is_number(), "a number"));
  *out = value.get<double>();
  return Status::Ok();
}

Status ReadInteger(const nlohmann::json& value, const std::string& field, int64_t* out) {
  bool integral =
      value.is_number_integer() ||
      (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>() &&
       std::fabs(value.get<double>()) < 9e15);
  PRODCAT_RETURN_IF_ERROR(RequireType(value, field, integral, "an integer"));
  *out =
      value.is_number_integer() ? value.get<int64_t>() : static_cast<int64_t>(value.get<double>());
  return Status::Ok();
}

Status CheckKnownFields(const nlohmann::json& object, const std::string& field,
                        const std::set<std::string>& known) {
  for (const auto& [name, value] : object.items()) {
    if (known.count(name)) continue;
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    return Status::InvalidArgument("experiment spec: " + field + "unknown field '" + name +
                                   "' (expected one of: " + list + ")");
  }
  return Status::Ok();
}

Status ParseArm(const nlohmann::json& json, size_t index, ArmSpec* arm) {
  std::string field = "arms[" + std::to_string(index) + "]";
  PRODCAT_RETURN_IF_ERROR(RequireType(json, field, json.is_object(), "an object"));
  PRODCAT_RETURN_IF_ERROR(CheckKnownFields(json, field + ": ", {"name", "model", "weight"}));
  for (const char* required : {"name", "model"}) {
    if (!json.contains(required)) {
      return Status::InvalidArgument("experiment spec: " + field + "." + required +
                                     ": required field is missing");
    }
  }
  PRODCAT_RETURN_IF_ERROR(ReadString(json["name"], field + ".name", &arm->name));
  PRODCAT_RETURN_IF_ERROR(ReadString(json["model"], field + ".model", &arm->model));
  if (json.contains("weight")) {
    PRODCAT_RETURN_IF_ERROR(ReadNumber(json["weight"], field + ".weight", &arm->weight));
  }
  return Status::Ok();
}

}  // namespace

const char* ExperimentStatusName(ExperimentStatus status) {
  return status == ExperimentStatus::kRunning ? "running" : "stopped";
}

std::vector<std::string> DefaultKeyFields() {
  return {"user_id", "session_id", "product_id"};
}

bool IsValidIdentifier(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status ValidateExperimentSpec(const ExperimentSpec& spec) {
  if (!IsValidIdentifier(spec.id)) {
    return Invalid(spec, "id",
                   "expected 1 to 64 characters from [A-Za-z0-9_.-], got '" + spec.id + "'");
  }
  if (spec.description.size() > kMaxDescriptionBytes) {
    return Invalid(spec, "description",
                   "expected at most " + std::to_string(kMaxDescriptionBytes) + " bytes, got " +
                       std::to_string(spec.description.size()));
  }
  if (spec.arms.size() < 2 || spec.arms.size() > kMaxArms) {
    return Invalid(spec, "arms",
                   "expected between 2 and " + std::to_string(kMaxArms) + " arms, got " +
                       std::to_string(spec.arms.size()));
  }
  std::set<std::string> names;
  std::vector<double> weights;
  for (size_t i = 0; i < spec.arms.size(); ++i) {
    const ArmSpec& arm = spec.arms[i];
    std::string field = "arms[" + std::to_string(i) + "]";
    if (!IsValidIdentifier(arm.name)) {
      return Invalid(spec, field + ".name",
                     "expected 1 to 64 characters from [A-Za-z0-9_.-], got '" + arm.name + "'");
    }
    if (!names.insert(arm.name).second) {
      return Invalid(spec, field + ".name",
                     "arm names must be unique, '" + arm.name + "' appears more than once");
    }
    if (arm.model.empty() || arm.model.size() > kMaxModelBytes || HasControlCharacter(arm.model)) {
      return Invalid(spec, field + ".model",
                     "expected a model reference (models:/NAME/VERSION, models:/NAME@ALIAS or a "
                     "bundle directory) of 1 to " +
                         std::to_string(kMaxModelBytes) + " printable bytes");
    }
    if (!std::isfinite(arm.weight) || arm.weight <= 0) {
      return Invalid(spec, field + ".weight",
                     "expected a positive finite number, got " + Number(arm.weight));
    }
    weights.push_back(arm.weight);
  }
  std::vector<BucketRange> ranges;
  Status split = ComputeBucketRanges(weights, &ranges);
  if (!split.ok()) return Status::InvalidArgument(Where(spec) + ": " + split.message());

  if (spec.key_fields.empty() || spec.key_fields.size() > kMaxKeyFields) {
    return Invalid(spec, "key_fields",
                   "expected 1 to " + std::to_string(kMaxKeyFields) + " field names, got " +
                       std::to_string(spec.key_fields.size()));
  }
  std::set<std::string> key_fields;
  for (size_t i = 0; i < spec.key_fields.size(); ++i) {
    const std::string& name = spec.key_fields[i];
    std::string field = "key_fields[" + std::to_string(i) + "]";
    if (name.empty() || name.size() > 64 || HasControlCharacter(name)) {
      return Invalid(spec, field, "expected a field name of 1 to 64 printable bytes");
    }
    if (!key_fields.insert(name).second) {
      return Invalid(spec, field, "'" + name + "' appears more than once");
    }
  }
  if (!(spec.alpha > 0 && spec.alpha <= 0.5)) {
    return Invalid(spec, "alpha", "expected a number in (0, 0.5], got " + Number(spec.alpha));
  }
  if (spec.min_feedback_per_arm < 1 || spec.min_feedback_per_arm > 1'000'000'000) {
    return Invalid(
        spec, "min_feedback_per_arm",
        "expected an integer in [1, 1e9], got " + std::to_string(spec.min_feedback_per_arm));
  }
  if (!(spec.min_detectable_effect > 0 && spec.min_detectable_effect < 1)) {
    return Invalid(
        spec, "min_detectable_effect",
        "expected an accuracy difference in (0, 1), got " + Number(spec.min_detectable_effect));
  }
  if (!(spec.mixture_sd > 0 && spec.mixture_sd <= 1)) {
    return Invalid(spec, "mixture_sd",
                   "expected a standard deviation in (0, 1], got " + Number(spec.mixture_sd));
  }
  if (spec.created_at.size() > 64 || HasControlCharacter(spec.created_at)) {
    return Invalid(spec, "created_at", "expected an ISO-8601 time of at most 64 bytes");
  }
  return Status::Ok();
}

nlohmann::json ExperimentSpecToJson(const ExperimentSpec& spec) {
  nlohmann::json arms = nlohmann::json::array();
  for (const ArmSpec& arm : spec.arms) {
    arms.push_back({{"name", arm.name}, {"model", arm.model}, {"weight", arm.weight}});
  }
  return {{"id", spec.id},
          {"description", spec.description},
          {"arms", arms},
          {"key_fields", spec.key_fields},
          {"alpha", spec.alpha},
          {"min_feedback_per_arm", spec.min_feedback_per_arm},
          {"min_detectable_effect", spec.min_detectable_effect},
          {"mixture_sd", spec.mixture_sd},
          {"status", ExperimentStatusName(spec.status)},
          {"created_at", spec.created_at}};
}

Status ExperimentSpecFromJson(const nlohmann::json& json, ExperimentSpec* out) {
  if (!json.is_object()) {
    return Status::InvalidArgument("experiment spec: expected a JSON object, got " +
                                   TypeName(json));
  }
  PRODCAT_RETURN_IF_ERROR(
      CheckKnownFields(json, "",
                       {"id", "description", "arms", "key_fields", "alpha", "min_feedback_per_arm",
                        "min_detectable_effect", "mixture_sd", "status", "created_at"}));
  ExperimentSpec spec;
  for (const char* required : {"id", "arms"}) {
    if (!json.contains(required)) {
      return Status::InvalidArgument(std::string("experiment spec: ") + required +
                                     ": required field is missing");
    }
  }
  PRODCAT_RETURN_IF_ERROR(ReadString(json["id"], "id", &spec.id));
  if (json.contains("description")) {
    PRODCAT_RETURN_IF_ERROR(ReadString(json["description"], "description", &spec.description));
  }
  const nlohmann::json& arms = json["arms"];
  PRODCAT_RETURN_IF_ERROR(RequireType(arms, "arms", arms.is_array(), "an array of arms"));
  for (size_t i = 0; i < arms.size(); ++i) {
    ArmSpec arm;
    PRODCAT_RETURN_IF_ERROR(ParseArm(arms[i], i, &arm));
    spec.arms.push_back(std::move(arm));
  }
  if (json.contains("key_fields")) {
    const nlohmann::json& fields = json["key_fields"];
    PRODCAT_RETURN_IF_ERROR(
        RequireType(fields, "key_fields", fields.is_array(), "an array of field names"));
    spec.key_fields.clear();
    for (size_t i = 0; i < fields.size(); ++i) {
      std::string name;
      PRODCAT_RETURN_IF_ERROR(
          ReadString(fields[i], "key_fields[" + std::to_string(i) + "]", &name));
      spec.key_fields.push_back(std::move(name));
    }
  }
  if (json.contains("alpha")) {
    PRODCAT_RETURN_IF_ERROR(ReadNumber(json["alpha"], "alpha", &spec.alpha));
  }
  if (json.contains("min_feedback_per_arm")) {
    PRODCAT_RETURN_IF_ERROR(ReadInteger(json["min_feedback_per_arm"], "min_feedback_per_arm",
                                        &spec.min_feedback_per_arm));
  }
  if (json.contains("min_detectable_effect")) {
    PRODCAT_RETURN_IF_ERROR(ReadNumber(json["min_detectable_effect"], "min_detectable_effect",
                                       &spec.min_detectable_effect));
  }
  if (json.contains("mixture_sd")) {
    PRODCAT_RETURN_IF_ERROR(ReadNumber(json["mixture_sd"], "mixture_sd", &spec.mixture_sd));
  }
  if (json.contains("status")) {
    std::string status;
    PRODCAT_RETURN_IF_ERROR(ReadString(json["status"], "status", &status));
    if (status == "running") {
      spec.status = ExperimentStatus::kRunning;
    } else if (status == "stopped") {
      spec.status = ExperimentStatus::kStopped;
    } else {
      return Status::InvalidArgument(
          "experiment spec: status: expected 'running' or 'stopped', got '" + status + "'");
    }
  }
  if (json.contains("created_at")) {
    PRODCAT_RETURN_IF_ERROR(ReadString(json["created_at"], "created_at", &spec.created_at));
  }
  PRODCAT_RETURN_IF_ERROR(ValidateExperimentSpec(spec));
  *out = std::move(spec);
  return Status::Ok();
}

bool SameDefinition(const ExperimentSpec& a, const ExperimentSpec& b, std::string* difference) {
  auto differ = [&](const char* field) {
    if (difference) *difference = field;
    return false;
  };
  if (a.id != b.id) return differ("id");
  if (a.arms.size() != b.arms.size()) return differ("arms");
  for (size_t i = 0; i < a.arms.size(); ++i) {
    if (a.arms[i].name != b.arms[i].name || a.arms[i].model != b.arms[i].model ||
        a.arms[i].weight != b.arms[i].weight) {
      return differ("arms");
    }
  }
  if (a.key_fields != b.key_fields) return differ("key_fields");
  if (a.alpha != b.alpha) return differ("alpha");
  if (a.min_feedback_per_arm != b.min_feedback_per_arm) return differ("min_feedback_per_arm");
  if (a.min_detectable_effect != b.min_detectable_effect) return differ("min_detectable_effect");
  if (a.mixture_sd != b.mixture_sd) return differ("mixture_sd");
  return true;
}

}  // namespace prodcat::experiments
