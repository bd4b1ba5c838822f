#include "prodcat/common/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace prodcat {
namespace fs = std::filesystem;

namespace {
Status ErrnoStatus(const std::string& what, const fs::path& path) {
  return Status::IoError(what + " '" + path.string() + "': " + std::strerror(errno));
}
}  // namespace

Status ReadFile(const fs::path& path, std::string* contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open '" + path.string() + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError("read failed for '" + path.string() + "'");
  *contents = std::move(ss).str();
  return Status::Ok();
}

Status FsyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync failed for directory", dir);
  return Status::Ok();
}

Status EnsureDirectory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create directory '" + dir.string() + "': " + ec.message());
  return Status::Ok();
}

fs::path StagingPath(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  fs::path clean = target;
  if (!clean.has_filename()) clean = clean.parent_path();
  return clean.parent_path() / (clean.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                                "-" + std::to_string(counter++));
}

Status WriteFileAtomic(const fs::path& path, std::string_view contents) {
  fs::path tmp = StagingPath(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create", tmp);
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = ErrnoStatus("write failed for", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = ErrnoStatus("fsync failed for", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = ErrnoStatus("rename failed for", path);
    ::unlink(tmp.c_str());
    return s;
  }
  return FsyncDirectory(path.parent_path());
}

Status PublishDirectory(const fs::path& staged, const fs::path& target) {
  std::error_code ec;
  fs::path old = target.string() + ".old";
  fs::remove_all(old, ec);
  bool had_target = fs::exists(target);
  if (had_target) {
    fs::rename(target, old, ec);
    if (ec) return Status::IoError("cannot move '" + target.string() + "' aside: " + ec.message());
  }
  fs::rename(staged, target, ec);
  if (ec) {
    if (had_target) fs::rename(old, target, ec);
    return Status::IoError("cannot publish '" + target.string() + "': " + ec.message());
  }
  PRODCAT_RETURN_IF_ERROR(FsyncDirectory(target.parent_path()));
  if (had_target) fs::remove_all(old, ec);
  return Status::Ok();
}

void RecoverDirectory(const fs::path& target) {
  std::error_code ec;
  fs::path old = target.string() + ".old";
  if (!fs::exists(target, ec) && fs::exists(old, ec)) fs::rename(old, target, ec);
}

}  // namespace prodcat
