// The definition of an A/B experiment: which models compete (arms and their traffic weights),
// which request field makes assignment sticky, and the statistical settings of the comparison.
// Specs arrive as JSON (server config or POST /experiments) and are validated before use, with
// errors naming the field and what was expected.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat::experiments {

enum class ExperimentStatus {
  kRunning,  // receives traffic (at most one experiment at a time)
  kStopped,  // keeps its data and still accepts feedback, receives no new traffic
};

// "running" or "stopped".
const char* ExperimentStatusName(ExperimentStatus status);

struct ArmSpec {
  std::string name;   // unique within the experiment, [A-Za-z0-9_.-]{1,64}
  std::string model;  // "models:/NAME/VERSION", "models:/NAME@ALIAS" or a bundle directory;
                      // resolved by the server, never here
  double weight = 1;  // > 0; the arm's traffic share is weight / (sum of weights)
};

// The request fields tried, in order, for the assignment key.
std::vector<std::string> DefaultKeyFields();

struct ExperimentSpec {
  std::string id;             // [A-Za-z0-9_.-]{1,64}; also part of the bucket hash
  std::string description;    // free text for people, at most 4096 bytes
  std::vector<ArmSpec> arms;  // >= 2; arms[0] is the control every other arm is compared with
  std::vector<std::string> key_fields = DefaultKeyFields();  // first present one is the key
  double alpha = 0.05;                  // family-wise error rate of the comparisons, in (0, 0.5]
  int64_t min_feedback_per_arm = 100;   // no verdict before every arm has this much feedback
  double min_detectable_effect = 0.01;  // "no_difference" once B-A is known within +/- this
  double mixture_sd = 0.02;             // tau: sd of the mSPRT's normal mixture over B-A accuracy
  ExperimentStatus status = ExperimentStatus::kRunning;  // see ExperimentStatus
  std::string created_at;  // ISO-8601 UTC; filled in by ExperimentManager::Create when empty
};

// Checks every field; the message names the field and what was expected, e.g.
// "experiment 'exp1': arms[1].weight: expected a positive finite number, got -1".
Status ValidateExperimentSpec(const ExperimentSpec& spec);

nlohmann::json ExperimentSpecToJson(const ExperimentSpec& spec);

// Parses and validates. Missing optional fields take their defaults; unknown fields are errors
// (a typo such as "wieght" must not silently become the default).
Status ExperimentSpecFromJson(const nlohmann::json& json, ExperimentSpec* spec);

// True when both specs describe the same experiment statistically: same id, arms (names, models,
// weights), key fields and statistical settings. Description, status and created_at are ignored.
// On false, `difference` names the first differing field.
bool SameDefinition(const ExperimentSpec& a, const ExperimentSpec& b, std::string* difference);

// True for [A-Za-z0-9_.-]{1,64}, the charset of experiment ids and arm names.
bool IsValidIdentifier(std::string_view text);

}  // namespace prodcat::experiments
