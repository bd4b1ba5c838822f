#include "prodcat/monitoring/drift_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "prodcat/monitoring/drift_statistics.h"
#include "prodcat/validation/js_distance.h"

namespace prodcat::monitoring {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Ratio(double part, double whole) {
  return whole > 0 ? part / whole : kNaN;
}

// Degrees of freedom of a chi-squared comparison over bins: bins that either side uses, - 1.
double DegreesOfFreedom(const std::vector<double>& expected, const std::vector<double>& actual) {
  double used = 0;
  for (size_t i = 0; i < expected.size(); ++i) used += (expected[i] > 0 || actual[i] > 0);
  return std::max(1.0, used - 1);
}

// Effect-size thresholds, counted only when the p-value says the deviation is not noise.
DriftLevel ThresholdLevel(double value, double warning, double alert, double p_value,
                          double significance) {
  if (std::isnan(value)) return DriftLevel::kInsufficientData;
  if (!(p_value < significance)) return DriftLevel::kOk;
  if (value >= alert) return DriftLevel::kAlert;
  if (value >= warning) return DriftLevel::kWarning;
  return DriftLevel::kOk;
}

DriftLevel Worse(DriftLevel a, DriftLevel b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

std::vector<double> Slice(const DriftCounts& counts, size_t offset, size_t size, double scale = 1) {
  std::vector<double> v(size);
  for (size_t i = 0; i < size; ++i) v[i] = static_cast<double>(counts.counts[offset + i]) / scale;
  return v;
}

// KS statistic from bin counts alone: both CDFs are compared at the bin boundaries only, where
// the empirical one is known exactly; the largest gap there is a lower bound of the sample
// statistic (a conservative test). With exact reference bins the reference is exact there too.
double BinnedKs(const NumericFeatureReference& f, const std::vector<double>& bins, double present) {
  double cumulative = 0, d = 0;
  for (size_t b = 0; b + 2 < f.bins(); ++b) {  // every boundary between two present bins
    cumulative += bins[b];
    d = std::max(d, std::abs(cumulative / present - f.ReferencePresentShareThrough(b)));
  }
  return d;
}

nlohmann::json NumericReport(const NumericFeatureReference& f, size_t index,
                             const DriftCounts& counts, const NumericSamples* samples,
                             double reference_rows, const DriftOptions& o, DriftLevel* level) {
  const double n = static_cast<double>(counts.observations);
  const std::vector<double> bins = Slice(counts, f.offset, f.bins(), kNumericCountScale);
  const double missing = bins[f.missing_bin()];
  const double present = n - missing;
  const double psi = PopulationStabilityIndex(f.reference_shares, bins, o.psi_epsilon);
  const double psi_p = ChiSquaredSurvival(EffectiveSampleSize(n, reference_rows) * psi,
                                          DegreesOfFreedom(f.reference_shares, bins));
  nlohmann::json j = {{"reference_bins", f.exact_bins ? "exact" : "reconstructed"},
                      {"psi", psi},
                      {"psi_p_value", psi_p},
                      {"mean", Ratio(counts.numeric_sums[index], present)},
                      {"reference_mean", f.reference_mean},
                      {"missing_rate", Ratio(missing, n)},
                      {"reference_missing_rate", f.reference_missing_rate}};
  const bool small = counts.observations < o.ks_max_window;
  if (small && !f.cdf.empty() && present > 0) {
    double d = 0;
    // A raw sample only helps against the rebuilt CDF; exact bins are exact at the cuts only.
    const bool have_sample = !f.exact_bins && samples != nullptr && index < samples->size() &&
                             (*samples)[index].size() == static_cast<size_t>(present);
    if (have_sample) {
      std::vector<double> sorted = (*samples)[index];
      std::sort(sorted.begin(), sorted.end());
      d = KsStatisticAgainstCdf(sorted, f.cdf, f.lattice_step);
    } else {
      d = BinnedKs(f, bins, present);
    }
    const double reference_present = reference_rows * (1 - f.reference_missing_rate);
    const double p = KsPValue(d, EffectiveSampleSize(present, reference_present));
    j["ks_statistic"] = d;
    j["ks_p_value"] = p;
    j["ks_method"] = have_sample ? "sample" : "bins";
  }
  if (counts.observations < o.min_observations) {
    *level = DriftLevel::kInsufficientData;
  } else if (j.contains("ks_p_value")) {
    const double p = j["ks_p_value"].get<double>();
    *level = p < o.ks_alert_p_value     ? DriftLevel::kAlert
             : p < o.ks_warning_p_value ? DriftLevel::kWarning
                                        : DriftLevel::kOk;
    j["decided_by"] = "ks";
  } else {
    *level = ThresholdLevel(psi, o.psi_warning, o.psi_alert, psi_p, o.significance_p_value);
    j["decided_by"] = "psi";
  }
  j["status"] = DriftLevelName(*level);
  return j;
}

nlohmann::json CategoricalReport(const CategoricalFeatureReference& c, const DriftCounts& counts,
                                 double reference_rows, const DriftOptions& o, DriftLevel* level) {
  const double n = static_cast<double>(counts.observations);
  const std::vector<double> buckets = Slice(counts, c.offset, c.reference_shares.size());
  const double js = JensenShannonDistance(c.reference_shares, buckets);
  const double chi2 = 8 * std::numbers::ln2 * EffectiveSampleSize(n, reference_rows) * js * js;
  const double p = ChiSquaredSurvival(chi2, DegreesOfFreedom(c.reference_shares, buckets));
  const double missing = buckets[c.missing_bucket()];
  const double reference_present = 1 - c.reference_shares[c.missing_bucket()];
  *level = counts.observations < o.min_observations
               ? DriftLevel::kInsufficientData
               : ThresholdLevel(js, o.js_warning, o.js_alert, p, o.significance_p_value);
  return {{"js_distance", js},
          {"p_value", p},
          {"other_share", Ratio(buckets[c.other_bucket()], n - missing)},
          {"reference_other_share", Ratio(c.reference_shares[c.other_bucket()], reference_present)},
          {"missing_rate", Ratio(missing, n)},
          {"reference_missing_rate", c.reference_shares[c.missing_bucket()]},
          {"status", DriftLevelName(*level)}};
}

nlohmann::json TitleReport(const TitleTokenReference& t, const DriftCounts& counts,
                           double reference_rows, const DriftOptions& o, DriftLevel* level) {
  const double n = static_cast<double>(counts.observations);
  // Titles, not tokens, are the independent units (tokens of one title are correlated), so the
  // significance tests use the number of titles: conservative.
  const double n_eff = EffectiveSampleSize(n, reference_rows);
  const std::vector<double> buckets = Slice(counts, t.offset, t.reference_shares.size());
  const double js = JensenShannonDistance(t.reference_shares, buckets);
  const double js_p = ChiSquaredSurvival(8 * std::numbers::ln2 * n_eff * js * js,
                                         DegreesOfFreedom(t.reference_shares, buckets));
  const double tokens = static_cast<double>(counts.title_tokens);
  const double oov = Ratio(static_cast<double>(counts.oov_tokens), tokens);
  const double increase = oov - t.reference_oov_rate;
  const double pooled = std::clamp((oov + t.reference_oov_rate) / 2, 1e-6, 1 - 1e-6);
  const double oov_p =
      n_eff > 0 ? NormalSurvival(increase / std::sqrt(pooled * (1 - pooled) / n_eff)) : kNaN;
  if (counts.observations < o.min_observations || !(tokens > 0)) {
    *level = DriftLevel::kInsufficientData;
  } else {
    *level = Worse(ThresholdLevel(js, o.js_warning, o.js_alert, js_p, o.significance_p_value),
                   ThresholdLevel(increase, o.oov_increase_warning, o.oov_increase_alert, oov_p,
                                  o.significance_p_value));
  }
  return {{"tokens", counts.title_tokens},
          {"js_distance", js},
          {"p_value", js_p},
          {"other_share", Ratio(buckets[t.other_bucket()], tokens)},
          {"reference_other_share", t.reference_shares[t.other_bucket()]},
          {"oov_rate", oov},
          {"reference_oov_rate", t.reference_oov_rate},
          {"oov_increase", increase},
          {"oov_p_value", oov_p},
          {"status", DriftLevelName(*level)}};
}

void PredictionReports(const PredictionReference& r, const DriftCounts& counts,
                       const DriftOptions& o, nlohmann::json* window, DriftLevel* prediction_level,
                       DriftLevel* confidence_level) {
  const double n = static_cast<double>(counts.predictions);
  const double reference_n = static_cast<double>(r.count);
  const bool enough = counts.predictions >= o.min_observations;
  const size_t classes = r.class_names.size();
  std::vector<double> expected = r.class_shares;
  expected.push_back(0);  // invalid class ids are never expected
  const std::vector<double> actual = Slice(counts, r.class_offset, classes + 1);
  const double psi = PopulationStabilityIndex(expected, actual, o.psi_epsilon);
  const double psi_p = ChiSquaredSurvival(EffectiveSampleSize(n, reference_n) * psi,
                                          DegreesOfFreedom(expected, actual));
  *prediction_level =
      enough ? ThresholdLevel(psi, o.psi_warning, o.psi_alert, psi_p, o.significance_p_value)
             : DriftLevel::kInsufficientData;
  nlohmann::json shift = nlohmann::json::array();  // the classes whose share moved most
  std::vector<size_t> order(classes);
  for (size_t c = 0; c < classes; ++c) order[c] = c;
  auto change = [&](size_t c) { return Ratio(actual[c], n) - r.class_shares[c]; };
  if (n > 0) {
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return std::abs(change(a)) > std::abs(change(b)); });
    for (size_t i = 0; i < order.size() && i < 3; ++i) {
      shift.push_back({{"class", r.class_names[order[i]]},
                       {"share", Ratio(actual[order[i]], n)},
                       {"reference_share", r.class_shares[order[i]]}});
    }
  }
  (*window)["predictions"] = {{"count", counts.predictions},
                              {"psi", psi},
                              {"p_value", psi_p},
                              {"invalid_class_share", Ratio(actual[classes], n)},
                              {"largest_changes", std::move(shift)},
                              {"status", DriftLevelName(*prediction_level)}};

  const double mean = Ratio(counts.confidence_sum, n);
  const double variance = n > 0 ? std::max(0.0, counts.confidence_squares / n - mean * mean) : kNaN;
  const double drop = r.mean_confidence - mean;
  const double se = std::sqrt(variance * (1 / n + (reference_n > 0 ? 1 / reference_n : 0)));
  const double p = se > 0 ? NormalSurvival(drop / se) : (drop > 0 ? 0.0 : 1.0);
  std::vector<double> hist_expected(r.confidence_shares.begin(), r.confidence_shares.end());
  const double hist_psi = PopulationStabilityIndex(
      hist_expected, Slice(counts, r.confidence_offset, kConfidenceBins), o.psi_epsilon);
  *confidence_level = enough ? ThresholdLevel(drop, o.confidence_drop_warning,
                                              o.confidence_drop_alert, p, o.significance_p_value)
                             : DriftLevel::kInsufficientData;
  (*window)["confidence"] = {{"reference_mean", r.mean_confidence},
                             {"current_mean", mean},
                             {"drop", drop},
                             {"p_value", n > 0 ? p : kNaN},
                             {"histogram_psi", hist_psi},
                             {"status", DriftLevelName(*confidence_level)}};
}

}  // namespace

std::string_view DriftLevelName(DriftLevel level) {
  switch (level) {
    case DriftLevel::kOk: return "ok";
    case DriftLevel::kWarning: return "warning";
    case DriftLevel::kAlert: return "alert";
    case DriftLevel::kInsufficientData: break;
  }
  return "insufficient_data";
}

DriftLevel ParseDriftLevel(std::string_view name) {
  if (name == "ok") return DriftLevel::kOk;
  if (name == "warning") return DriftLevel::kWarning;
  if (name == "alert") return DriftLevel::kAlert;
  return DriftLevel::kInsufficientData;
}

double DriftLevelGaugeValue(DriftLevel level) {
  return static_cast<double>(level) - 1.0;
}

nlohmann::json ComputeWindowReport(const DriftReference& reference, const DriftCounts& given,
                                   const NumericSamples* samples, const DriftOptions& options) {
  // Counters not laid out by this reference (a caller bug) read as an empty window.
  const DriftCounts empty = reference.EmptyCounts();
  const bool fits = given.counts.size() == reference.counter_count() &&
                    given.numeric_sums.size() == reference.numeric().size();
  const DriftCounts& counts = fits ? given : empty;
  const double reference_rows = static_cast<double>(reference.row_count());
  nlohmann::json window = {{"observations", counts.observations}};
  size_t evaluated = 0;
  nlohmann::json drifted = nlohmann::json::array();
  DriftLevel worst = DriftLevel::kInsufficientData;
  auto record = [&](const std::string& name, DriftLevel level) {
    worst = Worse(worst, level);
    if (level == DriftLevel::kInsufficientData) return;
    ++evaluated;
    if (level == DriftLevel::kAlert) drifted.push_back(name);
  };

  nlohmann::json numeric = nlohmann::json::object();
  for (size_t i = 0; i < reference.numeric().size(); ++i) {
    const NumericFeatureReference& f = reference.numeric()[i];
    DriftLevel level;
    numeric[f.name] = NumericReport(f, i, counts, samples, reference_rows, options, &level);
    record(f.name, level);
  }
  nlohmann::json categorical = nlohmann::json::object();
  for (const CategoricalFeatureReference& c : reference.categorical()) {
    DriftLevel level;
    categorical[c.name] = CategoricalReport(c, counts, reference_rows, options, &level);
    record(c.name, level);
  }
  DriftLevel title_level;
  window["title_tokens"] =
      TitleReport(reference.title_tokens(), counts, reference_rows, options, &title_level);
  record("title_tokens", title_level);
  window["numeric"] = std::move(numeric);
  window["categorical"] = std::move(categorical);

  const double share =
      evaluated > 0 ? static_cast<double>(drifted.size()) / static_cast<double>(evaluated) : 0.0;
  const bool dataset_drift = evaluated > 0 && share >= options.dataset_drift_share;
  DriftLevel output_level = DriftLevel::kInsufficientData;
  if (reference.predictions()) {
    DriftLevel prediction_level, confidence_level;
    PredictionReports(*reference.predictions(), counts, options, &window, &prediction_level,
                      &confidence_level);
    output_level = Worse(prediction_level, confidence_level);
  }
  DriftLevel overall = Worse(worst, output_level);
  if (options.alert_requires_dataset_drift && overall == DriftLevel::kAlert && !dataset_drift &&
      output_level != DriftLevel::kAlert) {
    overall = DriftLevel::kWarning;
  }
  if (counts.observations < options.min_observations) overall = DriftLevel::kInsufficientData;
  window["features_evaluated"] = evaluated;
  window["drifted_features"] = std::move(drifted);
  window["drifted_feature_share"] = share;
  window["dataset_drift"] = dataset_drift;
  window["status"] = DriftLevelName(overall);
  return window;
}

std::vector<DriftGauge> DriftGauges(const nlohmann::json& report) {
  std::vector<DriftGauge> gauges;
  if (!report.is_object() || !report.contains("windows")) return gauges;
  auto add_metrics = [&](const std::string& window, const std::string& feature,
                         const nlohmann::json& metrics) {
    for (const auto& [metric, value] : metrics.items()) {
      if (metric == "status") {
        gauges.push_back({window, feature, "status",
                          DriftLevelGaugeValue(ParseDriftLevel(value.get<std::string>()))});
      } else if (value.is_number() && std::isfinite(value.get<double>())) {
        gauges.push_back({window, feature, metric, value.get<double>()});
      }
    }
  };
  for (const auto& [window, w] : report.at("windows").items()) {
    gauges.push_back({window, "", "observations", w.value("observations", 0.0)});
    gauges.push_back({window, "", "drifted_feature_share", w.value("drifted_feature_share", 0.0)});
    gauges.push_back({window, "", "dataset_drift", w.value("dataset_drift", false) ? 1.0 : 0.0});
    gauges.push_back(
        {window, "", "status", DriftLevelGaugeValue(ParseDriftLevel(w.value("status", "")))});
    for (const char* group : {"numeric", "categorical"}) {
      if (!w.contains(group)) continue;
      for (const auto& [feature, metrics] : w.at(group).items())
        add_metrics(window, feature, metrics);
    }
    for (const char* single : {"title_tokens", "predictions", "confidence"}) {
      if (w.contains(single)) add_metrics(window, single, w.at(single));
    }
  }
  return gauges;
}

}  // namespace prodcat::monitoring
