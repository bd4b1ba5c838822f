// InputBuffer: a file read in large blocks, so parsers can scan bytes in place without ever
// holding the whole file. Parsers consume from [data() + pos(), data() + size()) and call Refill
// when they run dry.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat {

class InputBuffer {
 public:
  static constexpr size_t kDefaultBlockSize = 1 << 20;

  static constexpr size_t kMinBlockSize = 4;  // a UTF-8 BOM always fits in the first block

  explicit InputBuffer(size_t block_size = kDefaultBlockSize)
      : block_(block_size < kMinBlockSize ? kMinBlockSize : block_size) {}
  ~InputBuffer();
  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;

  // Opens `path`; NotFound when it does not exist or cannot be opened.
  Status Open(const std::filesystem::path& path);

  const char* data() const { return block_.data(); }
  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  void set_pos(size_t pos) { pos_ = pos; }
  bool has_data() const { return pos_ < size_; }

  // Replaces the consumed block by the next one. *more = false at end of file (or on error).
  Status Refill(bool* more);

  // True when unread bytes remain, refilling as needed; read errors are kept in status().
  bool Available() {
    if (pos_ < size_) return true;
    bool more = false;
    status_ = Refill(&more);
    return more;
  }
  // The first read error seen by Available(), if any.
  const Status& status() const { return status_; }

 private:
  std::vector<char> block_;  // the current block; bytes [0, size_) are valid
  size_t pos_ = 0;           // next unread byte in block_, <= size_
  size_t size_ = 0;          // valid bytes in block_
  int fd_ = -1;              // open file descriptor, or -1
  bool eof_ = false;         // the file has no more bytes after block_
  std::string path_;         // for error messages
  Status status_;            // sticky read error, reported by the parser that owns the buffer
};

}  // namespace prodcat
