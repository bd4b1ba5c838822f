#include "prodcat/data/input_buffer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace prodcat {

InputBuffer::~InputBuffer() {
  if (fd_ >= 0) ::close(fd_);
}

Status InputBuffer::Open(const std::filesystem::path& path) {
  path_ = path.string();
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    return Status::NotFound(path_ + ": cannot open for reading: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status InputBuffer::Refill(bool* more) {
  pos_ = 0;
  size_ = 0;
  // Fill the whole block (read() may return short counts on pipes) so a BOM or a token never
  // straddles the first block boundary for small inputs.
  while (!eof_ && size_ < block_.size()) {
    ssize_t n = ::read(fd_, block_.data() + size_, block_.size() - size_);
    if (n < 0) {
      if (errno == EINTR) continue;
      eof_ = true;
      *more = false;
      return Status::IoError(path_ + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) eof_ = true;
    size_ += static_cast<size_t>(n);
  }
  *more = size_ > 0;
  return Status::Ok();
}

}  // namespace prodcat
