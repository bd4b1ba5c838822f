// Side-by-side comparison of runs for `prodcat runs compare`: one row per attribute, param and
// metric present in any run, flagged when the runs disagree (or some lack it).
#pragma once

#include <string>
#include <vector>

#include "prodcat/tracking/entities.h"

namespace prodcat::tracking {

struct ComparisonRow {
  std::string section;  // "run", "params", "metrics", "tags"
  std::string key;
  std::vector<std::string> values;  // one per run; "-" when the run lacks it
  bool differs = false;
};

// Rows in the order run attributes, params, metrics (by key); tags are left out except the
// git commit, which matters when comparing.
std::vector<ComparisonRow> CompareRuns(const std::vector<Run>& runs);

// A fixed-width table; differing rows are marked with '*' in the first column and, with `ansi`,
// printed bold.
std::string FormatComparison(const std::vector<Run>& runs, const std::vector<ComparisonRow>& rows,
                             bool ansi);

}  // namespace prodcat::tracking
