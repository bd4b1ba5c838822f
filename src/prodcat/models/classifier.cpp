#include "prodcat/models/classifier.h"

#include "prodcat/models/fasttext_classifier.h"
#include "prodcat/models/gbdt_classifier.h"
#include "prodcat/models/linear_classifier.h"

namespace prodcat {

nlohmann::json ReproducibleSummary(const nlohmann::json& summary) {
  nlohmann::json out = summary;
  if (!out.is_object()) return out;
  for (const char* key : {"train_seconds", "row_rounds_per_second", "resumed_from_round", "threads",
                          "seconds", "solver_cpu_seconds"}) {
    out.erase(key);
  }
  return out;
}

std::vector<std::string> ClassifierFamilies() {
  return {"linear", "fasttext", "gbdt"};
}

Status CreateClassifier(const std::string& family, const nlohmann::json& params, int num_classes,
                        std::unique_ptr<Classifier>* out) {
  if (num_classes < 2) {
    return Status::InvalidArgument("a classifier needs at least 2 classes, got " +
                                   std::to_string(num_classes));
  }
  const nlohmann::json& p = params.is_null() ? nlohmann::json::object() : params;
  if (!p.is_object()) return Status::InvalidArgument(family + " parameters must be a mapping");
  if (family == "linear") return CreateLinearClassifier(p, num_classes, out);
  if (family == "fasttext") return CreateFastTextClassifier(p, num_classes, out);
  if (family == "gbdt") return CreateGbdtClassifier(p, num_classes, out);
  return Status::InvalidArgument("unknown model family '" + family +
                                 "' (expected linear, fasttext or gbdt)");
}

}  // namespace prodcat
