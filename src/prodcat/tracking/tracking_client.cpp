#include "prodcat/tracking/tracking_client.h"

#include <algorithm>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"
#include "prodcat/tracking/artifact_store.h"
#include "prodcat/tracking/rest_store.h"
#include "prodcat/tracking/sql_store.h"
#include "prodcat/tracking/store_uri.h"

namespace prodcat::tracking {
namespace fs = std::filesystem;

namespace {

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

// Local directory for file:// and absolute-path URIs; empty for anything else.
std::string LocalPathOf(const std::string& uri) {
  if (uri.rfind("file://", 0) == 0) return uri.substr(7);
  if (!uri.empty() && uri.front() == '/') return uri;
  return "";
}

}  // namespace

bool ParseProxiedArtifactUri(const std::string& uri, std::string* relative) {
  const std::string scheme = "mlflow-artifacts:";
  if (uri.rfind(scheme, 0) != 0) return false;
  std::string rest = uri.substr(scheme.size());
  if (rest.rfind("//", 0) == 0) {
    size_t slash = rest.find('/', 2);
    rest = slash == std::string::npos ? "" : rest.substr(slash);
  }
  while (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  *relative = rest;
  return true;
}

TrackingClient::~TrackingClient() = default;

Status TrackingClient::Open(const std::string& tracking_uri,
                            std::unique_ptr<TrackingClient>* client) {
  std::unique_ptr<TrackingClient> c(new TrackingClient());
  c->uri_ = tracking_uri.empty() ? DefaultTrackingUri() : tracking_uri;
  StoreUri parsed;
  PRODCAT_RETURN_IF_ERROR(ParseStoreUri(c->uri_, &parsed));
  if (parsed.kind == StoreKind::kRest) {
    std::unique_ptr<RestTrackingStore> rest;
    PRODCAT_RETURN_IF_ERROR(RestTrackingStore::Open(parsed.location, &rest));
    c->rest_ = rest.get();
    c->store_ = std::move(rest);
  } else {
    std::unique_ptr<SqlTrackingStore> sql;
    PRODCAT_RETURN_IF_ERROR(OpenSqlStore(c->uri_, SqlStoreOptions{}, &sql));
    c->sql_ = sql.get();
    c->store_ = std::move(sql);
  }
  *client = std::move(c);
  return Status::Ok();
}

Status TrackingClient::UploadFile(const std::string& artifact_uri, const std::string& relative,
                                  const fs::path& file, const std::string& run_id) {
  std::string proxied;
  if (ParseProxiedArtifactUri(artifact_uri, &proxied)) {
    std::string path = JoinPath(proxied, relative);
    if (rest_) {
      std::string bytes;
      PRODCAT_RETURN_IF_ERROR(ReadFile(file, &bytes));
      return rest_->UploadArtifact(path, bytes);
    }
    LocalArtifactStore local(sql_->artifact_root());
    std::string sha;
    int64_t size = 0;
    PRODCAT_RETURN_IF_ERROR(local.PutFile(path, file, &sha, &size));
    return store_->RecordArtifact({path, run_id, size, sha, 0});
  }
  std::string dir = LocalPathOf(artifact_uri);
  if (dir.empty()) {
    return Status::Unimplemented("cannot write artifacts to '" + artifact_uri +
                                 "': only mlflow-artifacts:/, file:// and local paths are "
                                 "supported");
  }
  LocalArtifactStore local(dir);
  std::string sha;
  int64_t size = 0;
  PRODCAT_RETURN_IF_ERROR(local.PutFile(relative, file, &sha, &size));
  return store_->RecordArtifact({(fs::path(dir) / relative).string(), run_id, size, sha, 0});
}

Status TrackingClient::LogArtifacts(const std::string& run_id, const fs::path& local,
                                    const std::string& artifact_path) {
  PRODCAT_RETURN_IF_ERROR(ValidateArtifactPath(artifact_path));
  Run run;
  PRODCAT_RETURN_IF_ERROR(store_->GetRun(run_id, &run));
  std::error_code ec;
  if (fs::is_regular_file(local, ec)) {
    return UploadFile(run.info.artifact_uri, JoinPath(artifact_path, local.filename().string()),
                      local, run_id);
  }
  if (!fs::is_directory(local, ec)) {
    return Status::NotFound("artifact source '" + local.string() + "' does not exist");
  }
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(local, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return Status::IoError("cannot list '" + local.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::string relative = fs::relative(file, local, ec).generic_string();
    PRODCAT_RETURN_IF_ERROR(
        UploadFile(run.info.artifact_uri, JoinPath(artifact_path, relative), file, run_id));
  }
  return Status::Ok();
}

Status TrackingClient::Download(const std::string& proxied_path, const fs::path& dest) {
  std::vector<FileInfo> files;
  PRODCAT_RETURN_IF_ERROR(rest_->ListProxiedArtifacts(proxied_path, &files));
  if (files.empty()) {
    // Either an empty directory or a single file: try the file.
    std::string bytes;
    Status s = rest_->DownloadArtifact(proxied_path, &bytes);
    if (!s.ok()) {
      return Status::NotFound("no artifacts at mlflow-artifacts:/" + proxied_path);
    }
    PRODCAT_RETURN_IF_ERROR(EnsureDirectory(dest.parent_path()));
    return WriteFileAtomic(dest, bytes);
  }
  PRODCAT_RETURN_IF_ERROR(EnsureDirectory(dest));
  for (const FileInfo& f : files) {
    PRODCAT_RETURN_IF_ERROR(ValidateArtifactPath(f.path));
    std::string child = JoinPath(proxied_path, f.path);
    if (f.is_dir) {
      PRODCAT_RETURN_IF_ERROR(Download(child, dest / f.path));
    } else {
      std::string bytes;
      PRODCAT_RETURN_IF_ERROR(rest_->DownloadArtifact(child, &bytes));
      PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dest / f.path, bytes));
    }
  }
  return Status::Ok();
}

Status TrackingClient::LocalArtifactDir(const std::string& artifact_uri,
                                        const fs::path& download_dir, fs::path* local) {
  std::error_code ec;
  if (artifact_uri.rfind("runs:/", 0) == 0) {
    std::string rest = artifact_uri.substr(6);
    while (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
    size_t slash = rest.find('/');
    std::string run_id = rest.substr(0, slash);
    std::string path = slash == std::string::npos ? "" : rest.substr(slash + 1);
    PRODCAT_RETURN_IF_ERROR(ValidateArtifactPath(path));
    Run run;
    PRODCAT_RETURN_IF_ERROR(store_->GetRun(run_id, &run));
    return LocalArtifactDir(JoinPath(run.info.artifact_uri, path), download_dir, local);
  }
  std::string proxied;
  if (ParseProxiedArtifactUri(artifact_uri, &proxied)) {
    PRODCAT_RETURN_IF_ERROR(ValidateArtifactPath(proxied));
    if (sql_) {
      *local = fs::path(sql_->artifact_root()) / proxied;
      if (!fs::exists(*local, ec)) {
        return Status::NotFound("artifacts '" + artifact_uri + "' are not in the artifact root " +
                                sql_->artifact_root());
      }
      return Status::Ok();
    }
    // Downloaded into a fresh sibling, then published whole, so a crash never leaves half.
    fs::path staged = StagingPath(download_dir);
    fs::remove_all(staged, ec);
    Status s = Download(proxied, staged);
    if (!s.ok()) {
      fs::remove_all(staged, ec);
      return s;
    }
    PRODCAT_RETURN_IF_ERROR(PublishDirectory(staged, download_dir));
    *local = download_dir;
    return Status::Ok();
  }
  std::string path = LocalPathOf(artifact_uri);
  if (path.empty()) {
    return Status::Unimplemented("cannot fetch artifacts from '" + artifact_uri +
                                 "': only mlflow-artifacts:/, runs:/, file:// and local paths "
                                 "are supported");
  }
  if (!fs::exists(path, ec)) return Status::NotFound("'" + path + "' does not exist");
  *local = path;
  return Status::Ok();
}

Status TrackingClient::ListArtifacts(const std::string& run_id, const std::string& path,
                                     std::vector<FileInfo>* files) {
  PRODCAT_RETURN_IF_ERROR(ValidateArtifactPath(path));
  if (rest_) return rest_->ListRunArtifacts(run_id, path, files);
  Run run;
  PRODCAT_RETURN_IF_ERROR(store_->GetRun(run_id, &run));
  std::string proxied, base;
  if (ParseProxiedArtifactUri(run.info.artifact_uri, &proxied)) {
    base = (fs::path(sql_->artifact_root()) / proxied).string();
  } else {
    base = LocalPathOf(run.info.artifact_uri);
  }
  if (base.empty()) {
    return Status::Unimplemented("cannot list artifacts at '" + run.info.artifact_uri + "'");
  }
  LocalArtifactStore local(base);
  PRODCAT_RETURN_IF_ERROR(local.List(path, files));
  for (FileInfo& f : *files) f.path = JoinPath(path, f.path);
  return Status::Ok();
}

}  // namespace prodcat::tracking
