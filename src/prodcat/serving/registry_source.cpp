#include "prodcat/serving/registry_source.h"

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/registry/model_uri.h"
#include "prodcat/tracking/tracking_client.h"

namespace prodcat::serving {

RegistrySource::RegistrySource(std::string uri, std::string tracking_uri, std::string name)
    : uri_(std::move(uri)), tracking_uri_(std::move(tracking_uri)), name_(std::move(name)) {}

std::string RegistrySource::Describe() const {
  return "registry " + uri_;
}

Status RegistrySource::Find(std::string* registered_name, int64_t* version) const {
  registry::ModelUri parsed;
  PRODCAT_RETURN_IF_ERROR(registry::ParseModelUri(uri_, &parsed));
  std::unique_ptr<tracking::TrackingClient> client;
  PRODCAT_RETURN_IF_ERROR(tracking::TrackingClient::Open(tracking_uri_, &client));
  tracking::ModelVersion found;
  PRODCAT_RETURN_IF_ERROR(
      registry::FindModelVersion(client->store(), parsed, &found).WithContext("resolving " + uri_));
  *registered_name = found.name;
  *version = found.version;
  return Status::Ok();
}

Status RegistrySource::CurrentRevision(std::string* revision) const {
  std::string name;
  int64_t version = 0;
  PRODCAT_RETURN_IF_ERROR(Find(&name, &version));
  *revision = name + "/" + std::to_string(version);
  return Status::Ok();
}

Status RegistrySource::Load(std::shared_ptr<const ServedModel>* out) const {
  std::string name;
  int64_t version = 0;
  PRODCAT_RETURN_IF_ERROR(Find(&name, &version));
  // The numbered URI pins the version found, even if the alias moves while this loads.
  const std::string pinned = "models:/" + name + "/" + std::to_string(version);
  std::string dir;
  PRODCAT_RETURN_IF_ERROR(registry::ResolveModelUri(pinned, tracking_uri_, &dir));
  std::unique_ptr<ModelBundle> bundle;
  PRODCAT_RETURN_IF_ERROR(ModelBundle::Load(dir, &bundle).WithContext(uri_));
  auto model = std::make_shared<ServedModel>();
  model->name = name_.empty() ? name : name_;
  model->version = std::to_string(version);
  model->family = bundle->classifier().family();
  model->created_at = bundle->metadata().value("created_at", "");
  model->source = Describe() + " (" + dir + ")";
  model->revision = name + "/" + std::to_string(version);
  model->loaded_at = UtcNowIso8601();
  model->bundle = std::move(bundle);
  *out = std::move(model);
  return Status::Ok();
}

}  // namespace prodcat::serving
