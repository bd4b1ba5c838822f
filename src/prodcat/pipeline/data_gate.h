// The data gate: training data passes an expectation suite before any model sees it.
// With a suite configured, every split is checked against it. Without one, a suite is inferred
// from the training split (and saved for review and reuse) and the other splits are checked
// against it, which catches a validation or test split that does not look like training data.
// A failed expectation of severity `error` stops the job; the reports are written either way.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"

namespace prodcat {

struct NamedRecords {
  std::string name;                           // "train", "val", "test"
  const std::vector<ProductRecord>* records;  // not owned
};

// Writes out_dir/suite.yaml and out_dir/<name>.json per checked split; *summary gets
// {suite, inferred, splits: {name: {success, evaluated, successful, report}}}.
// Returns FailedPrecondition (with the failing expectations in the message) on a blocking failure.
Status GateSplits(const std::filesystem::path& suite_path, const std::vector<NamedRecords>& splits,
                  const std::filesystem::path& out_dir, nlohmann::json* summary);

}  // namespace prodcat
