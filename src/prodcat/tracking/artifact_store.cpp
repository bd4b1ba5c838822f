#include "prodcat/tracking/artifact_store.h"

#include <algorithm>
#include <fstream>

#include "prodcat/common/file_util.h"
#include "prodcat/common/sha256.h"

namespace prodcat::tracking {
namespace fs = std::filesystem;

namespace {

// True when `path` equals `root` or lies below it (both canonical).
bool IsWithin(const fs::path& path, const fs::path& root) {
  auto [root_end, unused] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

}  // namespace

Status ValidateArtifactPath(const std::string& relative) {
  if (relative.find('\0') != std::string::npos) {
    return Status::InvalidArgument("Invalid artifact path: it contains a NUL byte");
  }
  if (relative.find('\\') != std::string::npos) {
    return Status::InvalidArgument("Invalid artifact path '" + relative +
                                   "': backslashes are not allowed");
  }
  if (!relative.empty() && relative.front() == '/') {
    return Status::InvalidArgument("Invalid artifact path '" + relative +
                                   "': absolute paths are not allowed");
  }
  size_t start = 0;
  while (start <= relative.size()) {
    size_t slash = relative.find('/', start);
    std::string part =
        relative.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") {
      return Status::InvalidArgument("Invalid artifact path '" + relative +
                                     "': '..' components are not allowed");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

LocalArtifactStore::LocalArtifactStore(fs::path root) {
  std::error_code ec;
  root_ = fs::absolute(root, ec).lexically_normal();
  if (root_.has_filename() == false && root_.has_parent_path()) root_ = root_.parent_path();
}

Status LocalArtifactStore::Resolve(const std::string& relative, bool for_write,
                                   fs::path* out) const {
  PRODCAT_RETURN_IF_ERROR(ValidateArtifactPath(relative));
  std::error_code ec;
  fs::create_directories(root_, ec);
  fs::path canonical_root = fs::canonical(root_, ec);
  if (ec) {
    return Status::IoError("artifact root '" + root_.string() + "' is not usable: " + ec.message());
  }
  fs::path target = relative.empty() ? root_ : (root_ / relative).lexically_normal();
  if (for_write && target.has_parent_path()) {
    fs::path parent = target.parent_path();
    // Check the deepest existing ancestor before creating anything below it, so a symlinked
    // directory pointing outside never gets directories created through it.
    fs::path existing = parent;
    while (!fs::exists(existing, ec) && existing.has_parent_path() && existing != root_) {
      existing = existing.parent_path();
    }
    if (!IsWithin(fs::weakly_canonical(existing, ec), canonical_root)) {
      return Status::InvalidArgument("Invalid artifact path '" + relative +
                                     "': it resolves outside the artifact root");
    }
    fs::create_directories(parent, ec);
    if (ec) {
      return Status::IoError("cannot create artifact directory '" + parent.string() +
                             "': " + ec.message());
    }
  }
  fs::path resolved = fs::weakly_canonical(target, ec);
  if (ec || !IsWithin(resolved, canonical_root)) {
    return Status::InvalidArgument("Invalid artifact path '" + relative +
                                   "': it resolves outside the artifact root");
  }
  *out = resolved;
  return Status::Ok();
}

Status LocalArtifactStore::Put(const std::string& relative, const std::string& bytes,
                               std::string* sha256) const {
  if (relative.empty()) return Status::InvalidArgument("Invalid artifact path: empty");
  fs::path path;
  PRODCAT_RETURN_IF_ERROR(Resolve(relative, /*for_write=*/true, &path));
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return Status::InvalidArgument("Invalid artifact path '" + relative + "': it is a directory");
  }
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(path, bytes));
  if (sha256) *sha256 = Sha256Hex(bytes);
  return Status::Ok();
}

Status LocalArtifactStore::PutFile(const std::string& relative, const fs::path& source,
                                   std::string* sha256, int64_t* size) const {
  std::string bytes;
  PRODCAT_RETURN_IF_ERROR(ReadFile(source, &bytes));
  if (size) *size = static_cast<int64_t>(bytes.size());
  return Put(relative, bytes, sha256);
}

Status LocalArtifactStore::Get(const std::string& relative, std::string* bytes) const {
  fs::path path;
  PRODCAT_RETURN_IF_ERROR(Resolve(relative, false, &path));
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Status::NotFound("Artifact '" + relative + "' does not exist");
  }
  return ReadFile(path, bytes);
}

Status LocalArtifactStore::List(const std::string& relative, std::vector<FileInfo>* files) const {
  files->clear();
  fs::path dir;
  PRODCAT_RETURN_IF_ERROR(Resolve(relative, false, &dir));
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Ok();
  fs::path canonical_root = fs::canonical(root_, ec);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code entry_ec;
    // A symlink leading outside the root is not listed.
    fs::path resolved = fs::weakly_canonical(entry.path(), entry_ec);
    if (entry_ec || !IsWithin(resolved, canonical_root)) continue;
    FileInfo info;
    info.path = entry.path().filename().string();
    if (info.path.rfind(".tmp-", 0) == 0 || info.path.find(".tmp-") != std::string::npos) {
      continue;  // a write in progress
    }
    info.is_dir = fs::is_directory(resolved, entry_ec);
    info.file_size = info.is_dir ? 0 : static_cast<int64_t>(fs::file_size(resolved, entry_ec));
    files->push_back(std::move(info));
  }
  std::sort(files->begin(), files->end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return Status::Ok();
}

Status LocalArtifactStore::Delete(const std::string& relative) const {
  if (relative.empty()) return Status::InvalidArgument("Invalid artifact path: empty");
  fs::path path;
  PRODCAT_RETURN_IF_ERROR(Resolve(relative, false, &path));
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) {
    return Status::NotFound("Artifact '" + relative + "' does not exist");
  }
  fs::remove_all(path, ec);
  if (ec) return Status::IoError("cannot delete artifact '" + relative + "': " + ec.message());
  return Status::Ok();
}

}  // namespace prodcat::tracking
