// LocalArtifactStore: artifact files under one root directory, addressed by relative paths
// ("0/<run_id>/artifacts/model/manifest.json"). Every path is confined to the root: absolute
// paths, ".." components, NUL bytes and symlinks that resolve outside are refused, checked on
// the canonical path after parents are created. Writes are atomic (temp file + rename).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/tracking/entities.h"

namespace prodcat::tracking {

class LocalArtifactStore {
 public:
  explicit LocalArtifactStore(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }

  // Resolves `relative` to an absolute path inside the root; `for_write` creates the parent
  // directories first. The empty path is the root itself.
  Status Resolve(const std::string& relative, bool for_write, std::filesystem::path* out) const;

  // Writes `bytes`; returns the content digest and size.
  Status Put(const std::string& relative, const std::string& bytes, std::string* sha256) const;
  // Copies a local file in.
  Status PutFile(const std::string& relative, const std::filesystem::path& source,
                 std::string* sha256, int64_t* size) const;
  Status Get(const std::string& relative, std::string* bytes) const;
  // Immediate children of a directory, sorted by name, paths relative to `relative` (bare
  // names). A missing directory or a file lists as empty.
  Status List(const std::string& relative, std::vector<FileInfo>* files) const;
  Status Delete(const std::string& relative) const;

 private:
  std::filesystem::path root_;  // absolute and lexically normal
};

// Checks a client-supplied artifact path without touching the file system: relative, no ".."
// component, no NUL, no backslash.
Status ValidateArtifactPath(const std::string& relative);

}  // namespace prodcat::tracking
