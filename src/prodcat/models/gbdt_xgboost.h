// Thin RAII wrappers over the XGBoost C API (libxgboost 1.7): every call's return code is checked
// and XGBGetLastError() becomes a Status::Internal naming the call, so no XGBoost failure escapes
// as an abort or an exception.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/features/sparse.h"

namespace prodcat {

// A training or evaluation matrix. Entries absent from the CSR rows are missing values (XGBoost
// learns a default direction for them); stored zeros are real zeros.
class XgbMatrix {
 public:
  XgbMatrix() = default;
  ~XgbMatrix();
  XgbMatrix(XgbMatrix&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  XgbMatrix& operator=(XgbMatrix&& other) noexcept;
  XgbMatrix(const XgbMatrix&) = delete;
  XgbMatrix& operator=(const XgbMatrix&) = delete;

  // Copies `rows` of `csr` (all rows when `rows` is null) with their labels and optional weights
  // (empty `weights`: every row weighs 1).
  static Status FromCsr(const CsrMatrix& csr, const std::vector<size_t>* rows,
                        const std::vector<float>& labels, const std::vector<float>& weights,
                        int nthread, XgbMatrix* out);

  void* handle() const { return handle_; }
  bool valid() const { return handle_ != nullptr; }

 private:
  void* handle_ = nullptr;  // DMatrixHandle, owned; null when empty
};

// A booster. Not thread-safe: training and serialization happen on one thread.
class XgbBooster {
 public:
  XgbBooster() = default;
  ~XgbBooster();
  XgbBooster(XgbBooster&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  XgbBooster& operator=(XgbBooster&& other) noexcept;
  XgbBooster(const XgbBooster&) = delete;
  XgbBooster& operator=(const XgbBooster&) = delete;

  // `cache` are the matrices whose predictions XGBoost keeps up to date between rounds.
  static Status Create(const std::vector<const XgbMatrix*>& cache, XgbBooster* out);
  // A booster holding a saved model (UBJSON or JSON bytes), ready for importance or slicing.
  static Status FromModelBytes(std::string_view bytes, XgbBooster* out);

  Status SetParam(const std::string& name, const std::string& value);
  Status LoadModel(std::string_view bytes);
  // The model (trees and model parameters, no training configuration) as UBJSON bytes.
  Status SaveModel(std::string* bytes) const;
  Status SaveConfig(std::string* json) const;
  Status LoadConfig(const std::string& json);

  Status UpdateOneIter(int iteration, const XgbMatrix& train);
  // Class probabilities (rows x num_class, row-major) for a matrix; incremental for cached ones.
  Status Predict(const XgbMatrix& matrix, std::vector<float>* probs) const;
  Status BoostedRounds(int* rounds) const;
  // A new booster holding the trees of rounds [0, rounds).
  Status Slice(int rounds, XgbBooster* out) const;
  // (feature index, score) for every feature used in a split, e.g. importance_type "total_gain".
  Status FeatureScores(const std::string& importance_type,
                       std::vector<std::pair<size_t, double>>* scores) const;

  bool valid() const { return handle_ != nullptr; }

 private:
  void* handle_ = nullptr;  // BoosterHandle, owned; null when empty
};

// Routes XGBoost's own log lines to spdlog (once per process).
void RouteXgboostLogs();

}  // namespace prodcat
