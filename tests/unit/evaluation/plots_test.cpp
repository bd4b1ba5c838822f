#include "prodcat/evaluation/plots.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "prodcat/evaluation/metrics.h"
#include "xml_check.h"

namespace prodcat {
namespace {

using xml_test::CheckXml;
using xml_test::XmlSummary;

// Checks what every plot must be: a well-formed standalone SVG 1.1 root with a viewBox.
XmlSummary ExpectStandaloneSvg(const std::string& svg) {
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << svg.substr(0, 80);
  const XmlSummary summary = CheckXml(svg);
  EXPECT_EQ(summary.error, "");
  EXPECT_EQ(summary.root, "svg");
  if (!summary.root_attributes.empty()) {
    const auto& root = summary.root_attributes[0];
    EXPECT_EQ(root.count("xmlns") ? root.at("xmlns") : "", "http://www.w3.org/2000/svg");
    EXPECT_EQ(root.count("version") ? root.at("version") : "", "1.1");
    EXPECT_TRUE(root.count("viewBox"));
  }
  return summary;
}

bool HasText(const XmlSummary& summary, const std::string& text) {
  return std::find(summary.texts.begin(), summary.texts.end(), text) != summary.texts.end();
}

// ViewBox "0 0 W H" -> W.
double ViewBoxWidth(const XmlSummary& summary) {
  const std::string& view_box = summary.root_attributes.at(0).at("viewBox");
  return std::stod(view_box.substr(4, view_box.find(' ', 4) - 4));
}

nlohmann::json ReportWithNames(const std::vector<std::string>& names) {
  // Each class i is predicted correctly once; class 0 is also predicted for one row of class 1.
  EvaluationInput input;
  input.class_names = names;
  const size_t k = names.size();
  for (size_t i = 0; i < k; ++i) {
    input.y_true.push_back(static_cast<int>(i));
    for (size_t c = 0; c < k; ++c) input.probs.push_back(c == i ? 0.9f : 0.1f / k);
  }
  input.y_true.push_back(1);
  for (size_t c = 0; c < k; ++c) input.probs.push_back(c == 0 ? 0.8f : 0.2f / k);
  nlohmann::json report;
  const Status status = Evaluate(input, &report);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return report;
}

TEST(ConfusionMatrixSvgTest, EscapesLabelsAndDrawsEveryCell) {
  const nlohmann::json report = ReportWithNames({"A&B", "<kids>", "say \"hi\""});
  const std::string svg = ConfusionMatrixSvg(report);
  const XmlSummary summary = ExpectStandaloneSvg(svg);
  EXPECT_NE(svg.find("A&amp;B"), std::string::npos);
  EXPECT_NE(svg.find("&lt;kids&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("A&B"), std::string::npos);
  EXPECT_TRUE(HasText(summary, "A&B"));  // decoded, a viewer shows the real name
  EXPECT_TRUE(HasText(summary, "say \"hi\""));
  // One group per cell (k*k = 9), each with a tooltip.
  EXPECT_EQ(summary.element_counts.at("g"), 9);
  EXPECT_GE(summary.element_counts.at("title"), 10);  // document title + 9 tooltips
  EXPECT_TRUE(HasText(summary, "true <kids>, predicted A&B: 1 (50.0% of row)"));
  EXPECT_TRUE(summary.element_counts.count("linearGradient"));  // colour bar
  EXPECT_TRUE(HasText(summary, "Predicted class"));
  EXPECT_TRUE(HasText(summary, "True class"));
}

TEST(ConfusionMatrixSvgTest, ColoursCellsByRowShare) {
  const nlohmann::json report = ReportWithNames({"a", "b", "c"});
  const std::string svg = ConfusionMatrixSvg(report);
  ExpectStandaloneSvg(svg);
  // Rows a and c are all on the diagonal (share 1 -> darkest); row b is split 50/50; every
  // other cell is empty (share 0 -> lightest).
  auto occurrences = [&](const std::string& needle) {
    size_t count = 0;
    for (size_t at = svg.find(needle); at != std::string::npos; at = svg.find(needle, at + 1)) {
      ++count;
    }
    return count;
  };
  EXPECT_EQ(occurrences("fill=\"#08306b\""), 2u);
  EXPECT_EQ(occurrences("fill=\"#f7fbff\""), 5u);
}

TEST(ConfusionMatrixSvgTest, ScalesToFortyLongNamedClasses) {
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) {
    names.push_back("Home & Garden > Outdoor Furniture > Category number " + std::to_string(i));
  }
  const std::string svg = ConfusionMatrixSvg(ReportWithNames(names));
  const XmlSummary summary = ExpectStandaloneSvg(svg);
  EXPECT_EQ(summary.element_counts.at("g"), 1600);
  EXPECT_NE(svg.find("rotate(-45"), std::string::npos);           // long column labels are rotated
  EXPECT_TRUE(HasText(summary, "Home & Garden > Outdoor F..."));  // shortened to 28
  EXPECT_LT(ViewBoxWidth(summary), 1400);
  EXPECT_GT(ViewBoxWidth(summary), 800);
}

TEST(ConfusionMatrixSvgTest, ShortLabelsStayHorizontal) {
  const std::string svg = ConfusionMatrixSvg(ReportWithNames({"a", "b"}));
  ExpectStandaloneSvg(svg);
  EXPECT_EQ(svg.find("rotate(-45"), std::string::npos);
}

TEST(ConfusionMatrixSvgTest, UnusableReportGivesValidPlaceholder) {
  for (const nlohmann::json& report :
       {nlohmann::json(), nlohmann::json({{"confusion_matrix", 3}}),
        nlohmann::json::parse(R"({"confusion_matrix": {"labels": ["a", "b"],
                                                       "matrix": [[1, 2], [3]]}})")}) {
    const XmlSummary summary = ExpectStandaloneSvg(ConfusionMatrixSvg(report));
    EXPECT_EQ(summary.element_counts.count("g"), 0u);
  }
}

TEST(FeatureImportanceSvgTest, DrawsBarsLargestFirstWithEscapedNames) {
  const std::vector<std::pair<std::string, double>> importances = {
      {"brand=A&B", 0.25}, {"title:<usb>", 0.5}, {"price_bucket", 0.125}};
  const std::string svg = FeatureImportanceSvg(importances, "Top features & more");
  const XmlSummary summary = ExpectStandaloneSvg(svg);
  EXPECT_EQ(summary.element_counts.at("g"), 3);
  EXPECT_TRUE(HasText(summary, "Top features & more"));
  EXPECT_TRUE(HasText(summary, "0.5"));
  EXPECT_TRUE(HasText(summary, "0.125"));
  const size_t first = svg.find(">title:&lt;usb&gt;<");
  const size_t second = svg.find(">brand=A&amp;B<");
  const size_t third = svg.find(">price_bucket<");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  ASSERT_NE(third, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  // The largest bar spans the full 420 px bar area; the others are proportional.
  EXPECT_NE(svg.find("width=\"420.0\""), std::string::npos);
  EXPECT_NE(svg.find("width=\"210.0\""), std::string::npos);
  EXPECT_NE(svg.find("width=\"105.0\""), std::string::npos);
}

TEST(FeatureImportanceSvgTest, EmptyInputGivesValidPlaceholder) {
  const XmlSummary summary = ExpectStandaloneSvg(FeatureImportanceSvg({}, "nothing"));
  EXPECT_TRUE(HasText(summary, "no feature importances to show"));
}

TEST(CalibrationSvgTest, DrawsOneBarPerNonEmptyBinAndTheDiagonal) {
  EvaluationInput input;
  input.class_names = {"p", "q"};
  input.y_true = {0, 1, 1, 1};
  input.probs = {.95f, .05f, .95f, .05f, .35f, .65f, .35f, .65f};  // bins 9 and 14
  nlohmann::json report;
  ASSERT_TRUE(Evaluate(input, &report).ok());
  const std::string svg = CalibrationSvg(report);
  const XmlSummary summary = ExpectStandaloneSvg(svg);
  EXPECT_EQ(summary.element_counts.at("g"), 2);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_TRUE(HasText(summary, "15 bins, 4 rows, expected calibration error 0.4000"));
  EXPECT_TRUE(HasText(summary, "perfect calibration"));
}

TEST(CalibrationSvgTest, UnusableReportGivesValidPlaceholder) {
  const XmlSummary summary =
      ExpectStandaloneSvg(CalibrationSvg(nlohmann::json({{"calibration", {{"bins", 1}}}})));
  EXPECT_EQ(summary.element_counts.count("g"), 0u);
}

}  // namespace
}  // namespace prodcat
