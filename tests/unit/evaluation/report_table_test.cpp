#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "prodcat/evaluation/metrics.h"

namespace prodcat {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

size_t LineIndexStartingWith(const std::vector<std::string>& lines, const std::string& prefix) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(prefix, 0) == 0) return i;
  }
  return lines.size();
}

nlohmann::json SmallReport() {
  // true: A A A B C C; predicted: A A B B C A -> supports A 3, B 1, C 2.
  EvaluationInput input;
  input.class_names = {"B", "A", "C"};
  input.y_true = {1, 1, 1, 0, 2, 2};
  input.probs = {.1f, .8f, .1f, .1f, .8f, .1f, .6f, .3f, .1f,
                 .7f, .2f, .1f, .1f, .1f, .8f, .1f, .5f, .4f};
  nlohmann::json report;
  EXPECT_TRUE(Evaluate(input, &report).ok());
  return report;
}

TEST(RenderReportTableTest, ShowsHeadlineMetricsAndClassesBySupport) {
  const nlohmann::json report = SmallReport();
  const std::string table = RenderReportTable(report);
  const auto lines = Lines(table);
  // accuracy = 4/6
  EXPECT_NE(table.find("accuracy                  0.6667"), std::string::npos) << table;
  EXPECT_NE(table.find("samples"), std::string::npos);
  EXPECT_NE(table.find("macro F1"), std::string::npos);
  EXPECT_NE(table.find("calibration error"), std::string::npos);

  const size_t header = LineIndexStartingWith(lines, "label");
  ASSERT_LT(header + 4, lines.size()) << table;
  EXPECT_NE(lines[header].find("precision"), std::string::npos);
  // Sorted by support: A (3), C (2), B (1); all rows the same width as the header.
  EXPECT_EQ(lines[header + 2].substr(0, 1), "A");
  EXPECT_EQ(lines[header + 3].substr(0, 1), "C");
  EXPECT_EQ(lines[header + 4].substr(0, 1), "B");
  for (size_t i = header; i <= header + 4; ++i) {
    EXPECT_EQ(lines[i].size(), lines[header].size()) << lines[i];
  }
  // A: tp 2, predicted 3 (rows 0, 1, 5), support 3 -> precision = recall = f1 = 0.6667.
  EXPECT_NE(lines[header + 2].find("0.6667     0.6667     0.6667          3"), std::string::npos)
      << lines[header + 2];
  EXPECT_EQ(table.find("features by importance"), std::string::npos);
}

TEST(RenderReportTableTest, ListsTopTenFeatureImportances) {
  nlohmann::json report = SmallReport();
  nlohmann::json features = nlohmann::json::array();
  for (int i = 0; i < 12; ++i) {
    features.push_back({{"name", "feature_" + std::to_string(i)}, {"importance", i * 0.5}});
  }
  report["feature_importance"] = features;
  const std::string table = RenderReportTable(report);
  const auto lines = Lines(table);
  const size_t heading = LineIndexStartingWith(lines, "Top 10 features by importance");
  ASSERT_LT(heading + 10, lines.size() + 1) << table;
  EXPECT_NE(lines[heading + 1].find("1. feature_11"), std::string::npos) << table;
  EXPECT_NE(lines[heading + 1].find("5.5"), std::string::npos) << table;
  EXPECT_NE(lines[heading + 10].find("10. feature_2"), std::string::npos) << table;
  EXPECT_EQ(table.find("feature_1 "), std::string::npos);  // 11th and 12th are cut
  EXPECT_EQ(table.find("feature_0"), std::string::npos);

  // The object form {name: value} works too.
  report["feature_importance"] = {{"brand", 2.0}, {"title", 3.0}};
  const auto object_lines = Lines(RenderReportTable(report));
  const size_t object_heading = LineIndexStartingWith(object_lines, "Top 2 features");
  ASSERT_LT(object_heading + 2, object_lines.size());
  EXPECT_NE(object_lines[object_heading + 1].find("title"), std::string::npos);
}

TEST(RenderReportTableTest, ToleratesMissingAndMistypedKeys) {
  const std::string table =
      RenderReportTable({{"accuracy", "high"}, {"per_class", {{"x", {{"support", 4}}}}}});
  EXPECT_NE(table.find("accuracy                       -"), std::string::npos) << table;
  EXPECT_NE(table.find("x"), std::string::npos);
  EXPECT_NE(RenderReportTable(nlohmann::json::array()).find("not a JSON object"),
            std::string::npos);
}

}  // namespace
}  // namespace prodcat
