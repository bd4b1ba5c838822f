// SVG 1.1 plots written as plain text: a confusion-matrix heat map, a feature-importance bar
// chart and a reliability diagram. Each output is a standalone document (xmlns, viewBox, white
// background) that browsers and image viewers open directly. Every string that comes from data
// goes through EscapeXml; a report that lacks the needed keys gives a small SVG saying so rather
// than an exception.
#include "prodcat/evaluation/plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <string_view>

#include "prodcat/evaluation/label_text.h"

namespace prodcat {
namespace {

using evaluation_internal::CodePointCount;
using evaluation_internal::EscapeXml;
using evaluation_internal::ShortenToCodePoints;

// Average glyph advance of the sans-serif font as a share of the font size; SVG has no text
// measurement, so margins are sized from this estimate.
constexpr double kGlyphWidthPerFontSize = 0.6;
constexpr size_t kMaxAxisLabelCodePoints = 28;
constexpr size_t kMaxFeatureNameCodePoints = 48;
constexpr size_t kMaxFeatureBars = 100;
constexpr const char* kFontFamily = "Helvetica, Arial, sans-serif";
constexpr const char* kBarColour = "#4c78a8";
constexpr const char* kNegativeBarColour = "#e45756";

using Sink = std::back_insert_iterator<std::string>;

void OpenSvg(std::string& out, double width, double height, std::string_view document_title) {
  fmt::format_to(Sink(out),
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0:.0f}\" "
                 "height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"{2}\">\n"
                 "<title>{3}</title>\n"
                 "<rect x=\"0\" y=\"0\" width=\"{0:.0f}\" height=\"{1:.0f}\" fill=\"#ffffff\"/>\n",
                 std::ceil(width), std::ceil(height), kFontFamily, EscapeXml(document_title));
}

void CloseSvg(std::string& out) {
  out += "</svg>\n";
}

// A placeholder document for input that cannot be plotted, so callers always get valid SVG.
std::string MessageSvg(std::string_view title, std::string_view message) {
  std::string out;
  OpenSvg(out, 480, 120, title);
  fmt::format_to(Sink(out),
                 "<text x=\"240\" y=\"48\" font-size=\"16\" text-anchor=\"middle\">{}</text>\n"
                 "<text x=\"240\" y=\"78\" font-size=\"12\" text-anchor=\"middle\" "
                 "fill=\"#555555\">{}</text>\n",
                 EscapeXml(title), EscapeXml(message));
  CloseSvg(out);
  return out;
}

double TextWidth(size_t code_points, double font_size) {
  return static_cast<double>(code_points) * font_size * kGlyphWidthPerFontSize;
}

// White (share 0) to dark blue (share 1), linear in RGB so the colour bar's two-stop gradient
// shows exactly the same scale.
constexpr int kLightRgb[3] = {247, 251, 255};
constexpr int kDarkRgb[3] = {8, 48, 107};

std::string HeatColour(double share) {
  share = std::clamp(share, 0.0, 1.0);
  int rgb[3];
  for (int i = 0; i < 3; ++i) {
    rgb[i] = static_cast<int>(std::lround(kLightRgb[i] + (kDarkRgb[i] - kLightRgb[i]) * share));
  }
  return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

// Count text that fits `available_chars`: the full number, else 12.3k / 123k / 1.2M.
std::string FormatCellCount(double count, size_t available_chars) {
  std::string full = fmt::format("{:.0f}", count);
  if (full.size() <= available_chars) return full;
  if (count < 1e4) return fmt::format("{:.1f}k", count / 1e3);
  if (count < 1e6) return fmt::format("{:.0f}k", count / 1e3);
  if (count < 1e7) return fmt::format("{:.1f}M", count / 1e6);
  return fmt::format("{:.0f}M", count / 1e6);
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return fmt::format("{:.4g}", value);
}

std::optional<double> NumberAt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

struct ConfusionData {
  std::vector<std::string> labels;          // class names, one per row and column
  std::vector<std::vector<double>> counts;  // square, labels.size() rows of labels.size() counts
};

std::optional<ConfusionData> ReadConfusion(const nlohmann::json& report) {
  if (!report.is_object()) return std::nullopt;
  const auto cm = report.find("confusion_matrix");
  if (cm == report.end() || !cm->is_object()) return std::nullopt;
  const auto labels = cm->find("labels");
  const auto matrix = cm->find("matrix");
  if (labels == cm->end() || matrix == cm->end() || !labels->is_array() || !matrix->is_array()) {
    return std::nullopt;
  }
  ConfusionData data;
  for (const auto& label : *labels) {
    if (!label.is_string()) return std::nullopt;
    data.labels.push_back(label.get<std::string>());
  }
  if (data.labels.empty() || matrix->size() != data.labels.size()) return std::nullopt;
  for (const auto& row : *matrix) {
    if (!row.is_array() || row.size() != data.labels.size()) return std::nullopt;
    std::vector<double> counts;
    for (const auto& count : row) {
      if (!count.is_number()) return std::nullopt;
      counts.push_back(count.get<double>());
    }
    data.counts.push_back(std::move(counts));
  }
  return data;
}

struct CalibrationBin {
  double lower = 0;            // confidence interval start
  double upper = 0;            // confidence interval end
  double count = 0;            // rows whose confidence fell in the bin
  double accuracy = 0;         // share of those rows predicted correctly
  double mean_confidence = 0;  // mean confidence of those rows
};

std::optional<std::vector<CalibrationBin>> ReadCalibration(const nlohmann::json& report) {
  if (!report.is_object()) return std::nullopt;
  const auto calibration = report.find("calibration");
  if (calibration == report.end() || !calibration->is_object()) return std::nullopt;
  const auto bins = calibration->find("bins");
  if (bins == calibration->end() || !bins->is_array() || bins->empty()) return std::nullopt;
  std::vector<CalibrationBin> out;
  for (const auto& bin : *bins) {
    const auto lower = NumberAt(bin, "lower");
    const auto upper = NumberAt(bin, "upper");
    const auto count = NumberAt(bin, "count");
    const auto accuracy = NumberAt(bin, "accuracy");
    const auto confidence = NumberAt(bin, "mean_confidence");
    if (!lower || !upper || !count || !accuracy || !confidence) return std::nullopt;
    out.push_back({std::clamp(*lower, 0.0, 1.0), std::clamp(*upper, 0.0, 1.0), *count,
                   std::clamp(*accuracy, 0.0, 1.0), std::clamp(*confidence, 0.0, 1.0)});
  }
  return out;
}

}  // namespace

std::string ConfusionMatrixSvg(const nlohmann::json& report) {
  constexpr std::string_view kTitle = "Confusion matrix";
  const auto data = ReadConfusion(report);
  if (!data) {
    return MessageSvg(kTitle, "report has no usable confusion_matrix {labels, matrix}");
  }
  const size_t k = data->labels.size();
  const auto classes = static_cast<double>(k);

  // Cells shrink from 48 px (up to 15 classes) to 20 px (36+ classes) to keep the plot on screen.
  const double cell = std::clamp(std::floor(720.0 / classes), 20.0, 48.0);
  const double label_font = std::clamp(cell * 0.45, 9.0, 12.0);
  const double count_font = std::clamp(cell * 0.3, 7.0, 12.0);
  std::vector<std::string> shown_labels;
  size_t longest_label = 1;
  for (const auto& label : data->labels) {
    shown_labels.push_back(ShortenToCodePoints(label, kMaxAxisLabelCodePoints));
    longest_label = std::max(longest_label, CodePointCount(shown_labels.back()));
  }
  const double label_width = TextWidth(longest_label, label_font);
  const bool rotate_column_labels = label_width > cell - 4;

  const double top = 64;
  const double left = 40 + label_width + 10;
  const double grid = cell * classes;
  const double column_labels_height =
      (rotate_column_labels ? label_width * std::sqrt(0.5) : 0) + label_font + 10;
  const double bottom = column_labels_height + 40;
  const double bar_x = left + grid + 24;
  const double bar_height = std::min(grid, 240.0);
  const double width = bar_x + 16 + 80;
  const double height = top + grid + bottom;

  std::string out;
  auto sink = Sink(out);
  OpenSvg(out, width, height, kTitle);
  double total = 0;
  double diagonal = 0;
  for (size_t t = 0; t < k; ++t) {
    for (size_t p = 0; p < k; ++p) total += data->counts[t][p];
    diagonal += data->counts[t][t];
  }
  fmt::format_to(sink,
                 "<text x=\"{:.1f}\" y=\"28\" font-size=\"16\" font-weight=\"bold\">{}</text>\n"
                 "<text x=\"{:.1f}\" y=\"46\" font-size=\"11\" fill=\"#555555\">{:.0f} rows with "
                 "known labels, {:.1f}% on the diagonal; colour = share of the true-class row, "
                 "text = count</text>\n",
                 left, kTitle, left, total, total > 0 ? 100.0 * diagonal / total : 0.0);

  // Cells: colour by row share, text by count, tooltip with both.
  for (size_t t = 0; t < k; ++t) {
    double row_total = 0;
    for (double count : data->counts[t]) row_total += count;
    for (size_t p = 0; p < k; ++p) {
      const double count = data->counts[t][p];
      const double share = row_total > 0 ? count / row_total : 0.0;
      const double x = left + cell * static_cast<double>(p);
      const double y = top + cell * static_cast<double>(t);
      const auto available_chars =
          static_cast<size_t>((cell - 4) / (count_font * kGlyphWidthPerFontSize));
      fmt::format_to(
          sink,
          "<g><title>true {}, predicted {}: {:.0f} ({:.1f}% of row)</title>"
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" "
          "stroke=\"#ffffff\" stroke-width=\"0.5\"/>"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{:.1f}\" text-anchor=\"middle\" "
          "dominant-baseline=\"central\" fill=\"{}\">{}</text></g>\n",
          EscapeXml(data->labels[t]), EscapeXml(data->labels[p]), count, 100.0 * share, x, y, cell,
          cell, HeatColour(share), x + cell / 2, y + cell / 2, count_font,
          share > 0.55 ? "#ffffff" : "#222222", FormatCellCount(count, available_chars));
    }
  }
  fmt::format_to(sink,
                 "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
                 "stroke=\"#444444\" stroke-width=\"1\"/>\n",
                 left, top, grid, grid);

  // Row labels (true classes) right-aligned left of the grid.
  for (size_t t = 0; t < k; ++t) {
    fmt::format_to(sink,
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{:.1f}\" text-anchor=\"end\" "
                   "dominant-baseline=\"central\">{}</text>\n",
                   left - 6, top + cell * (static_cast<double>(t) + 0.5), label_font,
                   EscapeXml(shown_labels[t]));
  }
  // Column labels (predicted classes) below the grid, rotated when they are wider than a cell.
  const double column_label_y = top + grid + 8 + label_font * 0.8;
  for (size_t p = 0; p < k; ++p) {
    const double x = left + cell * (static_cast<double>(p) + 0.5);
    if (rotate_column_labels) {
      fmt::format_to(sink,
                     "<text x=\"{0:.1f}\" y=\"{1:.1f}\" font-size=\"{2:.1f}\" "
                     "text-anchor=\"end\" transform=\"rotate(-45 {0:.1f} {1:.1f})\">{3}</text>\n",
                     x, column_label_y, label_font, EscapeXml(shown_labels[p]));
    } else {
      fmt::format_to(sink,
                     "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{:.1f}\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     x, column_label_y, label_font, EscapeXml(shown_labels[p]));
    }
  }
  // Axis titles.
  const double axis_title_y = top + grid + column_labels_height + 24;
  fmt::format_to(sink,
                 "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"13\" text-anchor=\"middle\">"
                 "Predicted class</text>\n"
                 "<text x=\"18\" y=\"{:.1f}\" font-size=\"13\" text-anchor=\"middle\" "
                 "transform=\"rotate(-90 18 {:.1f})\">True class</text>\n",
                 left + grid / 2, axis_title_y, top + grid / 2, top + grid / 2);

  // Colour bar: row share 0 at the bottom to 1 at the top.
  fmt::format_to(sink,
                 "<defs><linearGradient id=\"prodcat-row-share\" x1=\"0\" y1=\"1\" x2=\"0\" "
                 "y2=\"0\"><stop offset=\"0\" stop-color=\"{}\"/><stop offset=\"1\" "
                 "stop-color=\"{}\"/></linearGradient></defs>\n"
                 "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"16\" height=\"{:.1f}\" "
                 "fill=\"url(#prodcat-row-share)\" stroke=\"#444444\" stroke-width=\"0.5\"/>\n"
                 "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">row share</text>\n",
                 HeatColour(0), HeatColour(1), bar_x, top, bar_height, bar_x, top - 8);
  for (int tick = 0; tick <= 4; ++tick) {
    const double share = tick / 4.0;
    const double y = top + bar_height * (1 - share);
    fmt::format_to(sink,
                   "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" "
                   "stroke=\"#444444\"/><text x=\"{3:.1f}\" y=\"{1:.1f}\" font-size=\"10\" "
                   "dominant-baseline=\"central\">{4:.2f}</text>\n",
                   bar_x + 16, y, bar_x + 20, bar_x + 23, share);
  }
  CloseSvg(out);
  return out;
}

std::string FeatureImportanceSvg(const std::vector<std::pair<std::string, double>>& importances,
                                 const std::string& title) {
  if (importances.empty()) return MessageSvg(title, "no feature importances to show");
  auto bars = importances;
  // Largest first; NaN sorts last so it cannot break the ordering.
  std::stable_sort(bars.begin(), bars.end(), [](const auto& a, const auto& b) {
    if (std::isnan(b.second)) return !std::isnan(a.second);
    if (std::isnan(a.second)) return false;
    return a.second > b.second;
  });
  const size_t total_bars = bars.size();
  if (bars.size() > kMaxFeatureBars) bars.resize(kMaxFeatureBars);

  constexpr double kRowHeight = 22;
  constexpr double kNameFont = 12;
  constexpr double kBarAreaWidth = 420;
  std::vector<std::string> names;
  size_t longest_name = 1;
  double scale = 0;
  for (const auto& [name, value] : bars) {
    names.push_back(ShortenToCodePoints(name, kMaxFeatureNameCodePoints));
    longest_name = std::max(longest_name, CodePointCount(names.back()));
    if (std::isfinite(value)) scale = std::max(scale, std::abs(value));
  }
  if (scale == 0) scale = 1;
  const double left = 16 + TextWidth(longest_name, kNameFont) + 10;
  const double top = 60;
  const double width = left + kBarAreaWidth + 90;
  const double height = top + kRowHeight * static_cast<double>(bars.size()) + 24;

  std::string out;
  auto sink = Sink(out);
  OpenSvg(out, width, height, title);
  fmt::format_to(sink,
                 "<text x=\"16\" y=\"28\" font-size=\"16\" font-weight=\"bold\">{}</text>\n"
                 "<text x=\"16\" y=\"46\" font-size=\"11\" fill=\"#555555\">top {} of {} "
                 "features, largest first; bar length = |importance|</text>\n",
                 EscapeXml(title), bars.size(), total_bars);
  for (size_t i = 0; i < bars.size(); ++i) {
    const double value = bars[i].second;
    const double y = top + kRowHeight * static_cast<double>(i);
    const double length = std::isfinite(value) ? std::abs(value) / scale * kBarAreaWidth : 0.0;
    fmt::format_to(sink,
                   "<g><title>{0}: {1}</title>"
                   "<text x=\"{2:.1f}\" y=\"{3:.1f}\" font-size=\"{4:.0f}\" text-anchor=\"end\" "
                   "dominant-baseline=\"central\">{5}</text>"
                   "<rect x=\"{6:.1f}\" y=\"{7:.1f}\" width=\"{8:.1f}\" height=\"{9:.1f}\" "
                   "fill=\"{10}\"/>"
                   "<text x=\"{11:.1f}\" y=\"{3:.1f}\" font-size=\"11\" "
                   "dominant-baseline=\"central\">{1}</text></g>\n",
                   EscapeXml(bars[i].first), FormatValue(value), left - 6, y + kRowHeight / 2,
                   kNameFont, EscapeXml(names[i]), left, y + 3, length, kRowHeight - 6,
                   value < 0 ? kNegativeBarColour : kBarColour, left + length + 6);
  }
  fmt::format_to(sink,
                 "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                 "stroke=\"#444444\"/>\n",
                 left, top, top + kRowHeight * static_cast<double>(bars.size()));
  CloseSvg(out);
  return out;
}

std::string CalibrationSvg(const nlohmann::json& report) {
  constexpr std::string_view kTitle = "Reliability diagram";
  const auto bins = ReadCalibration(report);
  if (!bins) {
    return MessageSvg(kTitle, "report has no usable calibration.bins");
  }
  constexpr double kPlot = 400;
  constexpr double kLeft = 64;
  constexpr double kTop = 64;
  const double width = kLeft + kPlot + 24;
  const double height = kTop + kPlot + 96;
  const auto px = [&](double confidence) { return kLeft + confidence * kPlot; };
  const auto py = [&](double accuracy) { return kTop + (1 - accuracy) * kPlot; };

  std::string out;
  auto sink = Sink(out);
  OpenSvg(out, width, height, kTitle);
  double rows = 0;
  for (const auto& bin : *bins) rows += bin.count;
  const auto ece = NumberAt(report, "expected_calibration_error");
  fmt::format_to(sink,
                 "<text x=\"{:.1f}\" y=\"28\" font-size=\"16\" font-weight=\"bold\">{}</text>\n"
                 "<text x=\"{:.1f}\" y=\"46\" font-size=\"11\" fill=\"#555555\">{} bins, {:.0f} "
                 "rows{}</text>\n",
                 kLeft, kTitle, kLeft, bins->size(), rows,
                 ece ? fmt::format(", expected calibration error {:.4f}", *ece) : "");

  // Grid and ticks on both axes.
  for (int tick = 0; tick <= 5; ++tick) {
    const double value = tick / 5.0;
    fmt::format_to(sink,
                   "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                   "stroke=\"#e5e5e5\"/><line x1=\"{3:.1f}\" y1=\"{4:.1f}\" x2=\"{5:.1f}\" "
                   "y2=\"{4:.1f}\" stroke=\"#e5e5e5\"/>"
                   "<text x=\"{0:.1f}\" y=\"{6:.1f}\" font-size=\"10\" text-anchor=\"middle\">"
                   "{7:.1f}</text><text x=\"{8:.1f}\" y=\"{4:.1f}\" font-size=\"10\" "
                   "text-anchor=\"end\" dominant-baseline=\"central\">{7:.1f}</text>\n",
                   px(value), py(1), py(0), px(0), py(value), px(1), py(0) + 16, value, px(0) - 6);
  }
  // Bars: accuracy of each non-empty bin, plus the gap to its mean confidence.
  for (const auto& bin : *bins) {
    if (bin.count <= 0) continue;
    const double x = px(bin.lower);
    const double bar_width = std::max(px(bin.upper) - x, 0.0);
    const double gap_top = py(std::max(bin.accuracy, bin.mean_confidence));
    const double gap_bottom = py(std::min(bin.accuracy, bin.mean_confidence));
    fmt::format_to(
        sink,
        "<g><title>confidence ({:.3f}, {:.3f}]: {:.0f} rows, accuracy {:.3f}, mean confidence "
        "{:.3f}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
        "fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"/><rect x=\"{:.1f}\" y=\"{:.1f}\" "
        "width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" fill-opacity=\"0.35\" "
        "stroke=\"{}\" stroke-width=\"0.5\"/></g>\n",
        bin.lower, bin.upper, bin.count, bin.accuracy, bin.mean_confidence, x, py(bin.accuracy),
        bar_width, py(0) - py(bin.accuracy), kBarColour, x, gap_top, bar_width,
        gap_bottom - gap_top, kNegativeBarColour, kNegativeBarColour);
  }
  // Perfect calibration diagonal and the frame.
  fmt::format_to(sink,
                 "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333333\" "
                 "stroke-dasharray=\"6 4\"/>\n"
                 "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
                 "stroke=\"#444444\"/>\n",
                 px(0), py(0), px(1), py(1), px(0), py(1), kPlot, kPlot);
  // Axis titles and legend.
  const double legend_y = py(0) + 66;
  fmt::format_to(sink,
                 "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"13\" text-anchor=\"middle\">"
                 "Confidence (probability of the predicted class)</text>\n"
                 "<text x=\"18\" y=\"{:.1f}\" font-size=\"13\" text-anchor=\"middle\" "
                 "transform=\"rotate(-90 18 {:.1f})\">Accuracy</text>\n"
                 "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                 "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">accuracy</text>\n"
                 "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\" "
                 "fill-opacity=\"0.35\" stroke=\"{}\" stroke-width=\"0.5\"/>"
                 "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">gap to confidence</text>\n"
                 "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
                 "stroke=\"#333333\" stroke-dasharray=\"6 4\"/>"
                 "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">perfect calibration</text>\n",
                 px(0.5), py(0) + 38, py(0.5), py(0.5), px(0), legend_y, kBarColour, px(0) + 18,
                 legend_y + 10, px(0) + 110, legend_y, kNegativeBarColour, kNegativeBarColour,
                 px(0) + 128, legend_y + 10, px(0) + 260, legend_y + 6, px(0) + 290, legend_y + 6,
                 px(0) + 296, legend_y + 10);
  CloseSvg(out);
  return out;
}

}  // namespace prodcat
