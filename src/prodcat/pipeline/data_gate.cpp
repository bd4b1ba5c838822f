#include "prodcat/pipeline/data_gate.h"

#include <spdlog/spdlog.h>

#include "prodcat/common/file_util.h"
#include "prodcat/validation/suite_inference.h"
#include "prodcat/validation/validator.h"

namespace prodcat {
namespace fs = std::filesystem;

Status GateSplits(const fs::path& suite_path, const std::vector<NamedRecords>& splits,
                  const fs::path& out_dir, nlohmann::json* summary) {
  if (splits.empty()) return Status::InvalidArgument("data gate: nothing to check");
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(out_dir));
  ExpectationSuite suite;
  bool inferred = suite_path.empty();
  size_t first_checked = 0;
  if (inferred) {
    InferenceOptions options;
    options.suite_name = "inferred_from_" + splits[0].name;
    options.data_label = splits[0].name + " split";
    PRODCAT_RETURN_IF_ERROR(InferSuite(*splits[0].records, options, &suite));
    first_checked = 1;  // the training split defines the suite; check the others against it
  } else {
    PRODCAT_RETURN_IF_ERROR(LoadExpectationSuite(suite_path, &suite));
  }
  PRODCAT_RETURN_IF_ERROR(WriteExpectationSuite(out_dir / "suite.yaml", suite));
  nlohmann::json s;
  s["suite"] = (out_dir / "suite.yaml").string();
  s["inferred"] = inferred;
  s["splits"] = nlohmann::json::object();
  std::string failures;
  for (size_t i = first_checked; i < splits.size(); ++i) {
    if (splits[i].records->empty()) continue;
    ValidationResult result;
    PRODCAT_RETURN_IF_ERROR(ValidateRecords(*splits[i].records, suite, &result));
    fs::path report = out_dir / (splits[i].name + ".json");
    PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(report, result.ToJson().dump(2) + "\n"));
    s["splits"][splits[i].name] = {{"success", result.success},
                                   {"evaluated", result.evaluated()},
                                   {"successful", result.successful()},
                                   {"report", report.string()}};
    if (!result.success) {
      spdlog::warn("validation: the {} split failed {} of {} expectations (report {})",
                   splits[i].name, result.evaluated() - result.successful(), result.evaluated(),
                   report.string());
    }
    if (result.HasBlockingFailure()) {
      failures += "\n" + splits[i].name + " split:\n" + result.RenderTable();
    }
  }
  *summary = std::move(s);
  if (!failures.empty()) {
    return Status::FailedPrecondition(
        "data validation failed (expectations of severity 'error'); "
        "reports in " +
        out_dir.string() + failures);
  }
  return Status::Ok();
}

}  // namespace prodcat
