#include "prodcat/data/reframing.h"

#include <unordered_map>

namespace prodcat {

Reframing Reframing::Fit(const std::vector<std::string>& labels, double min_share,
                         const std::string& other_label) {
  Reframing r;
  r.other_label = other_label;
  if (min_share <= 0) return r;
  std::unordered_map<std::string, size_t> counts;
  size_t total = 0;
  for (const auto& l : labels) {
    if (l.empty()) continue;
    ++counts[l];
    ++total;
  }
  if (total == 0) return r;
  for (const auto& [label, n] : counts) {
    if (static_cast<double>(n) / static_cast<double>(total) < min_share && label != other_label) {
      r.merged[label] = other_label;
    }
  }
  return r;
}

const std::string& Reframing::Apply(const std::string& label) const {
  auto it = merged.find(label);
  return it == merged.end() ? label : it->second;
}

nlohmann::json Reframing::ToJson() const {
  nlohmann::json j;
  j["other_label"] = other_label;
  j["merged"] = nlohmann::json::object();
  for (const auto& [from, to] : merged) j["merged"][from] = to;
  return j;
}

Status Reframing::FromJson(const nlohmann::json& j, Reframing* out) {
  if (!j.is_object()) return Status::InvalidArgument("reframing: expected a JSON object");
  Reframing r;
  r.other_label = j.value("other_label", std::string("Other"));
  if (j.contains("merged")) {
    if (!j["merged"].is_object()) {
      return Status::InvalidArgument("reframing: 'merged' must be an object of label -> label");
    }
    for (const auto& [from, to] : j["merged"].items()) {
      if (!to.is_string()) return Status::InvalidArgument("reframing: '" + from + "' maps to a non-string");
      r.merged[from] = to.get<std::string>();
    }
  }
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace prodcat
