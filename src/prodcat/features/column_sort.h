// Sorting the column ids of one sparse row. Rows hold a few hundred ids spread uniformly over
// [0, dim) (they are ranks of hash buckets), so one counting pass on the high bits followed by an
// insertion sort of the nearly sorted result beats std::sort several times over.
#pragma once

#include <cstddef>
#include <cstdint>

namespace prodcat {

// Sorts ids[0, n) ascending; every id must be < dim. Uses per-thread buffers (no steady-state
// allocation).
void SortColumnIds(uint32_t* ids, size_t n, uint32_t dim);

}  // namespace prodcat
