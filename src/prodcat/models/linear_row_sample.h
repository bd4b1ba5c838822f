// Seeded, class-aware row subsampling for families whose training memory grows with the number of
// rows (liblinear copies every nonzero into a 16-byte feature_node; fastText can be capped too).
// Shared by the linear and fastText families.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace prodcat {

// Every class keeps about max_rows / rows of its rows, but at least min(its count,
// min_rows_per_class) so rare classes survive; the total may therefore exceed max_rows slightly.
// Returns sorted row indices; all rows when max_rows == 0 or labels.size() <= max_rows. Labels
// outside [0, num_classes) are dropped only when sampling. Same inputs and seed, same rows.
std::vector<size_t> StratifiedRowSample(const std::vector<int>& labels, int num_classes,
                                        size_t max_rows, uint64_t seed,
                                        size_t min_rows_per_class = 20);

}  // namespace prodcat
