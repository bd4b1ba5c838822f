#include "prodcat/models/gbdt_xgboost.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <xgboost/c_api.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <type_traits>

namespace prodcat {
namespace {

static_assert(std::is_same_v<std::remove_cvref_t<decltype(CsrMatrix{}.indptr[0])>, uint64_t> &&
                  std::is_same_v<std::remove_cvref_t<decltype(CsrMatrix{}.indices[0])>, uint32_t>,
              "the array interfaces below describe CsrMatrix as <u8 / <u4 / <f4");

Status XgbError(const char* call) {
  return Status::Internal(std::string("XGBoost ") + call + " failed: " + XGBGetLastError());
}

#define PRODCAT_XGB(call)                    \
  do {                                       \
    if ((call) != 0) return XgbError(#call); \
  } while (0)

// numpy's __array_interface__ as XGBoost reads it: the array is used in place, not copied.
std::string ArrayInterface(const void* data, size_t length, const char* typestr) {
  // A zero-length array still needs a non-null address.
  static const uint64_t kEmpty = 0;
  if (data == nullptr) data = &kEmpty;
  return fmt::format(R"({{"data":[{},true],"shape":[{}],"typestr":"{}","version":3}})",
                     reinterpret_cast<uintptr_t>(data), length, typestr);
}

void LogFromXgboost(const char* message) {
  std::string_view text(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  spdlog::warn("xgboost: {}", text);
}

}  // namespace

void RouteXgboostLogs() {
  static std::once_flag once;
  std::call_once(once, [] { XGBRegisterLogCallback(&LogFromXgboost); });
}

XgbMatrix::~XgbMatrix() {
  if (handle_ != nullptr) XGDMatrixFree(handle_);
}

XgbMatrix& XgbMatrix::operator=(XgbMatrix&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

Status XgbMatrix::FromCsr(const CsrMatrix& csr, const std::vector<size_t>* rows,
                          const std::vector<float>& labels, const std::vector<float>& weights,
                          int nthread, XgbMatrix* out) {
  size_t num_rows = rows != nullptr ? rows->size() : csr.rows();
  if (labels.size() != num_rows || (!weights.empty() && weights.size() != num_rows)) {
    return Status::Internal("XGBoost matrix: " + std::to_string(num_rows) + " rows but " +
                            std::to_string(labels.size()) + " labels and " +
                            std::to_string(weights.size()) + " weights");
  }
  size_t num_cols = csr.num_cols;
  for (uint32_t column : csr.indices) num_cols = std::max<size_t>(num_cols, size_t{column} + 1);

  // A row subset is copied into its own CSR arrays; the full matrix is passed in place.
  CsrMatrix subset;
  const CsrMatrix* source = &csr;
  if (rows != nullptr) {
    subset.indptr.reserve(rows->size() + 1);
    for (size_t row : *rows) {
      uint64_t begin = csr.indptr[row], end = csr.indptr[row + 1];
      subset.indices.insert(subset.indices.end(), csr.indices.begin() + begin,
                            csr.indices.begin() + end);
      subset.values.insert(subset.values.end(), csr.values.begin() + begin,
                           csr.values.begin() + end);
      subset.indptr.push_back(subset.indices.size());
    }
    source = &subset;
  }
  std::string indptr = ArrayInterface(source->indptr.data(), source->indptr.size(), "<u8");
  std::string indices = ArrayInterface(source->indices.data(), source->indices.size(), "<u4");
  std::string values = ArrayInterface(source->values.data(), source->values.size(), "<f4");
  std::string config = fmt::format(R"({{"missing":NaN,"nthread":{}}})", nthread);
  XgbMatrix matrix;
  PRODCAT_XGB(XGDMatrixCreateFromCSR(indptr.c_str(), indices.c_str(), values.c_str(), num_cols,
                                     config.c_str(), &matrix.handle_));
  PRODCAT_XGB(XGDMatrixSetFloatInfo(matrix.handle_, "label", labels.data(), labels.size()));
  if (!weights.empty()) {
    PRODCAT_XGB(XGDMatrixSetFloatInfo(matrix.handle_, "weight", weights.data(), weights.size()));
  }
  *out = std::move(matrix);
  return Status::Ok();
}

XgbBooster::~XgbBooster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}

XgbBooster& XgbBooster::operator=(XgbBooster&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGBoosterFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

Status XgbBooster::Create(const std::vector<const XgbMatrix*>& cache, XgbBooster* out) {
  std::vector<DMatrixHandle> handles;
  for (const XgbMatrix* m : cache) handles.push_back(m->handle());
  XgbBooster booster;
  PRODCAT_XGB(XGBoosterCreate(handles.data(), handles.size(), &booster.handle_));
  *out = std::move(booster);
  return Status::Ok();
}

Status XgbBooster::FromModelBytes(std::string_view bytes, XgbBooster* out) {
  XgbBooster booster;
  PRODCAT_RETURN_IF_ERROR(Create({}, &booster));
  PRODCAT_RETURN_IF_ERROR(booster.LoadModel(bytes));
  *out = std::move(booster);
  return Status::Ok();
}

Status XgbBooster::SetParam(const std::string& name, const std::string& value) {
  if (XGBoosterSetParam(handle_, name.c_str(), value.c_str()) != 0) {
    return Status::Internal("XGBoost rejected parameter " + name + "=" + value + ": " +
                            XGBGetLastError());
  }
  return Status::Ok();
}

Status XgbBooster::LoadModel(std::string_view bytes) {
  PRODCAT_XGB(XGBoosterLoadModelFromBuffer(handle_, bytes.data(), bytes.size()));
  return Status::Ok();
}

Status XgbBooster::SaveModel(std::string* bytes) const {
  bst_ulong length = 0;
  const char* data = nullptr;
  PRODCAT_XGB(XGBoosterSaveModelToBuffer(handle_, R"({"format":"ubj"})", &length, &data));
  bytes->assign(data, length);
  return Status::Ok();
}

Status XgbBooster::SaveConfig(std::string* json) const {
  bst_ulong length = 0;
  const char* data = nullptr;
  PRODCAT_XGB(XGBoosterSaveJsonConfig(handle_, &length, &data));
  json->assign(data, length);
  return Status::Ok();
}

Status XgbBooster::LoadConfig(const std::string& json) {
  PRODCAT_XGB(XGBoosterLoadJsonConfig(handle_, json.c_str()));
  return Status::Ok();
}

Status XgbBooster::UpdateOneIter(int iteration, const XgbMatrix& train) {
  PRODCAT_XGB(XGBoosterUpdateOneIter(handle_, iteration, train.handle()));
  return Status::Ok();
}

Status XgbBooster::Predict(const XgbMatrix& matrix, std::vector<float>* probs) const {
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  PRODCAT_XGB(XGBoosterPredictFromDMatrix(
      handle_, matrix.handle(),
      R"({"type":0,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":true})",
      &shape, &dim, &result));
  size_t count = 1;
  for (bst_ulong i = 0; i < dim; ++i) count *= shape[i];
  probs->assign(result, result + count);
  return Status::Ok();
}

Status XgbBooster::BoostedRounds(int* rounds) const {
  PRODCAT_XGB(XGBoosterBoostedRounds(handle_, rounds));
  return Status::Ok();
}

Status XgbBooster::Slice(int rounds, XgbBooster* out) const {
  XgbBooster sliced;
  PRODCAT_XGB(XGBoosterSlice(handle_, 0, rounds, 1, &sliced.handle_));
  *out = std::move(sliced);
  return Status::Ok();
}

Status XgbBooster::FeatureScores(const std::string& importance_type,
                                 std::vector<std::pair<size_t, double>>* scores) const {
  std::string config = nlohmann::json{{"importance_type", importance_type}}.dump();
  bst_ulong num_features = 0, dim = 0;
  const char** names = nullptr;
  const bst_ulong* shape = nullptr;
  const float* values = nullptr;
  PRODCAT_XGB(
      XGBoosterFeatureScore(handle_, config.c_str(), &num_features, &names, &dim, &shape, &values));
  scores->clear();
  for (bst_ulong i = 0; i < num_features; ++i) {
    // Without feature names XGBoost calls column i "f<i>".
    const char* name = names[i];
    if (name[0] != 'f')
      return Status::Internal(std::string("unexpected XGBoost feature name ") + name);
    char* end = nullptr;
    unsigned long long column = std::strtoull(name + 1, &end, 10);
    if (end == name + 1 || *end != '\0') {
      return Status::Internal(std::string("unexpected XGBoost feature name ") + name);
    }
    scores->emplace_back(static_cast<size_t>(column), static_cast<double>(values[i]));
  }
  return Status::Ok();
}

}  // namespace prodcat
