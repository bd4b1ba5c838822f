// RenderReportTable(): fixed-width text view of an Evaluate() report for terminals and logs.
// The report is read defensively (a missing or mistyped key prints "-" instead of throwing),
// because it may come from an older bundle on disk.
//
// An optional report["feature_importance"] (added by whoever trains the model) is listed as a
// top-10, in any of these shapes: {"name": value, ...}, [["name", value], ...] or
// [{"name"|"feature": "...", "importance"|"value": number}, ...].
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "prodcat/evaluation/label_text.h"
#include "prodcat/evaluation/metrics.h"

namespace prodcat {
namespace {

using evaluation_internal::CodePointCount;
using evaluation_internal::ShortenToCodePoints;

constexpr size_t kMaxLabelWidth = 40;
constexpr size_t kTopFeatures = 10;

std::optional<double> NumberAt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string FormatMetric(const std::optional<double>& value) {
  return value ? fmt::format("{:.4f}", *value) : std::string("-");
}

std::string FormatCount(const std::optional<double>& value) {
  return value ? fmt::format("{:.0f}", *value) : std::string("-");
}

std::vector<std::pair<std::string, double>> ReadFeatureImportance(const nlohmann::json& report) {
  std::vector<std::pair<std::string, double>> features;
  const auto it = report.find("feature_importance");
  if (it == report.end()) return features;
  if (it->is_object()) {
    for (const auto& [name, value] : it->items()) {
      if (value.is_number()) features.emplace_back(name, value.get<double>());
    }
  } else if (it->is_array()) {
    for (const auto& entry : *it) {
      if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_number()) {
        features.emplace_back(entry[0].get<std::string>(), entry[1].get<double>());
      } else if (entry.is_object()) {
        const auto name = entry.contains("name") ? entry.find("name") : entry.find("feature");
        auto value = NumberAt(entry, "importance");
        if (!value) value = NumberAt(entry, "value");
        if (name != entry.end() && name->is_string() && value) {
          features.emplace_back(name->get<std::string>(), *value);
        }
      }
    }
  }
  std::stable_sort(features.begin(), features.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (features.size() > kTopFeatures) features.resize(kTopFeatures);
  return features;
}

struct ClassRow {
  std::string label;  // class name, shortened to the column width
  std::optional<double> precision, recall, f1, support;
};

}  // namespace

std::string RenderReportTable(const nlohmann::json& report) {
  std::string out;
  auto sink = std::back_inserter(out);
  if (!report.is_object()) return "(evaluation report is not a JSON object)\n";

  fmt::format_to(sink, "Evaluation report\n");
  fmt::format_to(sink, "  {:<22}{:>10}", "samples", FormatCount(NumberAt(report, "num_samples")));
  if (const auto unknown = NumberAt(report, "unknown_label_count"); unknown && *unknown > 0) {
    fmt::format_to(sink, "  ({} with labels unknown to the model)", FormatCount(unknown));
  }
  fmt::format_to(sink, "\n");
  const std::pair<const char*, const char*> headline[] = {
      {"accuracy", "accuracy"}, {"top-3 accuracy", "top3_accuracy"},
      {"macro F1", "macro_f1"}, {"weighted F1", "weighted_f1"},
      {"log loss", "log_loss"}, {"calibration error", "expected_calibration_error"},
  };
  for (const auto& [title, key] : headline) {
    fmt::format_to(sink, "  {:<22}{:>10}\n", title, FormatMetric(NumberAt(report, key)));
  }

  std::vector<ClassRow> rows;
  if (const auto it = report.find("per_class"); it != report.end() && it->is_object()) {
    for (const auto& [label, metrics] : it->items()) {
      rows.push_back({ShortenToCodePoints(label, kMaxLabelWidth), NumberAt(metrics, "precision"),
                      NumberAt(metrics, "recall"), NumberAt(metrics, "f1"),
                      NumberAt(metrics, "support")});
    }
  }
  if (!rows.empty()) {
    std::stable_sort(rows.begin(), rows.end(), [](const ClassRow& a, const ClassRow& b) {
      return a.support.value_or(-1) > b.support.value_or(-1);
    });
    size_t label_width = 5;  // "label"
    for (const auto& row : rows) label_width = std::max(label_width, CodePointCount(row.label));
    fmt::format_to(sink, "\n{:<{}}  {:>9}  {:>9}  {:>9}  {:>9}\n", "label", label_width,
                   "precision", "recall", "f1", "support");
    fmt::format_to(sink, "{}  {}  {}  {}  {}\n", std::string(label_width, '-'), std::string(9, '-'),
                   std::string(9, '-'), std::string(9, '-'), std::string(9, '-'));
    for (const auto& row : rows) {
      // Padded by hand so the width matches label_width's code-point count.
      fmt::format_to(sink, "{}{}  {:>9}  {:>9}  {:>9}  {:>9}\n", row.label,
                     std::string(label_width - CodePointCount(row.label), ' '),
                     FormatMetric(row.precision), FormatMetric(row.recall), FormatMetric(row.f1),
                     FormatCount(row.support));
    }
  }

  const auto features = ReadFeatureImportance(report);
  if (!features.empty()) {
    fmt::format_to(sink, "\nTop {} features by importance\n", features.size());
    size_t name_width = 0;
    for (const auto& [name, value] : features) {
      name_width = std::max(name_width, CodePointCount(ShortenToCodePoints(name, kMaxLabelWidth)));
    }
    for (size_t i = 0; i < features.size(); ++i) {
      const std::string name = ShortenToCodePoints(features[i].first, kMaxLabelWidth);
      fmt::format_to(sink, "  {:>2}. {}{}  {:>12.6g}\n", i + 1, name,
                     std::string(name_width - CodePointCount(name), ' '), features[i].second);
    }
  }
  return out;
}

}  // namespace prodcat
