// RegistrySource: serves what a model-registry URI names (models:/NAME@ALIAS, models:/NAME/
// Production, models:/NAME/latest, models:/NAME/3). The revision is the registered version the
// URI resolves to now, so moving an alias or promoting a version is what a poll notices; the
// bundle is fetched through the registry (ResolveModelUri) and verified like any other.
#pragma once

#include <string>

#include "prodcat/serving/model_source.h"

namespace prodcat::serving {

class RegistrySource : public ModelSource {
 public:
  // `tracking_uri` empty: the default store ($PRODCAT_TRACKING_URI or ./prodcat-store).
  // `name`: the model name to report; empty means the registered model's name.
  RegistrySource(std::string uri, std::string tracking_uri, std::string name);
  std::string Describe() const override;
  // "NAME/VERSION" of the version the URI names now.
  Status CurrentRevision(std::string* revision) const override;
  // Loads that version; its registry version number is the served version.
  Status Load(std::shared_ptr<const ServedModel>* out) const override;

 private:
  // The registered name and version the URI names now.
  Status Find(std::string* registered_name, int64_t* version) const;

  std::string uri_;           // models:/...
  std::string tracking_uri_;  // the registry's store; "" = default
  std::string name_;          // reported name override; may be empty
};

}  // namespace prodcat::serving
