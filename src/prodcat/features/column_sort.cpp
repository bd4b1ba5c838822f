#include "prodcat/features/column_sort.h"

#include <algorithm>
#include <bit>
#include <vector>

namespace prodcat {

void SortColumnIds(uint32_t* ids, size_t n, uint32_t dim) {
  if (n < 2) return;
  if (n <= 16) {
    std::sort(ids, ids + n);
    return;
  }
  // About one bin per one or two ids keeps bins short, so the insertion sort below does little
  // work.
  const int bin_bits = std::clamp(static_cast<int>(std::bit_width(n)) - 1, 4, 16);
  const int dim_bits = static_cast<int>(std::bit_width(dim));
  const int shift = std::max(0, dim_bits - bin_bits);
  const size_t bins = size_t{1} << bin_bits;

  thread_local std::vector<uint32_t> counts;
  thread_local std::vector<uint32_t> scratch;
  counts.assign(bins, 0);
  if (scratch.size() < n) scratch.resize(n);
  for (size_t i = 0; i < n; ++i) ++counts[ids[i] >> shift];
  uint32_t offset = 0;
  for (uint32_t& c : counts) {
    const uint32_t here = c;
    c = offset;
    offset += here;
  }
  for (size_t i = 0; i < n; ++i) scratch[counts[ids[i] >> shift]++] = ids[i];
  for (size_t i = 0; i < n; ++i) {
    const uint32_t x = scratch[i];
    size_t j = i;
    while (j > 0 && ids[j - 1] > x) {
      ids[j] = ids[j - 1];
      --j;
    }
    ids[j] = x;
  }
}

}  // namespace prodcat
