#include "prodcat/tracking/json_codec.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace prodcat::tracking {
namespace {

Status Missing(const char* field) {
  return Status::InvalidArgument(std::string("Missing value for required parameter '") + field +
                                 "'. See the API docs for more information about request "
                                 "parameters.");
}

Status WrongType(const char* field, const Json& value, const char* expected) {
  std::string shown = value.dump();
  if (shown.size() > 60) shown = shown.substr(0, 60) + "...";
  return Status::InvalidArgument(std::string("Invalid value ") + shown + " for parameter '" +
                                 field + "' supplied: expected " + expected);
}

bool Present(const Json& j, const char* field) {
  return j.is_object() && j.contains(field) && !j[field].is_null();
}

void PutIfNotEmpty(Json* j, const char* field, const std::string& value) {
  if (!value.empty()) (*j)[field] = value;
}

std::string Str(const Json& j, const char* field) {
  if (!Present(j, field)) return "";
  const Json& v = j[field];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

int64_t Int(const Json& j, const char* field) {
  int64_t v = 0;
  (void)ReadInt64(j, field, false, &v);
  return v;
}

}  // namespace

Json DoubleToJson(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

Json KeyValuesToJson(const std::vector<KeyValue>& items) {
  Json out = Json::array();
  for (const KeyValue& kv : items) out.push_back({{"key", kv.key}, {"value", kv.value}});
  return out;
}

Json ExperimentToJson(const Experiment& e) {
  Json j = {{"experiment_id", e.experiment_id},         {"name", e.name},
            {"artifact_location", e.artifact_location}, {"lifecycle_stage", e.lifecycle_stage},
            {"last_update_time", e.last_update_time},   {"creation_time", e.creation_time}};
  if (!e.tags.empty()) j["tags"] = KeyValuesToJson(e.tags);
  return j;
}

Json RunInfoToJson(const RunInfo& info) {
  Json j = {{"run_id", info.run_id},
            {"run_uuid", info.run_id},
            {"run_name", info.run_name},
            {"experiment_id", info.experiment_id},
            {"user_id", info.user_id},
            {"status", RunStatusName(info.status)},
            {"start_time", info.start_time},
            {"artifact_uri", info.artifact_uri},
            {"lifecycle_stage", info.lifecycle_stage}};
  if (info.end_time) j["end_time"] = *info.end_time;
  return j;
}

Json MetricToJson(const Metric& m) {
  return {{"key", m.key},
          {"value", DoubleToJson(m.value)},
          {"timestamp", m.timestamp},
          {"step", m.step}};
}

Json DatasetInputToJson(const DatasetInput& input) {
  Json dataset = {{"name", input.dataset.name},
                  {"digest", input.dataset.digest},
                  {"source_type", input.dataset.source_type},
                  {"source", input.dataset.source}};
  PutIfNotEmpty(&dataset, "schema", input.dataset.schema);
  PutIfNotEmpty(&dataset, "profile", input.dataset.profile);
  Json j = {{"dataset", dataset}};
  if (!input.tags.empty()) j["tags"] = KeyValuesToJson(input.tags);
  return j;
}

Json RunToJson(const Run& run) {
  Json data = Json::object();
  if (!run.metrics.empty()) {
    data["metrics"] = Json::array();
    for (const Metric& m : run.metrics) data["metrics"].push_back(MetricToJson(m));
  }
  if (!run.params.empty()) data["params"] = KeyValuesToJson(run.params);
  if (!run.tags.empty()) data["tags"] = KeyValuesToJson(run.tags);
  Json inputs = Json::object();
  if (!run.inputs.empty()) {
    inputs["dataset_inputs"] = Json::array();
    for (const DatasetInput& d : run.inputs)
      inputs["dataset_inputs"].push_back(DatasetInputToJson(d));
  }
  return {{"info", RunInfoToJson(run.info)}, {"data", data}, {"inputs", inputs}};
}

Json FileInfoToJson(const FileInfo& f) {
  Json j = {{"path", f.path}, {"is_dir", f.is_dir}};
  if (!f.is_dir) j["file_size"] = f.file_size;
  return j;
}

Json ModelVersionToJson(const ModelVersion& v) {
  Json j = {{"name", v.name},
            {"version", std::to_string(v.version)},
            {"creation_timestamp", v.creation_timestamp},
            {"last_updated_timestamp", v.last_updated_timestamp},
            {"current_stage", v.current_stage},
            {"description", v.description},
            {"source", v.source},
            {"run_id", v.run_id},
            {"status", v.status}};
  PutIfNotEmpty(&j, "user_id", v.user_id);
  PutIfNotEmpty(&j, "run_link", v.run_link);
  PutIfNotEmpty(&j, "status_message", v.status_message);
  if (!v.tags.empty()) j["tags"] = KeyValuesToJson(v.tags);
  if (!v.aliases.empty()) j["aliases"] = v.aliases;
  return j;
}

Json RegisteredModelToJson(const RegisteredModel& m) {
  Json j = {{"name", m.name},
            {"creation_timestamp", m.creation_timestamp},
            {"last_updated_timestamp", m.last_updated_timestamp}};
  PutIfNotEmpty(&j, "description", m.description);
  if (!m.latest_versions.empty()) {
    j["latest_versions"] = Json::array();
    for (const ModelVersion& v : m.latest_versions) {
      j["latest_versions"].push_back(ModelVersionToJson(v));
    }
  }
  if (!m.tags.empty()) j["tags"] = KeyValuesToJson(m.tags);
  if (!m.aliases.empty()) {
    j["aliases"] = Json::array();
    for (const RegisteredModelAlias& a : m.aliases) {
      j["aliases"].push_back({{"alias", a.alias}, {"version", std::to_string(a.version)}});
    }
  }
  return j;
}

Json StageTransitionToJson(const StageTransition& t) {
  return {{"name", t.name},
          {"version", std::to_string(t.version)},
          {"from_stage", t.from_stage},
          {"to_stage", t.to_stage},
          {"user_id", t.user},
          {"timestamp", t.timestamp},
          {"comment", t.comment}};
}

// ---------------------------------------------------------------- readers

Status ReadString(const Json& j, const char* field, bool required, std::string* out) {
  if (!Present(j, field)) return required ? Missing(field) : Status::Ok();
  const Json& v = j[field];
  if (!v.is_string()) return WrongType(field, v, "a string");
  *out = v.get<std::string>();
  if (required && out->empty()) return Missing(field);
  return Status::Ok();
}

Status ReadInt64(const Json& j, const char* field, bool required, int64_t* out, bool* present) {
  if (present) *present = false;
  if (!Present(j, field)) return required ? Missing(field) : Status::Ok();
  const Json& v = j[field];
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
  } else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) {
    *out = static_cast<int64_t>(v.get<double>());
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    long long parsed = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || !end || *end != '\0') return WrongType(field, v, "an integer");
    *out = parsed;
  } else {
    return WrongType(field, v, "an integer");
  }
  if (present) *present = true;
  return Status::Ok();
}

Status ReadDouble(const Json& j, const char* field, bool required, double* out) {
  if (!Present(j, field)) return required ? Missing(field) : Status::Ok();
  const Json& v = j[field];
  if (v.is_number()) {
    *out = v.get<double>();
    return Status::Ok();
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "NaN") {
      *out = std::numeric_limits<double>::quiet_NaN();
    } else if (s == "Infinity") {
      *out = std::numeric_limits<double>::infinity();
    } else if (s == "-Infinity") {
      *out = -std::numeric_limits<double>::infinity();
    } else {
      char* end = nullptr;
      *out = std::strtod(s.c_str(), &end);
      if (s.empty() || !end || *end != '\0') return WrongType(field, v, "a number");
    }
    return Status::Ok();
  }
  return WrongType(field, v, "a number");
}

Status ReadBool(const Json& j, const char* field, bool required, bool* out, bool* present) {
  if (present) *present = false;
  if (!Present(j, field)) return required ? Missing(field) : Status::Ok();
  const Json& v = j[field];
  if (v.is_boolean()) {
    *out = v.get<bool>();
  } else if (v.is_string()) {
    std::string s = v.get<std::string>();
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s != "true" && s != "false") return WrongType(field, v, "true or false");
    *out = s == "true";
  } else {
    return WrongType(field, v, "true or false");
  }
  if (present) *present = true;
  return Status::Ok();
}

Status ReadStringList(const Json& j, const char* field, std::vector<std::string>* out) {
  out->clear();
  if (!Present(j, field)) return Status::Ok();
  const Json& v = j[field];
  if (v.is_string()) {
    out->push_back(v.get<std::string>());
    return Status::Ok();
  }
  if (!v.is_array()) return WrongType(field, v, "a list of strings");
  for (const Json& item : v) {
    if (item.is_string()) {
      out->push_back(item.get<std::string>());
    } else if (item.is_number_integer()) {
      out->push_back(std::to_string(item.get<int64_t>()));
    } else {
      return WrongType(field, v, "a list of strings");
    }
  }
  return Status::Ok();
}

Status KeyValuesFromJson(const Json& j, const char* field, std::vector<KeyValue>* items) {
  items->clear();
  if (!Present(j, field)) return Status::Ok();
  const Json& v = j[field];
  if (!v.is_array()) return WrongType(field, v, "a list of {key, value} objects");
  for (const Json& item : v) {
    KeyValue kv;
    PRODCAT_RETURN_IF_ERROR(ReadString(item, "key", true, &kv.key));
    if (Present(item, "value")) {
      if (item["value"].is_string()) {
        kv.value = item["value"].get<std::string>();
      } else {
        return WrongType("value", item["value"], "a string");
      }
    }
    items->push_back(std::move(kv));
  }
  return Status::Ok();
}

Status ExperimentFromJson(const Json& j, Experiment* e) {
  e->experiment_id = Str(j, "experiment_id");
  e->name = Str(j, "name");
  e->artifact_location = Str(j, "artifact_location");
  e->lifecycle_stage = Str(j, "lifecycle_stage");
  e->creation_time = Int(j, "creation_time");
  e->last_update_time = Int(j, "last_update_time");
  return KeyValuesFromJson(j, "tags", &e->tags);
}

Status RunInfoFromJson(const Json& j, RunInfo* info) {
  info->run_id = Str(j, "run_id");
  if (info->run_id.empty()) info->run_id = Str(j, "run_uuid");
  info->experiment_id = Str(j, "experiment_id");
  info->run_name = Str(j, "run_name");
  info->user_id = Str(j, "user_id");
  std::string status = Str(j, "status");
  if (!status.empty() && !ParseRunStatus(status, &info->status)) {
    return Status::InvalidArgument("unknown run status '" + status + "'");
  }
  info->start_time = Int(j, "start_time");
  bool has_end = false;
  int64_t end = 0;
  PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "end_time", false, &end, &has_end));
  if (has_end) info->end_time = end;
  info->artifact_uri = Str(j, "artifact_uri");
  info->lifecycle_stage = Str(j, "lifecycle_stage");
  return Status::Ok();
}

Status MetricFromJson(const Json& j, Metric* m) {
  PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &m->key));
  PRODCAT_RETURN_IF_ERROR(ReadDouble(j, "value", true, &m->value));
  PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "timestamp", false, &m->timestamp));
  return ReadInt64(j, "step", false, &m->step);
}

Status DatasetInputFromJson(const Json& j, DatasetInput* input) {
  PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(j, "tags", &input->tags));
  if (!Present(j, "dataset") || !j["dataset"].is_object()) return Missing("dataset");
  const Json& d = j["dataset"];
  PRODCAT_RETURN_IF_ERROR(ReadString(d, "name", true, &input->dataset.name));
  PRODCAT_RETURN_IF_ERROR(ReadString(d, "digest", true, &input->dataset.digest));
  PRODCAT_RETURN_IF_ERROR(ReadString(d, "source_type", false, &input->dataset.source_type));
  PRODCAT_RETURN_IF_ERROR(ReadString(d, "source", false, &input->dataset.source));
  PRODCAT_RETURN_IF_ERROR(ReadString(d, "schema", false, &input->dataset.schema));
  return ReadString(d, "profile", false, &input->dataset.profile);
}

Status RunFromJson(const Json& j, Run* run) {
  if (!Present(j, "info")) return Status::InvalidArgument("run without 'info'");
  PRODCAT_RETURN_IF_ERROR(RunInfoFromJson(j["info"], &run->info));
  run->metrics.clear();
  if (Present(j, "data")) {
    const Json& data = j["data"];
    if (Present(data, "metrics")) {
      for (const Json& m : data["metrics"]) {
        Metric metric;
        PRODCAT_RETURN_IF_ERROR(MetricFromJson(m, &metric));
        run->metrics.push_back(std::move(metric));
      }
    }
    PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(data, "params", &run->params));
    PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(data, "tags", &run->tags));
  }
  run->inputs.clear();
  if (Present(j, "inputs") && Present(j["inputs"], "dataset_inputs")) {
    for (const Json& d : j["inputs"]["dataset_inputs"]) {
      DatasetInput input;
      PRODCAT_RETURN_IF_ERROR(DatasetInputFromJson(d, &input));
      run->inputs.push_back(std::move(input));
    }
  }
  return Status::Ok();
}

Status FileInfoFromJson(const Json& j, FileInfo* f) {
  f->path = Str(j, "path");
  f->is_dir = Present(j, "is_dir") && j["is_dir"].is_boolean() && j["is_dir"].get<bool>();
  f->file_size = Int(j, "file_size");
  return Status::Ok();
}

Status ModelVersionFromJson(const Json& j, ModelVersion* v) {
  v->name = Str(j, "name");
  PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "version", true, &v->version));
  v->creation_timestamp = Int(j, "creation_timestamp");
  v->last_updated_timestamp = Int(j, "last_updated_timestamp");
  v->user_id = Str(j, "user_id");
  v->current_stage = Present(j, "current_stage") ? Str(j, "current_stage") : "None";
  v->description = Str(j, "description");
  v->source = Str(j, "source");
  v->run_id = Str(j, "run_id");
  v->run_link = Str(j, "run_link");
  v->status = Present(j, "status") ? Str(j, "status") : kModelVersionReady;
  v->status_message = Str(j, "status_message");
  PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(j, "tags", &v->tags));
  return ReadStringList(j, "aliases", &v->aliases);
}

Status RegisteredModelFromJson(const Json& j, RegisteredModel* m) {
  m->name = Str(j, "name");
  m->creation_timestamp = Int(j, "creation_timestamp");
  m->last_updated_timestamp = Int(j, "last_updated_timestamp");
  m->description = Str(j, "description");
  m->latest_versions.clear();
  if (Present(j, "latest_versions")) {
    for (const Json& v : j["latest_versions"]) {
      ModelVersion version;
      PRODCAT_RETURN_IF_ERROR(ModelVersionFromJson(v, &version));
      m->latest_versions.push_back(std::move(version));
    }
  }
  PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(j, "tags", &m->tags));
  m->aliases.clear();
  if (Present(j, "aliases")) {
    for (const Json& a : j["aliases"]) {
      RegisteredModelAlias alias;
      alias.alias = Str(a, "alias");
      PRODCAT_RETURN_IF_ERROR(ReadInt64(a, "version", true, &alias.version));
      m->aliases.push_back(std::move(alias));
    }
  }
  return Status::Ok();
}

Status StageTransitionFromJson(const Json& j, StageTransition* t) {
  t->name = Str(j, "name");
  PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "version", true, &t->version));
  t->from_stage = Str(j, "from_stage");
  t->to_stage = Str(j, "to_stage");
  t->user = Str(j, "user_id");
  t->timestamp = Int(j, "timestamp");
  t->comment = Str(j, "comment");
  return Status::Ok();
}

}  // namespace prodcat::tracking
