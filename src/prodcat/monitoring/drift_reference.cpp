#include "prodcat/monitoring/drift_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "prodcat/features/engineered_features.h"
#include "prodcat/features/record_analysis.h"
#include "prodcat/features/reference_profile.h"
#include "prodcat/features/text_normalizer.h"
#include "prodcat/features/tokenizer.h"

namespace prodcat::monitoring {
namespace {

constexpr double kLatticeSteps[] = {1.0, 0.1, 0.01};

Status Malformed(const std::string& where, const std::string& expected) {
  return Status::InvalidArgument("reference profile: " + where + ": expected " + expected);
}

Status GetNumber(const nlohmann::json& j, const std::string& where, const char* key, double* out) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_number()) {
    return Malformed(where + "." + key, "a number");
  }
  *out = j.at(key).get<double>();
  if (!std::isfinite(*out)) return Malformed(where + "." + key, "a finite number");
  return Status::Ok();
}

Status GetShare(const nlohmann::json& j, const std::string& where, const char* key, double* out) {
  PRODCAT_RETURN_IF_ERROR(GetNumber(j, where, key, out));
  if (*out < 0 || *out > 1 + 1e-9) return Malformed(where + "." + key, "a share in [0, 1]");
  *out = std::min(*out, 1.0);
  return Status::Ok();
}

Status GetArray(const nlohmann::json& j, const std::string& where, const char* key,
                const nlohmann::json** out) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_array()) {
    return Malformed(where + "." + key, "an array");
  }
  *out = &j.at(key);
  return Status::Ok();
}

// The largest step in kLatticeSteps of which every edge is a multiple, or 0.
double LatticeStep(const std::vector<double>& edges) {
  for (double step : kLatticeSteps) {
    bool on_lattice = true;
    for (double e : edges) {
      const double units = e / step;
      on_lattice &= std::abs(units - std::round(units)) <= 1e-6;
    }
    if (on_lattice) return step;
  }
  return 0;
}

// Distinct values of ascending `edges`.
std::vector<double> Distinct(const std::vector<double>& edges) {
  std::vector<double> d = edges;
  d.erase(std::unique(d.begin(), d.end()), d.end());
  return d;
}

Status BuildNumeric(const std::string& name, const nlohmann::json& j, NumericFeatureReference* f) {
  const std::string where = "numeric." + name;
  f->name = name;
  if (name == "price" || name == "rating" || name == "reviews_count") {
    f->source = NumericFeatureReference::Source::kRawField;
    ParseFieldName(name, &f->field);
  } else {
    auto it = std::find(kEngineeredFeatureNames.begin(), kEngineeredFeatureNames.end(), name);
    if (it == kEngineeredFeatureNames.end()) {
      return Status::InvalidArgument(
          "reference profile: numeric feature '" + name +
          "' is neither a raw field (price, rating, reviews_count) nor an engineered feature of "
          "this prodcat version");
    }
    f->source = NumericFeatureReference::Source::kEngineered;
    f->engineered_index = static_cast<int>(it - kEngineeredFeatureNames.begin());
  }
  PRODCAT_RETURN_IF_ERROR(GetShare(j, where, "missing_rate", &f->reference_missing_rate));
  PRODCAT_RETURN_IF_ERROR(GetNumber(j, where, "mean", &f->reference_mean));
  PRODCAT_RETURN_IF_ERROR(GetNumber(j, where, "min", &f->reference_min));
  PRODCAT_RETURN_IF_ERROR(GetNumber(j, where, "max", &f->reference_max));
  const nlohmann::json* edges_json = nullptr;
  PRODCAT_RETURN_IF_ERROR(GetArray(j, where, "quantile_edges", &edges_json));
  std::vector<double> edges;
  for (const nlohmann::json& e : *edges_json) {
    if (!e.is_number() || !std::isfinite(e.get<double>())) {
      return Malformed(where + ".quantile_edges", "finite numbers");
    }
    edges.push_back(e.get<double>());
  }
  if (!std::is_sorted(edges.begin(), edges.end())) {
    return Malformed(where + ".quantile_edges", "ascending values");
  }
  if (edges.size() == 1) return Malformed(where + ".quantile_edges", "0 or at least 2 edges");

  const double present = 1.0 - f->reference_missing_rate;
  if (edges.empty()) {  // no present value in the reference: one bin for any value
    f->reference_shares = {present, f->reference_missing_rate};
    return Status::Ok();
  }
  f->lattice_step = LatticeStep(edges);
  const std::vector<double> distinct = Distinct(edges);
  f->binary = f->lattice_step == 1.0 && edges.front() >= 0 && edges.back() <= 1 &&
              f->reference_min >= 0 && f->reference_max <= 1;
  if (f->binary) {
    const double ones = std::clamp(f->reference_mean, 0.0, 1.0);
    f->cdf = PiecewiseLinearCdf({-0.5, 0.5, 1.5}, {0.0, 1.0 - ones, 1.0});
  } else {
    f->cdf = PiecewiseLinearCdf::FromQuantileEdges(edges);
  }
  // Reconstructed share of each present bin (see the header for the bin rules).
  std::vector<double> shares;
  if (f->lattice_step > 0) {
    const double half = f->lattice_step / 2;
    f->cuts.push_back(distinct.front() - half);
    for (double d : distinct) f->cuts.push_back(d + half);
    double previous = 0;
    for (double cut : f->cuts) {
      const double cdf = f->cdf.At(cut);
      shares.push_back(std::max(0.0, cdf - previous));
      previous = cdf;
    }
    shares.push_back(std::max(0.0, 1.0 - previous));
  } else {
    f->cuts = distinct;
    const size_t interior = f->interior_bins();
    shares.push_back(f->cdf.Before(f->cuts.front()));  // below the reference minimum: 0
    for (size_t i = 1; i <= interior; ++i) {
      const double lower = f->cdf.Before(f->cuts[i - 1]);
      const double upper = i == interior ? 1.0 : f->cdf.Before(f->cuts[i]);
      shares.push_back(std::max(0.0, upper - lower));
    }
    shares.push_back(0.0);  // above the reference maximum
  }
  for (double share : shares) f->reference_shares.push_back(share * present);
  f->reference_shares.push_back(f->reference_missing_rate);
  return Status::Ok();
}

// Replaces the reconstructed shares of `f` with the exact counts of profile["drift_bins"].
Status ApplyExactBins(const nlohmann::json& bins, NumericFeatureReference* f) {
  const std::string where = "drift_bins.numeric." + f->name;
  const nlohmann::json* cuts = nullptr;
  const nlohmann::json* counts = nullptr;
  PRODCAT_RETURN_IF_ERROR(GetArray(bins, where, "cuts", &cuts));
  PRODCAT_RETURN_IF_ERROR(GetArray(bins, where, "counts", &counts));
  bool same_cuts = cuts->size() == f->cuts.size();
  for (size_t i = 0; same_cuts && i < f->cuts.size(); ++i) {
    same_cuts = (*cuts)[i].is_number() && (*cuts)[i].get<double>() == f->cuts[i];
  }
  if (!same_cuts) {
    return Malformed(where + ".cuts", "the cuts derived from numeric." + f->name +
                                          ".quantile_edges (the bins were computed from a "
                                          "different profile)");
  }
  if (counts->size() != f->bins()) {
    return Malformed(where + ".counts", std::to_string(f->bins()) + " counts");
  }
  double total = 0;
  std::vector<double> values;
  for (const nlohmann::json& c : *counts) {
    if (!c.is_number() || c.get<double>() < 0) return Malformed(where + ".counts", "counts >= 0");
    values.push_back(c.get<double>());
    total += values.back();
  }
  if (!(total > 0)) return Malformed(where + ".counts", "a positive total");
  for (size_t b = 0; b < values.size(); ++b) f->reference_shares[b] = values[b] / total;
  f->exact_bins = true;
  return Status::Ok();
}

Status BuildCategorical(Field field, const nlohmann::json& profile, size_t top_k,
                        CategoricalFeatureReference* c) {
  c->field = field;
  c->name = std::string(FieldName(field));
  const std::string where = "categorical." + c->name;
  if (!profile.contains(c->name) || !profile.at(c->name).is_object()) {
    return Malformed(where, "an object");
  }
  const nlohmann::json& j = profile.at(c->name);
  double missing_rate = 0;
  PRODCAT_RETURN_IF_ERROR(GetShare(j, where, "missing_rate", &missing_rate));
  const nlohmann::json* top = nullptr;
  PRODCAT_RETURN_IF_ERROR(GetArray(j, where, "top", &top));
  double covered = 0;
  for (const nlohmann::json& entry : *top) {
    if (c->values.size() == top_k) break;
    double share = 0;
    PRODCAT_RETURN_IF_ERROR(GetShare(entry, where + ".top[]", "share", &share));
    if (!entry.contains("value") || !entry.at("value").is_string()) {
      return Malformed(where + ".top[].value", "a string");
    }
    const std::string value = entry.at("value").get<std::string>();
    if (c->index.contains(value)) continue;  // a duplicate would make the buckets ambiguous
    c->index.emplace(value, static_cast<uint16_t>(c->values.size()));
    c->values.push_back(value);
    c->reference_shares.push_back(share * (1 - missing_rate));
    covered += share;
  }
  const double present_other = c->values.empty() && missing_rate >= 1 ? 0 : 1 - covered;
  c->reference_shares.push_back(std::max(0.0, present_other) * (1 - missing_rate));
  c->reference_shares.push_back(missing_rate);
  return Status::Ok();
}

Status BuildTitleTokens(const nlohmann::json& j, size_t top_k, TitleTokenReference* t) {
  const std::string where = "title_tokens";
  if (!j.is_object()) return Malformed(where, "an object");
  double total = 0;
  PRODCAT_RETURN_IF_ERROR(GetNumber(j, where, "total", &total));
  PRODCAT_RETURN_IF_ERROR(GetShare(j, where, "oov_rate", &t->reference_oov_rate));
  const nlohmann::json* top = nullptr;
  PRODCAT_RETURN_IF_ERROR(GetArray(j, where, "top", &top));
  double covered = 0;
  for (const nlohmann::json& entry : *top) {
    if (t->tokens.size() == top_k) break;
    double share = 0;
    PRODCAT_RETURN_IF_ERROR(GetShare(entry, where + ".top[]", "share", &share));
    if (!entry.contains("token") || !entry.at("token").is_string()) {
      return Malformed(where + ".top[].token", "a string");
    }
    const std::string token = entry.at("token").get<std::string>();
    if (t->index.contains(token)) continue;
    t->index.emplace(token, static_cast<uint16_t>(t->tokens.size()));
    t->tokens.push_back(token);
    t->reference_shares.push_back(share);
    covered += share;
  }
  t->reference_shares.push_back(total > 0 ? std::max(0.0, 1 - covered) : 0.0);
  return Status::Ok();
}

Status BuildPredictions(const nlohmann::json& j, PredictionReference* p) {
  const std::string where = "predictions";
  if (!j.is_object()) return Malformed(where, "an object");
  double count = 0;
  PRODCAT_RETURN_IF_ERROR(GetNumber(j, where, "count", &count));
  p->count = static_cast<size_t>(std::max(0.0, count));
  PRODCAT_RETURN_IF_ERROR(GetShare(j, where, "mean_confidence", &p->mean_confidence));
  const nlohmann::json* classes = nullptr;
  PRODCAT_RETURN_IF_ERROR(GetArray(j, where, "class_distribution", &classes));
  for (const nlohmann::json& entry : *classes) {
    double share = 0;
    PRODCAT_RETURN_IF_ERROR(GetShare(entry, where + ".class_distribution[]", "share", &share));
    if (!entry.contains("class") || !entry.at("class").is_string()) {
      return Malformed(where + ".class_distribution[].class", "a string");
    }
    p->class_names.push_back(entry.at("class").get<std::string>());
    p->class_shares.push_back(share);
  }
  if (p->class_names.empty()) return Malformed(where + ".class_distribution", "at least 1 class");
  if (!j.contains("confidence_histogram")) {
    return Malformed(where + ".confidence_histogram", "an object");
  }
  const nlohmann::json* shares = nullptr;
  PRODCAT_RETURN_IF_ERROR(
      GetArray(j.at("confidence_histogram"), where + ".confidence_histogram", "shares", &shares));
  if (shares->size() != kConfidenceBins) {
    return Malformed(where + ".confidence_histogram.shares",
                     std::to_string(kConfidenceBins) + " numbers");
  }
  for (int b = 0; b < kConfidenceBins; ++b) {
    const nlohmann::json& s = (*shares)[static_cast<size_t>(b)];
    if (!s.is_number()) return Malformed(where + ".confidence_histogram.shares", "numbers");
    p->confidence_shares[static_cast<size_t>(b)] = s.get<double>();
  }
  return Status::Ok();
}

int ConfidenceBin(float confidence) {
  const double p = std::isfinite(confidence) ? std::clamp<double>(confidence, 0.0, 1.0) : 0.0;
  return std::min(kConfidenceBins - 1, static_cast<int>(p * kConfidenceBins));
}

}  // namespace

uint8_t NumericFeatureReference::BinOf(double value) const {
  if (cuts.empty()) return 0;
  const auto at_or_below =
      static_cast<size_t>(std::upper_bound(cuts.begin(), cuts.end(), value) - cuts.begin());
  if (lattice_step > 0) return static_cast<uint8_t>(at_or_below);  // values never equal a cut
  if (at_or_below == 0) return 0;                                  // below the minimum
  if (value > cuts.back()) return static_cast<uint8_t>(interior_bins() + 1);  // above the max
  // [c_{i-1}, c_i), with the maximum c_m closed into the last interior bin; a value exactly on
  // an inner cut is shared by the bins on both sides.
  const size_t bin = std::min(at_or_below, interior_bins());
  const bool on_inner_cut = bin > 1 && value == cuts[bin - 1];
  return static_cast<uint8_t>(bin | (on_inner_cut ? kSplitBin : 0));
}

double NumericFeatureReference::ReferencePresentShareThrough(size_t bin) const {
  double through = 0, present = 0;
  for (size_t b = 0; b + 1 < reference_shares.size(); ++b) {
    present += reference_shares[b];
    if (b <= bin) through += reference_shares[b];
  }
  return present > 0 ? through / present : 0.0;
}

void DriftCounts::Merge(const DriftCounts& other) {
  observations += other.observations;
  predictions += other.predictions;
  title_tokens += other.title_tokens;
  oov_tokens += other.oov_tokens;
  confidence_sum += other.confidence_sum;
  confidence_squares += other.confidence_squares;
  for (size_t i = 0; i < counts.size() && i < other.counts.size(); ++i)
    counts[i] += other.counts[i];
  for (size_t i = 0; i < numeric_sums.size() && i < other.numeric_sums.size(); ++i) {
    numeric_sums[i] += other.numeric_sums[i];
  }
}

void DriftCounts::Clear() {
  observations = predictions = title_tokens = oov_tokens = 0;
  confidence_sum = confidence_squares = 0;
  std::fill(counts.begin(), counts.end(), 0);
  std::fill(numeric_sums.begin(), numeric_sums.end(), 0.0);
}

Status DriftReference::Create(const nlohmann::json& profile, const FeatureSpec& spec,
                              const DriftOptions& options, std::unique_ptr<DriftReference>* out) {
  PRODCAT_RETURN_IF_ERROR(options.Validate());
  if (!profile.is_object() || profile.empty()) {
    return Status::InvalidArgument("reference profile: expected a non-empty JSON object");
  }
  if (!profile.contains("profile_version") || !profile.at("profile_version").is_number_integer() ||
      profile.at("profile_version").get<int>() != kReferenceProfileVersion) {
    return Status::InvalidArgument(
        "reference profile: profile_version: expected " + std::to_string(kReferenceProfileVersion) +
        ", got " +
        (profile.contains("profile_version") ? profile.at("profile_version").dump() : "none"));
  }
  std::unique_ptr<DriftReference> r(new DriftReference(spec));
  double rows = 0;
  PRODCAT_RETURN_IF_ERROR(GetNumber(profile, "profile", "row_count", &rows));
  r->row_count_ = static_cast<size_t>(std::max(0.0, rows));

  if (!profile.contains("numeric") || !profile.at("numeric").is_object()) {
    return Malformed("numeric", "an object");
  }
  const nlohmann::json* exact_bins = nullptr;
  if (profile.contains("drift_bins")) {
    const nlohmann::json& bins = profile.at("drift_bins");
    if (!bins.is_object() || !bins.contains("numeric") || !bins.at("numeric").is_object()) {
      return Malformed("drift_bins.numeric", "an object");
    }
    exact_bins = &bins.at("numeric");
  }
  size_t offset = 0;
  for (const auto& [name, j] : profile.at("numeric").items()) {
    NumericFeatureReference f;
    PRODCAT_RETURN_IF_ERROR(BuildNumeric(name, j, &f));
    if (exact_bins != nullptr && exact_bins->contains(name)) {
      PRODCAT_RETURN_IF_ERROR(ApplyExactBins(exact_bins->at(name), &f));
    }
    if (f.bins() > 127) return Malformed("numeric." + name, "at most 126 quantile edges");
    f.offset = offset;
    offset += f.bins();
    r->numeric_.push_back(std::move(f));
  }
  if (!profile.contains("categorical") || !profile.at("categorical").is_object()) {
    return Malformed("categorical", "an object");
  }
  for (size_t i = 0; i < kCategoricalFields; ++i) {
    CategoricalFeatureReference& c = r->categorical_[i];
    PRODCAT_RETURN_IF_ERROR(BuildCategorical(
        kMonitoredCategoricalFields[i], profile.at("categorical"), options.categorical_top_k, &c));
    c.offset = offset;
    offset += c.reference_shares.size();
  }
  if (!profile.contains("title_tokens")) return Malformed("title_tokens", "an object");
  PRODCAT_RETURN_IF_ERROR(
      BuildTitleTokens(profile.at("title_tokens"), options.title_token_top_k, &r->title_tokens_));
  r->title_tokens_.offset = offset;
  offset += r->title_tokens_.reference_shares.size();
  if (profile.contains("predictions")) {
    PredictionReference p;
    PRODCAT_RETURN_IF_ERROR(BuildPredictions(profile.at("predictions"), &p));
    p.class_offset = offset;
    offset += p.class_names.size() + 1;  // + invalid class ids
    p.confidence_offset = offset;
    offset += kConfidenceBins;
    r->predictions_ = std::move(p);
  }
  r->counter_count_ = offset;
  *out = std::move(r);
  return Status::Ok();
}

DriftCounts DriftReference::EmptyCounts() const {
  DriftCounts c;
  c.counts.assign(counter_count_, 0);
  c.numeric_sums.assign(numeric_.size(), 0.0);
  return c;
}

void DriftReference::Extract(const ProductRecord& record, Observation* obs) const {
  // The tabular view analyzes without description tokens (FeatureSpec::Transform with
  // kViewTabular); the profile was built through it, so the same here (description tokens, if
  // the cached analysis has them, are not read). The model's transform of the same request
  // reuses this analysis.
  const AnalyzedRecord& analyzed = AnalyzeRecordCached(record, /*keep_description_tokens=*/false);
  // Only the non-price engineered features are profiled; they do not depend on the fitted
  // imputation values, so default statistics give the same values as the bundle's spec.
  static const NumericStats kNoStats;
  float engineered[kNumEngineeredFeatures];
  ComputeEngineeredFeatures(record, analyzed, kNoStats, engineered);

  obs->numeric_bins.resize(numeric_.size());
  obs->numeric_values.resize(numeric_.size());
  for (size_t i = 0; i < numeric_.size(); ++i) {
    const NumericFeatureReference& f = numeric_[i];
    std::optional<double> value;
    if (f.source == NumericFeatureReference::Source::kRawField) {
      value = FiniteValue(*record.NumericField(f.field));
    } else {
      value = engineered[f.engineered_index];
    }
    if (value) {
      obs->numeric_bins[i] = f.BinOf(*value);
      obs->numeric_values[i] = static_cast<float>(*value);
    } else {
      obs->numeric_bins[i] = static_cast<uint8_t>(f.missing_bin());
      obs->numeric_values[i] = std::numeric_limits<float>::quiet_NaN();
    }
  }

  const std::string* values[kCategoricalFields] = {&analyzed.brand_value, &analyzed.seller_value,
                                                   &analyzed.subcategory_value};
  for (size_t i = 0; i < kCategoricalFields; ++i) {
    const CategoricalFeatureReference& c = categorical_[i];
    if (values[i]->empty()) {
      obs->categorical_buckets[i] = static_cast<uint16_t>(c.missing_bucket());
      continue;
    }
    auto it = c.index.find(std::string_view(*values[i]));
    obs->categorical_buckets[i] =
        it == c.index.end() ? static_cast<uint16_t>(c.other_bucket()) : it->second;
  }

  obs->token_buckets.clear();
  obs->oov_tokens = 0;
  ForEachPaddedToken(analyzed.title, [&](std::string_view token, std::string_view) {
    auto it = title_tokens_.index.find(token);
    obs->token_buckets.push_back(it == title_tokens_.index.end()
                                     ? static_cast<uint16_t>(title_tokens_.other_bucket())
                                     : it->second);
    obs->oov_tokens += !vocabulary_.ContainsTitleWord(token);
  });
}

void DriftReference::Count(const Observation& obs, int sign, DriftCounts* counts) const {
  // An observation extracted by another reference (e.g. before a model swap) does not fit.
  if (obs.numeric_bins.size() != numeric_.size() || obs.numeric_values.size() != numeric_.size() ||
      counts->counts.size() != counter_count_ || counts->numeric_sums.size() != numeric_.size()) {
    return;
  }
  // Unsigned wrap-around makes "add -1" a subtraction.
  const uint64_t one = sign >= 0 ? 1 : ~uint64_t{0};
  const double signed_one = sign >= 0 ? 1.0 : -1.0;
  uint64_t* c = counts->counts.data();
  counts->observations += one;
  for (size_t i = 0; i < numeric_.size(); ++i) {
    const uint8_t bin = obs.numeric_bins[i];
    uint64_t* feature = c + numeric_[i].offset;
    if (bin & kSplitBin) {  // half a count on each side of the cut
      feature[(bin & ~kSplitBin) - 1] += one;
      feature[bin & ~kSplitBin] += one;
    } else {
      feature[bin] += 2 * one;
    }
    const float v = obs.numeric_values[i];
    if (!std::isnan(v)) counts->numeric_sums[i] += signed_one * v;
  }
  for (size_t i = 0; i < kCategoricalFields; ++i) {
    c[categorical_[i].offset + obs.categorical_buckets[i]] += one;
  }
  for (uint16_t b : obs.token_buckets) c[title_tokens_.offset + b] += one;
  counts->title_tokens += one * obs.token_buckets.size();
  counts->oov_tokens += one * obs.oov_tokens;
  if (obs.predicted_class < 0) return;
  counts->predictions += one;
  const double p = std::isfinite(obs.confidence) ? std::clamp<double>(obs.confidence, 0, 1) : 0;
  counts->confidence_sum += signed_one * p;
  counts->confidence_squares += signed_one * p * p;
  if (predictions_) {
    const size_t classes = predictions_->class_names.size();
    const size_t cls = static_cast<size_t>(obs.predicted_class) < classes
                           ? static_cast<size_t>(obs.predicted_class)
                           : classes;  // the "invalid class id" counter
    c[predictions_->class_offset + cls] += one;
    c[predictions_->confidence_offset + static_cast<size_t>(ConfidenceBin(obs.confidence))] += one;
  }
}

Status AddDriftBins(const std::vector<ProductRecord>& rows, const FeatureSpec& spec,
                    nlohmann::json* profile) {
  nlohmann::json plain = *profile;
  plain.erase("drift_bins");
  std::unique_ptr<DriftReference> reference;
  PRODCAT_RETURN_IF_ERROR(
      DriftReference::Create(plain, spec, DriftOptions(), &reference).WithContext("drift bins"));
  // Rows are independent: count contiguous chunks on separate threads, then add the counters.
  const size_t threads = std::max<size_t>(
      1, std::min<size_t>(std::thread::hardware_concurrency(), rows.size() / 4096));
  std::vector<DriftCounts> parts(threads, reference->EmptyCounts());
  std::vector<std::thread> workers;
  const size_t per_thread = (rows.size() + threads - 1) / std::max<size_t>(threads, 1);
  auto count_chunk = [&](size_t t) {
    Observation obs;
    const size_t end = std::min(rows.size(), (t + 1) * per_thread);
    for (size_t i = t * per_thread; i < end; ++i) {
      reference->Extract(rows[i], &obs);
      reference->Count(obs, +1, &parts[t]);
    }
  };
  for (size_t t = 1; t < threads; ++t) workers.emplace_back(count_chunk, t);
  count_chunk(0);
  for (std::thread& w : workers) w.join();
  for (size_t t = 1; t < threads; ++t) parts[0].Merge(parts[t]);
  nlohmann::json numeric = nlohmann::json::object();
  for (const NumericFeatureReference& f : reference->numeric()) {
    nlohmann::json counts = nlohmann::json::array();
    for (size_t b = 0; b < f.bins(); ++b) {
      counts.push_back(static_cast<double>(parts[0].counts[f.offset + b]) / kNumericCountScale);
    }
    numeric[f.name] = {{"cuts", f.cuts}, {"counts", std::move(counts)}};
  }
  (*profile)["drift_bins"] = {
      {"version", 1}, {"rows", rows.size()}, {"numeric", std::move(numeric)}};
  return Status::Ok();
}

std::optional<std::string> DriftReference::OutOfSupport(const ProductRecord& record,
                                                        const SupportLimits& limits) const {
  thread_local Observation obs;
  Extract(record, &obs);
  return OutOfSupport(obs, limits);
}

std::optional<std::string> DriftReference::OutOfSupport(const Observation& obs,
                                                        const SupportLimits& limits) const {
  if (obs.numeric_values.size() != numeric_.size()) return std::nullopt;  // not from Extract
  if (limits.range_factor > 0) {
    for (const std::string& name : limits.range_fields) {
      for (size_t i = 0; i < numeric_.size(); ++i) {
        const NumericFeatureReference& f = numeric_[i];
        if (f.source != NumericFeatureReference::Source::kRawField || f.name != name) continue;
        const double v = obs.numeric_values[i];
        if (std::isnan(v) || f.cdf.empty()) break;  // missing, or nothing to compare with
        const double k = limits.range_factor;
        const double lower = f.reference_min >= 0 ? f.reference_min / k : f.reference_min * k;
        const double upper = f.reference_max >= 0 ? f.reference_max * k : f.reference_max / k;
        if (v < lower || v > upper) return f.name + "_out_of_range";
        break;
      }
    }
  }
  if (limits.max_title_oov_share < 1) {
    const size_t tokens = obs.token_buckets.size();
    if (tokens >= static_cast<size_t>(limits.min_title_tokens) &&
        static_cast<double>(obs.oov_tokens) >
            limits.max_title_oov_share * static_cast<double>(tokens)) {
      return "title_out_of_vocabulary";
    }
  }
  return std::nullopt;
}

}  // namespace prodcat::monitoring
