#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "prodcat/models/classifier.h"

namespace prodcat {

// Validates `params` (unknown keys are an error) and creates an untrained classifier.
Status CreateLinearClassifier(const nlohmann::json& params, int num_classes,
                              std::unique_ptr<Classifier>* out);

}  // namespace prodcat
