#include "prodcat/monitoring/drift_options.h"

#include <cmath>
#include <cstdlib>

namespace prodcat::monitoring {
namespace {

bool IsProbability(double p) {
  return p > 0 && p <= 1;
}

Status CheckOrder(const char* warning_name, double warning, const char* alert_name, double alert) {
  if (!(warning > 0) || !(alert > 0) || !std::isfinite(warning) || !std::isfinite(alert)) {
    return Status::InvalidArgument(std::string("drift options: ") + warning_name + " and " +
                                   alert_name + " must be positive and finite");
  }
  if (warning > alert) {
    return Status::InvalidArgument(std::string("drift options: ") + warning_name + " (" +
                                   std::to_string(warning) + ") must not exceed " + alert_name +
                                   " (" + std::to_string(alert) + ")");
  }
  return Status::Ok();
}

// Parses a --set value: a number, true/false, or a comma-separated list of names.
nlohmann::json ParseValue(std::string_view text, const nlohmann::json& current) {
  std::string value(text);
  if (current.is_array()) {
    nlohmann::json list = nlohmann::json::array();
    size_t start = 0;
    while (start <= value.size()) {
      size_t end = value.find(',', start);
      if (end == std::string::npos) end = value.size();
      if (end > start) list.push_back(value.substr(start, end - start));
      start = end + 1;
    }
    return list;
  }
  if (current.is_boolean()) {
    if (value == "true") return true;
    if (value == "false") return false;
    return value;  // rejected by the type check in MergeJson
  }
  char* end = nullptr;
  const double number = std::strtod(value.c_str(), &end);
  if (!value.empty() && end == value.c_str() + value.size()) return number;
  return value;
}

template <typename T>
Status Read(const nlohmann::json& j, const char* key, T* out) {
  if (!j.contains(key)) return Status::Ok();
  const nlohmann::json& v = j.at(key);
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) {
      return Status::InvalidArgument(std::string("drift options: '") + key +
                                     "' expects true or false, got " + v.dump());
    }
    *out = v.get<bool>();
  } else {
    if (!v.is_number()) {
      return Status::InvalidArgument(std::string("drift options: '") + key +
                                     "' expects a number, got " + v.dump());
    }
    const double d = v.get<double>();
    if constexpr (std::is_integral_v<T>) {
      if (d < 0 || d != std::floor(d)) {
        return Status::InvalidArgument(std::string("drift options: '") + key +
                                       "' expects a non-negative integer, got " + v.dump());
      }
      *out = static_cast<T>(d);
    } else {
      *out = d;
    }
  }
  return Status::Ok();
}

}  // namespace

nlohmann::json SupportLimits::ToJson() const {
  return {{"range_factor", range_factor},
          {"range_fields", range_fields},
          {"max_title_oov_share", max_title_oov_share},
          {"min_title_tokens", min_title_tokens}};
}

nlohmann::json DriftOptions::ToJson() const {
  return {{"count_window", count_window},
          {"time_window_seconds", time_window.count()},
          {"time_slices", time_slices},
          {"min_observations", min_observations},
          {"ks_max_window", ks_max_window},
          {"level_refresh_ms", level_refresh.count()},
          {"psi_warning", psi_warning},
          {"psi_alert", psi_alert},
          {"psi_epsilon", psi_epsilon},
          {"ks_warning_p_value", ks_warning_p_value},
          {"ks_alert_p_value", ks_alert_p_value},
          {"js_warning", js_warning},
          {"js_alert", js_alert},
          {"categorical_top_k", categorical_top_k},
          {"title_token_top_k", title_token_top_k},
          {"oov_increase_warning", oov_increase_warning},
          {"oov_increase_alert", oov_increase_alert},
          {"confidence_drop_warning", confidence_drop_warning},
          {"confidence_drop_alert", confidence_drop_alert},
          {"significance_p_value", significance_p_value},
          {"dataset_drift_share", dataset_drift_share},
          {"alert_requires_dataset_drift", alert_requires_dataset_drift},
          {"support", support.ToJson()}};
}

Status DriftOptions::MergeJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("drift options: expected a JSON object");
  const nlohmann::json known = ToJson();
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) {
      return Status::InvalidArgument("drift options: unknown key '" + key + "'");
    }
  }
  DriftOptions o = *this;
  int64_t time_window_seconds = o.time_window.count();
  int64_t level_refresh_ms = o.level_refresh.count();
  PRODCAT_RETURN_IF_ERROR(Read(j, "count_window", &o.count_window));
  PRODCAT_RETURN_IF_ERROR(Read(j, "time_window_seconds", &time_window_seconds));
  PRODCAT_RETURN_IF_ERROR(Read(j, "time_slices", &o.time_slices));
  PRODCAT_RETURN_IF_ERROR(Read(j, "min_observations", &o.min_observations));
  PRODCAT_RETURN_IF_ERROR(Read(j, "ks_max_window", &o.ks_max_window));
  PRODCAT_RETURN_IF_ERROR(Read(j, "level_refresh_ms", &level_refresh_ms));
  PRODCAT_RETURN_IF_ERROR(Read(j, "psi_warning", &o.psi_warning));
  PRODCAT_RETURN_IF_ERROR(Read(j, "psi_alert", &o.psi_alert));
  PRODCAT_RETURN_IF_ERROR(Read(j, "psi_epsilon", &o.psi_epsilon));
  PRODCAT_RETURN_IF_ERROR(Read(j, "ks_warning_p_value", &o.ks_warning_p_value));
  PRODCAT_RETURN_IF_ERROR(Read(j, "ks_alert_p_value", &o.ks_alert_p_value));
  PRODCAT_RETURN_IF_ERROR(Read(j, "js_warning", &o.js_warning));
  PRODCAT_RETURN_IF_ERROR(Read(j, "js_alert", &o.js_alert));
  PRODCAT_RETURN_IF_ERROR(Read(j, "categorical_top_k", &o.categorical_top_k));
  PRODCAT_RETURN_IF_ERROR(Read(j, "title_token_top_k", &o.title_token_top_k));
  PRODCAT_RETURN_IF_ERROR(Read(j, "oov_increase_warning", &o.oov_increase_warning));
  PRODCAT_RETURN_IF_ERROR(Read(j, "oov_increase_alert", &o.oov_increase_alert));
  PRODCAT_RETURN_IF_ERROR(Read(j, "confidence_drop_warning", &o.confidence_drop_warning));
  PRODCAT_RETURN_IF_ERROR(Read(j, "confidence_drop_alert", &o.confidence_drop_alert));
  PRODCAT_RETURN_IF_ERROR(Read(j, "significance_p_value", &o.significance_p_value));
  PRODCAT_RETURN_IF_ERROR(Read(j, "dataset_drift_share", &o.dataset_drift_share));
  PRODCAT_RETURN_IF_ERROR(Read(j, "alert_requires_dataset_drift", &o.alert_requires_dataset_drift));
  o.time_window = std::chrono::seconds(time_window_seconds);
  o.level_refresh = std::chrono::milliseconds(level_refresh_ms);
  if (j.contains("support")) {
    const nlohmann::json& s = j.at("support");
    if (!s.is_object())
      return Status::InvalidArgument("drift options: 'support' expects an object");
    for (const auto& [key, value] : s.items()) {
      if (!known["support"].contains(key)) {
        return Status::InvalidArgument("drift options: unknown key 'support." + key + "'");
      }
    }
    PRODCAT_RETURN_IF_ERROR(Read(s, "range_factor", &o.support.range_factor));
    PRODCAT_RETURN_IF_ERROR(Read(s, "max_title_oov_share", &o.support.max_title_oov_share));
    PRODCAT_RETURN_IF_ERROR(Read(s, "min_title_tokens", &o.support.min_title_tokens));
    if (s.contains("range_fields")) {
      const nlohmann::json& fields = s.at("range_fields");
      if (!fields.is_array()) {
        return Status::InvalidArgument("drift options: 'support.range_fields' expects a list");
      }
      o.support.range_fields.clear();
      for (const nlohmann::json& f : fields) {
        if (!f.is_string()) {
          return Status::InvalidArgument(
              "drift options: 'support.range_fields' expects field names, got " + f.dump());
        }
        o.support.range_fields.push_back(f.get<std::string>());
      }
    }
  }
  PRODCAT_RETURN_IF_ERROR(o.Validate());
  *this = std::move(o);
  return Status::Ok();
}

Status DriftOptions::SetAll(const std::vector<std::string>& assignments) {
  const nlohmann::json current = ToJson();
  nlohmann::json patch = nlohmann::json::object();
  for (const std::string& assignment : assignments) {
    const size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("drift options: expected key=value, got '" + assignment + "'");
    }
    const std::string key = assignment.substr(0, eq);
    const std::string_view value = std::string_view(assignment).substr(eq + 1);
    if (key.starts_with("support.")) {
      const std::string sub = key.substr(8);
      if (!current["support"].contains(sub)) {
        return Status::InvalidArgument("drift options: unknown key '" + key + "'");
      }
      patch["support"][sub] = ParseValue(value, current["support"][sub]);
    } else {
      if (!current.contains(key) || key == "support") {
        return Status::InvalidArgument("drift options: unknown key '" + key + "'");
      }
      patch[key] = ParseValue(value, current[key]);
    }
  }
  return MergeJson(patch);
}

Status DriftOptions::Validate() const {
  if (count_window == 0) return Status::InvalidArgument("drift options: count_window must be > 0");
  if (time_window.count() <= 0) {
    return Status::InvalidArgument("drift options: time_window_seconds must be > 0");
  }
  if (time_slices <= 0 || time_slices > 3600) {
    return Status::InvalidArgument("drift options: time_slices must be in [1, 3600], got " +
                                   std::to_string(time_slices));
  }
  if (time_window.count() * 1000 < time_slices) {
    return Status::InvalidArgument("drift options: time slices shorter than 1 ms");
  }
  if (min_observations == 0) {
    return Status::InvalidArgument("drift options: min_observations must be > 0");
  }
  if (level_refresh.count() < 0) {
    return Status::InvalidArgument("drift options: level_refresh_ms must be >= 0");
  }
  PRODCAT_RETURN_IF_ERROR(CheckOrder("psi_warning", psi_warning, "psi_alert", psi_alert));
  PRODCAT_RETURN_IF_ERROR(CheckOrder("js_warning", js_warning, "js_alert", js_alert));
  PRODCAT_RETURN_IF_ERROR(CheckOrder("oov_increase_warning", oov_increase_warning,
                                     "oov_increase_alert", oov_increase_alert));
  PRODCAT_RETURN_IF_ERROR(CheckOrder("confidence_drop_warning", confidence_drop_warning,
                                     "confidence_drop_alert", confidence_drop_alert));
  if (!(psi_epsilon > 0 && psi_epsilon < 0.01)) {
    return Status::InvalidArgument("drift options: psi_epsilon must be in (0, 0.01)");
  }
  if (!IsProbability(ks_warning_p_value) || !IsProbability(ks_alert_p_value) ||
      ks_alert_p_value > ks_warning_p_value) {
    return Status::InvalidArgument(
        "drift options: KS p-values must be in (0, 1] with ks_alert_p_value <= "
        "ks_warning_p_value");
  }
  if (!IsProbability(significance_p_value)) {
    return Status::InvalidArgument("drift options: significance_p_value must be in (0, 1]");
  }
  if (!IsProbability(dataset_drift_share)) {
    return Status::InvalidArgument("drift options: dataset_drift_share must be in (0, 1]");
  }
  if (categorical_top_k == 0 || title_token_top_k == 0 || categorical_top_k > 10000 ||
      title_token_top_k > 10000) {
    return Status::InvalidArgument(
        "drift options: categorical_top_k and title_token_top_k must be in [1, 10000]");
  }
  if (support.range_factor < 0 || (support.range_factor > 0 && support.range_factor < 1)) {
    return Status::InvalidArgument("drift options: support.range_factor must be 0 (off) or >= 1");
  }
  for (const std::string& f : support.range_fields) {
    if (f != "price" && f != "rating" && f != "reviews_count") {
      return Status::InvalidArgument("drift options: support.range_fields: unknown field '" + f +
                                     "' (expected price, rating or reviews_count)");
    }
  }
  if (!(support.max_title_oov_share > 0)) {
    return Status::InvalidArgument("drift options: support.max_title_oov_share must be > 0");
  }
  if (support.min_title_tokens < 1) {
    return Status::InvalidArgument("drift options: support.min_title_tokens must be >= 1");
  }
  return Status::Ok();
}

}  // namespace prodcat::monitoring
