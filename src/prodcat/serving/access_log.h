// AccessLog: one JSON object per request and line ({"ts","method","path","status",
// "duration_ms","request_id","remote","bytes","bytes_in"}) on stderr or appended to a file.
// Lines are buffered and written by a background thread every flush interval (and when the
// buffer grows large), so a request never waits on the log's write(2).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "prodcat/common/status.h"
#include "prodcat/http/server.h"

namespace prodcat::serving {

class AccessLog {
 public:
  AccessLog() = default;
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // `destination`: "-" or "" for stderr, "off" for no log, else a file opened for appending.
  Status Open(const std::string& destination,
              std::chrono::milliseconds flush_interval = std::chrono::milliseconds(200));
  bool enabled() const { return file_ != nullptr; }
  void Write(const http::AccessLogEntry& entry);
  // Writes what is buffered now.
  void Flush();
  // Flushes, stops the writer thread and closes a file. Idempotent.
  void Close();

  // The JSON line for one entry (with the trailing newline); `now` is the Unix time.
  static std::string FormatLine(const http::AccessLogEntry& entry,
                                std::chrono::system_clock::time_point now);

 private:
  void FlushLoop(std::chrono::milliseconds interval);
  void WriteOut(std::string* pending);

  std::FILE* file_ = nullptr;  // null: disabled; stderr or an owned file
  bool owns_file_ = false;     // file_ was opened by Open and is closed by Close
  std::mutex mutex_;           // guards buffer_ and stop_
  std::condition_variable cv_;
  std::string buffer_;      // lines not yet written
  bool stop_ = false;       // Close was called
  std::mutex write_mutex_;  // one writer at a time, so lines stay in order
  std::thread flusher_;     // joinable between Open and Close
};

}  // namespace prodcat::serving
