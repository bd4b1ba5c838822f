// Reframing: rare classes merged into one "Other" class. Decided once on the training split,
// applied the same way to train, validation, test and serving, and recorded in the model bundle.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prodcat/common/status.h"

namespace prodcat {

struct Reframing {
  std::map<std::string, std::string> merged;  // original label -> replacement (other_label)
  std::string other_label = "Other";

  // Classes whose share of `labels` is below `min_share` merge into other_label. Empty labels
  // are ignored. With min_share <= 0 nothing merges.
  static Reframing Fit(const std::vector<std::string>& labels, double min_share,
                       const std::string& other_label = "Other");
  const std::string& Apply(const std::string& label) const;
  bool empty() const { return merged.empty(); }
  nlohmann::json ToJson() const;
  static Status FromJson(const nlohmann::json& j, Reframing* out);
};

}  // namespace prodcat
