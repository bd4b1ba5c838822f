// Status and StatusOr: the error currency of libprodcat. Functions that can fail return a Status
// (or StatusOr<T>) with a specific, human-readable message instead of throwing across modules.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace prodcat {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed (bad file, bad field, bad option)
  kNotFound,            // a file, model, column or key does not exist
  kAlreadyExists,       // a unique thing would be created twice
  kFailedPrecondition,  // the system is not in a state to do this (e.g. resume without checkpoint)
  kDataLoss,            // stored bytes are corrupt, truncated or fail their checksum
  kIoError,             // the operating system refused a read or write
  kUnimplemented,       // the request names a feature this build does not offer
  kInternal,            // a bug or a failure of a library we call
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: products.csv:12: field 'price': expected a number, got 'abc'"
  std::string ToString() const;
  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;  // kOk iff message_ is empty by convention
  std::string message_;                // what went wrong, specific enough to act on
};

// Either a value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;           // ok() iff value_ holds a value
  std::optional<T> value_;  // set only on success
};

}  // namespace prodcat

#define PRODCAT_CONCAT_INNER(a, b) a##b
#define PRODCAT_CONCAT(a, b) PRODCAT_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not ok.
#define PRODCAT_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::prodcat::Status prodcat_status_ = (expr);        \
    if (!prodcat_status_.ok()) return prodcat_status_; \
  } while (0)

// `PRODCAT_ASSIGN_OR_RETURN(auto x, MakeX());` declares x or returns the error.
// `lhs` is a declaration, so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define PRODCAT_ASSIGN_OR_RETURN(lhs, expr)                \
  auto PRODCAT_CONCAT(prodcat_or_, __LINE__) = (expr);     \
  if (!PRODCAT_CONCAT(prodcat_or_, __LINE__).ok())         \
    return PRODCAT_CONCAT(prodcat_or_, __LINE__).status(); \
  lhs = std::move(PRODCAT_CONCAT(prodcat_or_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)
