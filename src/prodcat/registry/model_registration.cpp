#include "prodcat/registry/model_registration.h"

#include <filesystem>
#include <memory>
#include <vector>

#include "prodcat/common/sha256.h"

namespace prodcat::registry {
namespace fs = std::filesystem;
using tracking::KeyValue;
using tracking::ModelVersion;
using tracking::TrackingClient;

namespace {

bool IsArtifactUri(const std::string& s) {
  return s.rfind("mlflow-artifacts:", 0) == 0 || s.rfind("runs:/", 0) == 0 ||
         s.rfind("file://", 0) == 0;
}

}  // namespace

Status RegisterModelVersion(TrackingClient& client, const std::string& name,
                            const std::string& run_id, const std::string& source_dir,
                            const RegistrationOptions& options, ModelVersion* version) {
  if (name.empty()) return Status::InvalidArgument("a registered model needs a name");
  tracking::TrackingStore& store = client.store();
  tracking::CreateModelVersionRequest request;
  request.name = name;
  request.run_id = run_id;
  request.description = options.description;
  request.tags = options.tags;
  request.user_id = options.user;
  std::error_code ec;
  if (IsArtifactUri(source_dir)) {
    request.source = source_dir;
  } else {
    if (!fs::is_directory(source_dir, ec)) {
      return Status::NotFound("model bundle directory '" + source_dir + "' does not exist");
    }
    // The manifest digest ties the version to exact bundle bytes (the manifest lists a
    // SHA-256 per file).
    std::string manifest_sha;
    if (Sha256File(fs::path(source_dir) / "manifest.json", &manifest_sha).ok()) {
      request.tags.push_back({"prodcat.bundle.manifest_sha256", manifest_sha});
    }
    if (!run_id.empty()) {
      // A version's artifacts must never change: when the run already holds a bundle at that
      // path (an earlier registration), use a fresh sibling path.
      std::string path = options.artifact_path.empty() ? "model" : options.artifact_path;
      for (int n = 2;; ++n) {
        std::vector<tracking::FileInfo> existing;
        PRODCAT_RETURN_IF_ERROR(client.ListArtifacts(run_id, path, &existing));
        if (existing.empty()) break;
        path = options.artifact_path + "-" + std::to_string(n);
      }
      PRODCAT_RETURN_IF_ERROR(client.LogArtifacts(run_id, source_dir, path)
                                  .WithContext("copying the bundle into run " + run_id));
      tracking::Run run;
      PRODCAT_RETURN_IF_ERROR(store.GetRun(run_id, &run));
      request.source = run.info.artifact_uri + "/" + path;
    } else {
      request.source = fs::absolute(source_dir, ec).lexically_normal().string();
    }
  }
  tracking::RegisteredModel model;
  Status created = store.CreateRegisteredModel(name, {}, "", &model);
  if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;
  return store.CreateModelVersion(request, version);
}

Status RegisterModelVersion(const std::string& tracking_uri, const std::string& name,
                            const std::string& run_id, const std::string& source_dir,
                            const RegistrationOptions& options, ModelVersion* version) {
  std::unique_ptr<TrackingClient> client;
  PRODCAT_RETURN_IF_ERROR(TrackingClient::Open(tracking_uri, &client));
  return RegisterModelVersion(*client, name, run_id, source_dir, options, version);
}

}  // namespace prodcat::registry
