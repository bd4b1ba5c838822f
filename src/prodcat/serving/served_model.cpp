#include "prodcat/serving/served_model.h"

#include <algorithm>
#include <ctime>

namespace prodcat::serving {

std::string ModelVersion(const nlohmann::json& manifest, std::string_view manifest_sha256) {
  auto version = manifest.find("version");
  if (version != manifest.end()) {
    if (version->is_string() && !version->get<std::string>().empty()) {
      return version->get<std::string>();
    }
    if (version->is_number_integer()) return std::to_string(version->get<int64_t>());
  }
  auto fingerprint = manifest.find("data_fingerprint");
  if (fingerprint != manifest.end() && fingerprint->is_string() &&
      fingerprint->get<std::string>().size() >= 12) {
    return fingerprint->get<std::string>().substr(0, 12);
  }
  return std::string(manifest_sha256.substr(0, 12));
}

void PrepareServedModel(ServedModel* model) {
  const std::vector<std::string>& names = model->bundle->class_names();
  model->class_ids.clear();
  for (size_t i = 0; i < names.size(); ++i) model->class_ids[names[i]] = static_cast<int>(i);
  std::vector<double> share(names.size(), 0.0);
  double total = 0;
  const nlohmann::json& profile = model->bundle->reference_profile();
  for (const char* key : {"label_distribution", "predictions"}) {
    const nlohmann::json* list = nullptr;
    if (std::string_view(key) == "predictions") {
      auto p = profile.find("predictions");
      if (p != profile.end() && p->contains("class_distribution")) {
        list = &(*p)["class_distribution"];
      }
    } else if (profile.contains(key)) {
      list = &profile[key];
    }
    if (list == nullptr || !list->is_array()) continue;
    for (const nlohmann::json& entry : *list) {
      auto id = model->class_ids.find(entry.value("class", ""));
      double count = entry.value("count", 0.0);
      if (id == model->class_ids.end() || !(count > 0)) continue;
      share[static_cast<size_t>(id->second)] += count;
      total += count;
    }
    if (total > 0) break;
  }
  model->prior.clear();
  for (size_t i = 0; i < names.size(); ++i) {
    double p = total > 0 ? share[i] / total : 1.0 / static_cast<double>(names.size());
    model->prior.push_back({names[i], static_cast<float>(p)});
  }
  std::stable_sort(
      model->prior.begin(), model->prior.end(),
      [](const ScoredLabel& a, const ScoredLabel& b) { return a.probability > b.probability; });
}

std::vector<ScoredLabel> PriorTopK(const ServedModel& model, size_t k) {
  if (model.prior.empty()) {  // installed without PrepareServedModel: uniform
    const auto& names = model.bundle->class_names();
    std::vector<ScoredLabel> uniform;
    for (size_t i = 0; i < std::min(k, names.size()); ++i) {
      uniform.push_back({names[i], 1.0f / static_cast<float>(names.size())});
    }
    return uniform;
  }
  k = std::min(k, model.prior.size());
  return {model.prior.begin(), model.prior.begin() + static_cast<std::ptrdiff_t>(k)};
}

std::string UtcNowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

}  // namespace prodcat::serving
