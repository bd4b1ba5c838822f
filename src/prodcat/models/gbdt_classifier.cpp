#include "prodcat/models/gbdt_classifier.h"

namespace prodcat {

// Temporary stub so the models library links; the XGBoost family replaces it shortly.
Status CreateGbdtClassifier(const nlohmann::json& params, int num_classes,
                            std::unique_ptr<Classifier>* out) {
  return Status::Unimplemented("the gbdt family is not built yet");
}

}  // namespace prodcat
