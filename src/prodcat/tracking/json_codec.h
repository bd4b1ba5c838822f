// Entities <-> MLflow's JSON (protobuf JSON with the proto field names): snake_case fields, ids
// as strings, enums by name, int64 timestamps as numbers, non-finite doubles as "NaN" /
// "Infinity" / "-Infinity", empty repeated fields left out. Readers accept what protobuf's JSON
// parser accepts (int64 as number or string, enums by name or number).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/tracking/entities.h"
#include "prodcat/tracking/registry_entities.h"

namespace prodcat::tracking {

using Json = nlohmann::json;

Json DoubleToJson(double value);
Json ExperimentToJson(const Experiment& e);
Json RunInfoToJson(const RunInfo& info);
Json MetricToJson(const Metric& m);
Json RunToJson(const Run& run);
Json DatasetInputToJson(const DatasetInput& input);
Json FileInfoToJson(const FileInfo& f);
Json ModelVersionToJson(const ModelVersion& v);
Json RegisteredModelToJson(const RegisteredModel& m);
Json StageTransitionToJson(const StageTransition& t);
Json KeyValuesToJson(const std::vector<KeyValue>& items);

Status ExperimentFromJson(const Json& j, Experiment* e);
Status RunInfoFromJson(const Json& j, RunInfo* info);
Status MetricFromJson(const Json& j, Metric* m);
Status RunFromJson(const Json& j, Run* run);
Status DatasetInputFromJson(const Json& j, DatasetInput* input);
Status FileInfoFromJson(const Json& j, FileInfo* f);
Status ModelVersionFromJson(const Json& j, ModelVersion* v);
Status RegisteredModelFromJson(const Json& j, RegisteredModel* m);
Status StageTransitionFromJson(const Json& j, StageTransition* t);
Status KeyValuesFromJson(const Json& j, const char* field, std::vector<KeyValue>* items);

// Request field readers. A missing required field is MLflow's "Missing value for required
// parameter 'x'"; a value of the wrong type names the field and what was expected.
Status ReadString(const Json& j, const char* field, bool required, std::string* out);
Status ReadInt64(const Json& j, const char* field, bool required, int64_t* out,
                 bool* present = nullptr);
Status ReadDouble(const Json& j, const char* field, bool required, double* out);
Status ReadBool(const Json& j, const char* field, bool required, bool* out,
                bool* present = nullptr);
Status ReadStringList(const Json& j, const char* field, std::vector<std::string>* out);

}  // namespace prodcat::tracking
