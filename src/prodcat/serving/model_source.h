// ModelSource: where the served model comes from. The server asks a source for a cheap revision
// marker (polled) and loads a verified model when the marker changes. DirectorySource follows a
// bundle directory; RegistrySource (registry_source.h) follows a models:/ URI.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/serving/served_model.h"

namespace prodcat::serving {

class ModelSource {
 public:
  virtual ~ModelSource() = default;
  // For logs and the API: "directory /srv/models/current".
  virtual std::string Describe() const = 0;
  // Changes whenever the model the source offers changes. Cheap: called every poll.
  virtual Status CurrentRevision(std::string* revision) const = 0;
  // Loads and verifies the model the source offers now (revision included).
  virtual Status Load(std::shared_ptr<const ServedModel>* out) const = 0;
};

// Follows a bundle directory (or a symlink to one): the revision is the SHA-256 of its
// manifest.json, which changes with every saved bundle (it holds every file's checksum).
class DirectorySource : public ModelSource {
 public:
  // `name`: the model name to report; empty means the directory's name.
  DirectorySource(std::filesystem::path dir, std::string name);
  std::string Describe() const override;
  Status CurrentRevision(std::string* revision) const override;
  Status Load(std::shared_ptr<const ServedModel>* out) const override;

 private:
  std::filesystem::path dir_;  // as given, so a repointed symlink is followed
  std::string name_;           // never empty
};

// A registry URI ("models:/NAME@ALIAS", ".../Production", ".../3"; see RegistrySource) or a
// bundle directory. `name` overrides the reported model name; `tracking_uri` is the registry's
// store ("" = the default).
Status OpenModelSource(const std::string& uri, const std::string& name,
                       const std::string& tracking_uri, std::unique_ptr<ModelSource>* out);

}  // namespace prodcat::serving
