#include "prodcat/validation/validation_result.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace prodcat {
namespace {

nlohmann::json Percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return nullptr;
  return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::string Cut(std::string text, size_t width) {
  if (text.size() <= width) return text;
  // Cut on a UTF-8 character boundary.
  size_t end = width - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

std::string ShowObserved(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_number_float()) return fmt::format("{:.6g}", value.get<double>());
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("values")) {  // quantiles: just the values
    std::string out;
    for (const auto& v : value["values"]) {
      out += (out.empty() ? "" : ", ") + fmt::format("{:.4g}", v.get<double>());
    }
    return "[" + out + "]";
  }
  return value.dump();
}

}  // namespace

double ExpectationResult::UnexpectedPercent() const {
  uint64_t base = element_count - missing_count;
  if (base == 0) return std::numeric_limits<double>::quiet_NaN();
  return 100.0 * static_cast<double>(unexpected_count) / static_cast<double>(base);
}

nlohmann::json ExpectationResult::ToJson() const {
  nlohmann::json meta = expectation.meta;
  meta["severity"] = SeverityName(expectation.severity);
  nlohmann::json result = nlohmann::json::object();
  const bool column_level =
      expectation.column.has_value() && expectation.type != ExpectationType::kColumnToExist;
  if (!per_value) result["observed_value"] = observed_value;
  if (per_value || column_level) {
    result["element_count"] = element_count;
    result["missing_count"] = missing_count;
    result["missing_percent"] = Percent(missing_count, element_count);
  }
  if (per_value) {
    const uint64_t nonmissing = element_count - missing_count;
    result["unexpected_count"] = unexpected_count;
    result["unexpected_percent"] = Percent(unexpected_count, nonmissing);
    result["unexpected_percent_total"] = Percent(unexpected_count, element_count);
    result["unexpected_percent_nonmissing"] = Percent(unexpected_count, nonmissing);
    result["partial_unexpected_list"] = partial_unexpected_list;
    result["partial_unexpected_index_list"] = partial_unexpected_index_list;
  }
  if (!details.is_null()) result["details"] = details;
  nlohmann::json exception_info = {
      {"raised_exception", !exception_message.empty()},
      {"exception_message",
       exception_message.empty() ? nlohmann::json(nullptr) : nlohmann::json(exception_message)},
      {"exception_traceback", nullptr}};
  return {{"expectation_config",
           {{"expectation_type", ExpectationTypeName(expectation.type)},
            {"kwargs", expectation.kwargs},
            {"meta", meta}}},
          {"success", success},
          {"result", result},
          {"exception_info", exception_info}};
}

size_t ValidationResult::successful() const {
  size_t n = 0;
  for (const ExpectationResult& r : results) n += r.success;
  return n;
}

bool ValidationResult::HasBlockingFailure() const {
  for (const ExpectationResult& r : results) {
    if (!r.success && r.expectation.severity == Severity::kError) return true;
  }
  return false;
}

nlohmann::json ValidationResult::ToJson() const {
  nlohmann::json items = nlohmann::json::array();
  for (const ExpectationResult& r : results) items.push_back(r.ToJson());
  const size_t ok = successful();
  return {{"success", success},
          {"statistics",
           {{"evaluated_expectations", evaluated()},
            {"successful_expectations", ok},
            {"unsuccessful_expectations", evaluated() - ok},
            {"success_percent", Percent(ok, evaluated())}}},
          {"results", items},
          {"meta",
           {{"data_path", data_path},
            {"suite_name", suite_name},
            {"run_time", run_time},
            {"rows", rows},
            {"rows_skipped", rows_skipped},
            {"elapsed_seconds", elapsed_seconds}}}};
}

std::string ValidationResult::RenderTable() const {
  constexpr std::string_view kPrefix = "expect_";
  std::string out = fmt::format("{:<6} {:<8} {:<48} {:<13} {:<28} {}\n", "STATUS", "SEVERITY",
                                "EXPECTATION", "COLUMN", "OBSERVED", "UNEXPECTED");
  size_t blocking = 0;
  for (const ExpectationResult& r : results) {
    std::string_view type = ExpectationTypeName(r.expectation.type);
    type.remove_prefix(kPrefix.size());
    std::string observed = r.exception_message.empty() ? ShowObserved(r.observed_value)
                                                       : "error: " + r.exception_message;
    std::string unexpected = "-";
    if (r.per_value && r.exception_message.empty()) {
      double percent = r.UnexpectedPercent();
      unexpected = std::isnan(percent) ? "n/a (no values)"
                                       : fmt::format("{:.2f}% ({})", percent, r.unexpected_count);
    }
    bool blocks = !r.success && r.expectation.severity == Severity::kError;
    blocking += blocks;
    out += fmt::format("{:<6} {:<8} {:<48} {:<13} {:<28} {}\n",
                       r.success ? "ok" : (blocks ? "FAIL" : "warn"),
                       SeverityName(r.expectation.severity), type,
                       r.expectation.column ? r.expectation.ColumnName() : "(table)",
                       Cut(observed, 28), unexpected);
  }
  out += fmt::format(
      "{} of {} expectations passed ({:.1f}%), {} blocking failure(s); {} rows{} from {} in "
      "{:.2f} s\n",
      successful(), evaluated(),
      evaluated() ? 100.0 * static_cast<double>(successful()) / static_cast<double>(evaluated())
                  : 100.0,
      blocking, rows, rows_skipped ? fmt::format(" ({} skipped)", rows_skipped) : "",
      data_path.empty() ? "(records)" : data_path, elapsed_seconds);
  return out;
}

}  // namespace prodcat
