// Sparse vectors and compressed-sparse-row matrices, the currency between features and models.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace prodcat {

// Column indices are strictly increasing within a vector (FeatureSpec guarantees it).
struct SparseVector {
  std::vector<uint32_t> indices;
  std::vector<float> values;
  void clear() {
    indices.clear();
    values.clear();
  }
  size_t size() const { return indices.size(); }
};

// Row-major CSR. indptr.size() == rows() + 1 and indptr[0] == 0 always.
struct CsrMatrix {
  std::vector<uint64_t> indptr{0};
  std::vector<uint32_t> indices;
  std::vector<float> values;
  size_t num_cols = 0;  // dimension of the column space (not the max index seen)

  size_t rows() const { return indptr.size() - 1; }
  size_t nnz() const { return indices.size(); }
  void AppendRow(const SparseVector& row) {
    indices.insert(indices.end(), row.indices.begin(), row.indices.end());
    values.insert(values.end(), row.values.begin(), row.values.end());
    indptr.push_back(indices.size());
  }
  void Clear() {
    indptr.assign(1, 0);
    indices.clear();
    values.clear();
  }
};

}  // namespace prodcat
