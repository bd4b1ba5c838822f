#include "prodcat/tracking/run_comparison.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace prodcat::tracking {
namespace {

std::string FormatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

ComparisonRow MakeRow(const std::string& section, const std::string& key,
                      std::vector<std::string> values) {
  ComparisonRow row{section, key, std::move(values), false};
  for (const std::string& v : row.values) row.differs |= v != row.values.front();
  return row;
}

}  // namespace

std::vector<ComparisonRow> CompareRuns(const std::vector<Run>& runs) {
  std::vector<ComparisonRow> rows;
  auto attribute = [&](const char* key, auto get) {
    std::vector<std::string> values;
    for (const Run& r : runs) values.push_back(get(r));
    rows.push_back(MakeRow("run", key, std::move(values)));
  };
  attribute("name", [](const Run& r) { return r.info.run_name; });
  attribute("experiment_id", [](const Run& r) { return r.info.experiment_id; });
  attribute("status", [](const Run& r) { return std::string(RunStatusName(r.info.status)); });
  attribute("git_commit", [](const Run& r) {
    const std::string* c = r.FindTag(kTagGitCommit);
    return c ? c->substr(0, 12) : std::string("-");
  });
  std::set<std::string> param_keys, metric_keys;
  for (const Run& r : runs) {
    for (const KeyValue& p : r.params) param_keys.insert(p.key);
    for (const Metric& m : r.metrics) metric_keys.insert(m.key);
  }
  for (const std::string& key : param_keys) {
    std::vector<std::string> values;
    for (const Run& r : runs) {
      const std::string* v = r.FindParam(key);
      values.push_back(v ? *v : "-");
    }
    rows.push_back(MakeRow("params", key, std::move(values)));
  }
  for (const std::string& key : metric_keys) {
    std::vector<std::string> values;
    for (const Run& r : runs) {
      const Metric* m = r.FindMetric(key);
      values.push_back(m ? FormatNumber(m->value) : "-");
    }
    rows.push_back(MakeRow("metrics", key, std::move(values)));
  }
  return rows;
}

std::string FormatComparison(const std::vector<Run>& runs, const std::vector<ComparisonRow>& rows,
                             bool ansi) {
  std::vector<std::string> header = {"", "field"};
  for (const Run& r : runs) header.push_back(r.info.run_id.substr(0, 12));
  std::vector<std::vector<std::string>> table = {header};
  for (const ComparisonRow& row : rows) {
    std::vector<std::string> line = {row.differs ? "*" : "", row.section + "." + row.key};
    line.insert(line.end(), row.values.begin(), row.values.end());
    table.push_back(std::move(line));
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& line : table) {
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  std::string out;
  for (size_t i = 0; i < table.size(); ++i) {
    bool bold = ansi && i > 0 && rows[i - 1].differs;
    std::string line;
    for (size_t c = 0; c < table[i].size(); ++c) {
      std::string cell = table[i][c];
      cell.resize(width[c], ' ');
      line += (c ? "  " : "") + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += bold ? "\033[1m" + line + "\033[0m\n" : line + "\n";
  }
  return out;
}

}  // namespace prodcat::tracking
