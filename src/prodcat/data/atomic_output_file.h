// AtomicOutputFile: a buffered file that appears at its final path only on Commit() (written to a
// staging sibling, fsynced, renamed, directory fsynced). Abandoned files are removed, so readers
// never see a half-written data file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "prodcat/common/status.h"

namespace prodcat {

class AtomicOutputFile {
 public:
  AtomicOutputFile() = default;
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  Status Open(const std::filesystem::path& path);
  // Appends bytes; they reach the staging file in large writes.
  Status Append(std::string_view bytes) {
    buffer_.append(bytes);
    return buffer_.size() >= kFlushSize ? Flush() : Status::Ok();
  }
  // The buffer to append to directly; call MaybeFlush() after.
  std::string& buffer() { return buffer_; }
  Status MaybeFlush() { return buffer_.size() >= kFlushSize ? Flush() : Status::Ok(); }
  // Publishes the file at its final path. The object is closed afterwards, whatever the outcome.
  Status Commit();
  bool is_open() const { return fd_ >= 0; }

 private:
  static constexpr size_t kFlushSize = 1 << 20;
  Status Flush();
  void Abandon();

  std::filesystem::path path_;     // final path
  std::filesystem::path staging_;  // where bytes go until Commit
  int fd_ = -1;                    // open staging file, or -1 when closed
  std::string buffer_;             // bytes not yet written to fd_
};

}  // namespace prodcat
