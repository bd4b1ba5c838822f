// ModelBundle: everything needed to reproduce a model's predictions, in one directory:
//   manifest.json            format version, prodcat version, creation time, family, class names,
//                            reframing, FeatureSpec summary, data fingerprint, hyperparameters,
//                            metrics, and the SHA-256 of every other file
//   features/...             the fitted FeatureSpec
//   model/...                the family's model files
//   reference_profile.json   training feature and prediction statistics (drift detection)
// Save stages the directory and publishes it with a rename; Load verifies the format version and
// every checksum and refuses a tampered or truncated bundle with a message naming the file.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"
#include "prodcat/data/reframing.h"
#include "prodcat/features/feature_spec.h"
#include "prodcat/models/classifier.h"

namespace prodcat {

struct ScoredLabel {
  std::string label;
  float probability = 0;
};

class ModelBundle {
 public:
  static constexpr int kFormatVersion = 1;

  // `metadata` fields (data_fingerprint, hyperparameters, metrics, training, ...) are merged
  // into the manifest; `reference_profile` is stored as reference_profile.json.
  ModelBundle(std::unique_ptr<FeatureSpec> spec, std::unique_ptr<Classifier> classifier,
              std::vector<std::string> class_names, Reframing reframing, nlohmann::json metadata,
              nlohmann::json reference_profile);

  static Status Load(const std::filesystem::path& dir, std::unique_ptr<ModelBundle>* out);
  Status Save(const std::filesystem::path& dir) const;

  // Full probability vector (class_names().size() entries) for one raw record.
  void PredictProba(const ProductRecord& record, std::vector<float>* probs) const;
  // The k most probable labels, best first.
  std::vector<ScoredLabel> PredictTopK(const ProductRecord& record, size_t k) const;
  int ClassIndex(const std::string& label) const;  // -1 when unknown

  const std::vector<std::string>& class_names() const { return class_names_; }
  const Reframing& reframing() const { return reframing_; }
  const FeatureSpec& spec() const { return *spec_; }
  const Classifier& classifier() const { return *classifier_; }
  const nlohmann::json& metadata() const { return metadata_; }
  nlohmann::json& mutable_metadata() { return metadata_; }
  const nlohmann::json& reference_profile() const { return reference_profile_; }
  nlohmann::json& mutable_reference_profile() { return reference_profile_; }

 private:
  std::unique_ptr<FeatureSpec> spec_;        // never null
  std::unique_ptr<Classifier> classifier_;   // never null; num_classes == class_names_.size()
  std::vector<std::string> class_names_;     // index = class id
  Reframing reframing_;                      // applied to labels before they meet the model
  nlohmann::json metadata_;                  // manifest fields beyond the structural ones
  nlohmann::json reference_profile_;         // object; may be empty
};

}  // namespace prodcat
