#include "prodcat/serving/model_source.h"

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/registry/model_uri.h"
#include "prodcat/serving/registry_source.h"

namespace prodcat::serving {
namespace fs = std::filesystem;

namespace {

std::string NameOf(const fs::path& dir) {
  fs::path p = dir;
  if (!p.has_filename()) p = p.parent_path();  // "models/current/"
  std::string name = p.filename().string();
  return name.empty() || name == "." || name == ".." ? "model" : name;
}

}  // namespace

DirectorySource::DirectorySource(fs::path dir, std::string name)
    : dir_(std::move(dir)), name_(name.empty() ? NameOf(dir_) : std::move(name)) {}

std::string DirectorySource::Describe() const {
  return "directory " + dir_.string();
}

Status DirectorySource::CurrentRevision(std::string* revision) const {
  std::string manifest;
  PRODCAT_RETURN_IF_ERROR(ReadFile(dir_ / "manifest.json", &manifest));
  *revision = Sha256Hex(manifest);
  return Status::Ok();
}

Status DirectorySource::Load(std::shared_ptr<const ServedModel>* out) const {
  // The directory may be replaced while it is read. Load verifies every file against the
  // manifest it read; reading the manifest's digest before and after tells whether that manifest
  // is the one the revision names. A few attempts cover a publish racing with the load.
  constexpr int kAttempts = 3;
  Status last;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::string before, after;
    PRODCAT_RETURN_IF_ERROR(CurrentRevision(&before));
    std::unique_ptr<ModelBundle> bundle;
    last = ModelBundle::Load(dir_, &bundle);
    if (!last.ok()) {
      // A failure with the directory stable is the bundle's fault; report it.
      if (CurrentRevision(&after).ok() && after == before) return last;
      continue;
    }
    if (!CurrentRevision(&after).ok() || after != before) continue;
    auto model = std::make_shared<ServedModel>();
    model->name = name_;
    model->version = ModelVersion(bundle->metadata(), before);
    model->family = bundle->classifier().family();
    model->created_at = bundle->metadata().value("created_at", "");
    model->source = Describe();
    model->revision = before;
    model->loaded_at = UtcNowIso8601();
    model->bundle = std::move(bundle);
    *out = std::move(model);
    return Status::Ok();
  }
  if (!last.ok()) return last;
  return Status::FailedPrecondition(Describe() + " kept changing while it was loaded (" +
                                    std::to_string(kAttempts) + " attempts)");
}

Status OpenModelSource(const std::string& uri, const std::string& name,
                       const std::string& tracking_uri, std::unique_ptr<ModelSource>* out) {
  if (registry::IsModelUri(uri)) {
    registry::ModelUri parsed;
    PRODCAT_RETURN_IF_ERROR(registry::ParseModelUri(uri, &parsed).WithContext("--model"));
    *out = std::make_unique<RegistrySource>(uri, tracking_uri, name);
    return Status::Ok();
  }
  if (uri.empty()) return Status::InvalidArgument("--model: empty path");
  std::error_code ec;
  if (!fs::is_directory(uri, ec)) {
    return Status::NotFound("--model " + uri + ": no such directory");
  }
  *out = std::make_unique<DirectorySource>(fs::path(uri), name);
  return Status::Ok();
}

}  // namespace prodcat::serving
