#include "prodcat/features/reference_profile.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "prodcat/features/engineered_features.h"
#include "prodcat/features/text_normalizer.h"
#include "prodcat/features/tfidf_vocabulary.h"
#include "prodcat/features/tokenizer.h"

namespace prodcat {
namespace {

double Share(size_t part, size_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// Counts sorted by count descending, ties by value, so the profile is deterministic.
std::vector<std::pair<std::string, size_t>> SortedCounts(
    std::unordered_map<std::string, size_t> counts) {
  std::vector<std::pair<std::string, size_t>> sorted(std::make_move_iterator(counts.begin()),
                                                     std::make_move_iterator(counts.end()));
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return sorted;
}

nlohmann::json CategoricalSummary(const std::vector<ProductRecord>& train, Field field) {
  std::unordered_map<std::string, size_t> counts;
  size_t present = 0;
  std::string value;
  for (const ProductRecord& r : train) {
    NormalizeTextTo(*r.StringField(field), &value);
    if (value.empty()) continue;
    ++present;
    ++counts[value];
  }
  const size_t distinct = counts.size();
  auto sorted = SortedCounts(std::move(counts));
  nlohmann::json top = nlohmann::json::array();
  size_t covered = 0;
  for (size_t i = 0; i < sorted.size() && i < kProfileTopCategories; ++i) {
    covered += sorted[i].second;
    top.push_back({{"value", sorted[i].first},
                   {"count", sorted[i].second},
                   {"share", Share(sorted[i].second, present)}});
  }
  return {{"missing_rate", Share(train.size() - present, train.size())},
          {"distinct", distinct},
          {"top", std::move(top)},
          {"other_share", present == 0 ? 0.0 : 1.0 - Share(covered, present)}};
}

nlohmann::json TitleTokenSummary(const std::vector<ProductRecord>& train, const FeatureSpec& spec) {
  const TfidfVocabulary vocabulary(spec);
  std::unordered_map<std::string, size_t> counts;
  size_t total = 0, oov = 0;
  std::string normalized;
  for (const ProductRecord& r : train) {
    NormalizeTextTo(r.title, &normalized);
    ForEachToken(normalized, [&](std::string_view token) {
      ++total;
      oov += !vocabulary.ContainsTitleWord(token);
      ++counts[std::string(token)];
    });
  }
  const size_t distinct = counts.size();
  auto sorted = SortedCounts(std::move(counts));
  nlohmann::json top = nlohmann::json::array();
  size_t covered = 0;
  for (size_t i = 0; i < sorted.size() && i < kProfileTopTokens; ++i) {
    covered += sorted[i].second;
    top.push_back({{"token", sorted[i].first},
                   {"count", sorted[i].second},
                   {"share", Share(sorted[i].second, total)}});
  }
  return {{"total", total},
          {"distinct", distinct},
          {"top", std::move(top)},
          {"top_share", Share(covered, total)},
          {"oov_rate", Share(oov, total)},
          {"oov_definition", "share of title tokens whose word unigram has no tfidf column"}};
}

// Engineered features that summarize a raw numeric field; the raw field is profiled instead.
bool DerivedFromRawNumeric(int feature) {
  return feature <= kFeatReviewsMissing;
}

}  // namespace

nlohmann::json NumericSummary(std::vector<double> values, size_t rows) {
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = values.empty() ? 0.0 : sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double std_dev =
      values.empty() ? 0.0 : std::sqrt(squares / static_cast<double>(values.size()));
  nlohmann::json edges = nlohmann::json::array();
  if (!values.empty()) {
    for (int k = 0; k <= kProfileQuantileBins; ++k) {
      edges.push_back(Quantile(values, static_cast<double>(k) / kProfileQuantileBins));
    }
  }
  return {{"count", values.size()},
          {"missing_rate", Share(rows - std::min(rows, values.size()), rows)},
          {"mean", mean},
          {"std", std_dev},
          {"min", values.empty() ? 0.0 : values.front()},
          {"max", values.empty() ? 0.0 : values.back()},
          {"quantile_edges", std::move(edges)}};
}

nlohmann::json BuildReferenceProfile(const std::vector<ProductRecord>& train,
                                     const FeatureSpec& spec) {
  nlohmann::json numeric = nlohmann::json::object();
  const std::pair<const char*, Field> raw_fields[] = {{"price", Field::kPrice},
                                                      {"rating", Field::kRating},
                                                      {"reviews_count", Field::kReviewsCount}};
  for (const auto& [name, field] : raw_fields) {
    std::vector<double> values;
    for (const ProductRecord& r : train) {
      if (auto v = FiniteValue(*r.NumericField(field))) values.push_back(*v);
    }
    numeric[name] = NumericSummary(std::move(values), train.size());
  }
  // The dense block leads every tabular row (FeatureSpec writes it in full).
  CsrMatrix tabular;
  spec.TransformTabular(train, &tabular);
  for (int f = 0; f < kNumEngineeredFeatures; ++f) {
    if (DerivedFromRawNumeric(f)) continue;
    std::vector<double> values(train.size());
    for (size_t row = 0; row < train.size(); ++row) {
      values[row] = tabular.values[tabular.indptr[row] + static_cast<size_t>(f)];
    }
    numeric[std::string(kEngineeredFeatureNames[f])] =
        NumericSummary(std::move(values), train.size());
  }

  nlohmann::json categorical = nlohmann::json::object();
  for (Field field : {Field::kBrand, Field::kSellerId, Field::kSubcategory}) {
    categorical[std::string(FieldName(field))] = CategoricalSummary(train, field);
  }
  // The training labels' distribution: the class prior a server answers with when no model can.
  std::map<std::string, size_t> label_counts;
  size_t labeled = 0;
  for (const ProductRecord& r : train) {
    if (r.category.empty()) continue;
    ++label_counts[r.category];
    ++labeled;
  }
  nlohmann::json labels = nlohmann::json::array();
  for (const auto& [label, count] : label_counts) {
    labels.push_back({{"class", label},
                      {"count", count},
                      {"share", static_cast<double>(count) / static_cast<double>(labeled)}});
  }
  return {{"profile_version", kReferenceProfileVersion},
          {"row_count", train.size()},
          {"numeric", std::move(numeric)},
          {"categorical", std::move(categorical)},
          {"title_tokens", TitleTokenSummary(train, spec)},
          {"label_distribution", std::move(labels)}};
}

void AddPredictionProfile(const std::vector<int>& predicted, const std::vector<float>& confidence,
                          const std::vector<std::string>& class_names, nlohmann::json* profile) {
  const size_t n = std::min(predicted.size(), confidence.size());
  std::vector<size_t> class_counts(class_names.size(), 0);
  size_t invalid = 0;
  std::vector<size_t> bins(kProfileQuantileBins, 0);
  double confidence_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const int c = predicted[i];
    if (c >= 0 && static_cast<size_t>(c) < class_names.size()) {
      ++class_counts[static_cast<size_t>(c)];
    } else {
      ++invalid;
    }
    const double p =
        std::isfinite(confidence[i]) ? std::clamp<double>(confidence[i], 0.0, 1.0) : 0.0;
    confidence_sum += p;
    const int bin = std::min(kProfileQuantileBins - 1, static_cast<int>(p * kProfileQuantileBins));
    ++bins[static_cast<size_t>(bin)];
  }
  nlohmann::json distribution = nlohmann::json::array();
  for (size_t c = 0; c < class_names.size(); ++c) {
    distribution.push_back({{"class", class_names[c]},
                            {"count", class_counts[c]},
                            {"share", Share(class_counts[c], n)}});
  }
  nlohmann::json edges = nlohmann::json::array(), counts = nlohmann::json::array(),
                 shares = nlohmann::json::array();
  for (int k = 0; k <= kProfileQuantileBins; ++k) {
    edges.push_back(static_cast<double>(k) / kProfileQuantileBins);
  }
  for (size_t b : bins) {
    counts.push_back(b);
    shares.push_back(Share(b, n));
  }
  (*profile)["predictions"] = {
      {"count", n},
      {"class_distribution", std::move(distribution)},
      {"invalid_class_count", invalid},
      {"mean_confidence", n == 0 ? 0.0 : confidence_sum / static_cast<double>(n)},
      {"confidence_histogram",
       {{"edges", std::move(edges)},
        {"counts", std::move(counts)},
        {"shares", std::move(shares)}}}};
}

}  // namespace prodcat
