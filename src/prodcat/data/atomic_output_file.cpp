#include "prodcat/data/atomic_output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "prodcat/common/file_util.h"

namespace prodcat {

AtomicOutputFile::~AtomicOutputFile() {
  Abandon();
}

Status AtomicOutputFile::Open(const std::filesystem::path& path) {
  Abandon();
  path_ = path;
  staging_ = StagingPath(path);
  fd_ = ::open(staging_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    return Status::IoError(path.string() + ": cannot create '" + staging_.string() +
                           "': " + std::strerror(errno));
  }
  buffer_.reserve(kFlushSize + (kFlushSize >> 2));
  return Status::Ok();
}

Status AtomicOutputFile::Flush() {
  if (fd_ < 0) return Status::FailedPrecondition(path_.string() + ": file is not open");
  const char* p = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(path_.string() + ": write failed: " + std::strerror(errno));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::Ok();
}

Status AtomicOutputFile::Commit() {
  Status s = Flush();
  if (s.ok() && ::fsync(fd_) != 0) {
    s = Status::IoError(path_.string() + ": fsync failed: " + std::strerror(errno));
  }
  if (!s.ok()) {
    Abandon();
    return s;
  }
  ::close(fd_);
  fd_ = -1;
  if (std::rename(staging_.c_str(), path_.c_str()) != 0) {
    s = Status::IoError(path_.string() + ": rename from '" + staging_.string() +
                        "' failed: " + std::strerror(errno));
    ::unlink(staging_.c_str());
    return s;
  }
  return FsyncDirectory(path_.parent_path());
}

void AtomicOutputFile::Abandon() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(staging_.c_str());
  buffer_.clear();
}

}  // namespace prodcat
