#include "prodcat/models/linear_row_sample.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <utility>

namespace prodcat {

std::vector<size_t> StratifiedRowSample(const std::vector<int>& labels, int num_classes,
                                        size_t max_rows, uint64_t seed, size_t min_rows_per_class) {
  std::vector<size_t> rows;
  if (max_rows == 0 || labels.size() <= max_rows || num_classes <= 0) {
    rows.resize(labels.size());
    std::iota(rows.begin(), rows.end(), size_t{0});
    return rows;
  }
  std::vector<std::vector<size_t>> by_class(static_cast<size_t>(num_classes));
  for (size_t r = 0; r < labels.size(); ++r) {
    if (labels[r] >= 0 && labels[r] < num_classes) by_class[labels[r]].push_back(r);
  }
  const double keep_share = static_cast<double>(max_rows) / static_cast<double>(labels.size());
  // std::mt19937_64 and a hand-rolled partial Fisher-Yates are specified exactly by the standard
  // (std::shuffle and distributions are not), so the sample is the same on every platform.
  std::mt19937_64 rng(seed);
  for (std::vector<size_t>& members : by_class) {
    size_t quota =
        static_cast<size_t>(std::llround(keep_share * static_cast<double>(members.size())));
    quota = std::min(members.size(), std::max(quota, min_rows_per_class));
    for (size_t i = 0; i < quota; ++i) {
      size_t j = i + static_cast<size_t>(rng() % (members.size() - i));
      std::swap(members[i], members[j]);
      rows.push_back(members[i]);
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace prodcat
