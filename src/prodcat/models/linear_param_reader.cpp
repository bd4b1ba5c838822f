#include "prodcat/models/linear_param_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

namespace prodcat {

ParamReader::ParamReader(std::string family, const nlohmann::json& params)
    : family_(std::move(family)), params_(&params) {}

std::string ParamReader::Describe(const std::string& key) const {
  return family_ + " parameter '" + key + "'";
}

const nlohmann::json* ParamReader::Find(const std::string& key) {
  known_.push_back(key);
  if (!params_->is_object()) return nullptr;
  auto it = params_->find(key);
  return it == params_->end() ? nullptr : &*it;
}

Status ParamReader::Number(const std::string& key, double min, double max, double* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_number()) {
    return Status::InvalidArgument(Describe(key) + ": expected a number, got " + v->dump());
  }
  double d = v->get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    return Status::InvalidArgument(Describe(key) + ": expected a number in [" +
                                   nlohmann::json(min).dump() + ", " + nlohmann::json(max).dump() +
                                   "], got " + v->dump());
  }
  *out = d;
  return Status::Ok();
}

Status ParamReader::Integer(const std::string& key, int64_t min, int64_t max, int64_t* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return Status::Ok();
  // 4e5 written as a float (YAML, Python) is accepted when it is integral.
  bool integral =
      v->is_number_integer() ||
      (v->is_number_float() && std::isfinite(v->get<double>()) &&
       std::floor(v->get<double>()) == v->get<double>() && std::fabs(v->get<double>()) < 9e18);
  if (!integral) {
    return Status::InvalidArgument(Describe(key) + ": expected an integer, got " + v->dump());
  }
  int64_t i =
      v->is_number_unsigned()
          ? static_cast<int64_t>(std::min<uint64_t>(v->get<uint64_t>(), uint64_t{INT64_MAX}))
      : v->is_number_integer() ? v->get<int64_t>()
                               : static_cast<int64_t>(v->get<double>());
  if (i < min || i > max) {
    return Status::InvalidArgument(Describe(key) + ": expected an integer in [" +
                                   std::to_string(min) + ", " + std::to_string(max) + "], got " +
                                   v->dump());
  }
  *out = i;
  return Status::Ok();
}

Status ParamReader::Integer(const std::string& key, int min, int max, int* out) {
  int64_t wide = *out;
  PRODCAT_RETURN_IF_ERROR(Integer(key, int64_t{min}, int64_t{max}, &wide));
  *out = static_cast<int>(wide);
  return Status::Ok();
}

Status ParamReader::Boolean(const std::string& key, bool* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_boolean()) {
    return Status::InvalidArgument(Describe(key) + ": expected true or false, got " + v->dump());
  }
  *out = v->get<bool>();
  return Status::Ok();
}

Status ParamReader::Choice(const std::string& key, std::initializer_list<const char*> choices,
                           std::string* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return Status::Ok();
  std::string expected;
  for (const char* c : choices) expected += (expected.empty() ? "" : ", ") + std::string(c);
  if (v->is_string()) {
    for (const char* c : choices) {
      if (v->get<std::string>() == c) {
        *out = c;
        return Status::Ok();
      }
    }
  }
  return Status::InvalidArgument(Describe(key) + ": expected one of " + expected + ", got " +
                                 v->dump());
}

Status ParamReader::RejectUnknownKeys() const {
  if (!params_->is_object()) return Status::Ok();
  for (const auto& item : params_->items()) {
    if (std::find(known_.begin(), known_.end(), item.key()) != known_.end()) continue;
    std::string known;
    for (const std::string& k : known_) known += (known.empty() ? "" : ", ") + k;
    return Status::InvalidArgument("unknown " + family_ + " parameter '" + item.key() +
                                   "' (known: " + known + ")");
  }
  return Status::Ok();
}

}  // namespace prodcat
