// Crash-safe file helpers. Every write that matters (models, checkpoints, registry files) goes
// through WriteFileAtomic: temp file in the same directory, fsync, rename, fsync the directory,
// so a reader sees either the old bytes or the new ones, never a torn file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "prodcat/common/status.h"

namespace prodcat {

Status ReadFile(const std::filesystem::path& path, std::string* contents);
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view contents);
Status FsyncDirectory(const std::filesystem::path& dir);
Status EnsureDirectory(const std::filesystem::path& dir);

// Replaces directory `target` by the fully written directory `staged` (same parent) with renames.
// If a kill lands between the two renames, `target` is missing and `target + ".old"` holds the
// previous version; RecoverDirectory puts it back.
Status PublishDirectory(const std::filesystem::path& staged, const std::filesystem::path& target);
void RecoverDirectory(const std::filesystem::path& target);

// A fresh sibling path "<target>.tmp-<pid>-<n>" to stage a directory or file in.
std::filesystem::path StagingPath(const std::filesystem::path& target);

}  // namespace prodcat
