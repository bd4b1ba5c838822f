// TrackingClient: what prodcat commands use to log and to fetch artifacts, chosen by URI:
//   sqlite:/postgresql: URIs -> the SQL store in-process, artifacts under its artifact root;
//   http:// URIs          -> the REST store, artifacts through the mlflow-artifacts proxy.
// Artifact URIs it understands: mlflow-artifacts:/<path> (relative to the artifact root),
// file:///abs and /abs (local), runs:/<run_id>/<path> (a run's artifacts).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/tracking/store.h"

namespace prodcat::tracking {

class SqlTrackingStore;
class RestTrackingStore;

class TrackingClient {
 public:
  // `tracking_uri` empty: DefaultTrackingUri().
  static Status Open(const std::string& tracking_uri, std::unique_ptr<TrackingClient>* client);
  ~TrackingClient();

  TrackingStore& store() { return *store_; }
  const std::string& tracking_uri() const { return uri_; }
  bool remote() const { return rest_ != nullptr; }

  // Copies a local file, or every file below a local directory, into the run's artifacts under
  // `artifact_path` ("" = the run's artifact root); each file's SHA-256 is recorded.
  Status LogArtifacts(const std::string& run_id, const std::filesystem::path& local,
                      const std::string& artifact_path);

  // A local directory holding the artifacts at `artifact_uri`: the directory itself when it is
  // on this machine, else a copy downloaded into `download_dir`.
  Status LocalArtifactDir(const std::string& artifact_uri,
                          const std::filesystem::path& download_dir, std::filesystem::path* local);

  // The run's artifacts below `path`, paths relative to the run's artifact root.
  Status ListArtifacts(const std::string& run_id, const std::string& path,
                       std::vector<FileInfo>* files);

 private:
  TrackingClient() = default;
  Status UploadFile(const std::string& artifact_uri, const std::string& relative,
                    const std::filesystem::path& file, const std::string& run_id);
  Status Download(const std::string& proxied_path, const std::filesystem::path& dest);

  std::string uri_;                       // the tracking URI as resolved
  std::unique_ptr<TrackingStore> store_;  // never null
  SqlTrackingStore* sql_ = nullptr;       // store_ when it is a SQL store
  RestTrackingStore* rest_ = nullptr;     // store_ when it is a REST store
};

// "mlflow-artifacts:/0/r/artifacts" -> "0/r/artifacts"; false for other schemes.
bool ParseProxiedArtifactUri(const std::string& uri, std::string* relative);

}  // namespace prodcat::tracking
