// AccessLog: one JSON object per request and line ({"ts","method","path","status",
// "duration_ms","request_id","remote","bytes","bytes_in"}) on stderr or appended to a file.
// Lines are buffered and written by a background thread every flush interval (and when a
// buffer grows large), so a request never waits on the log's write(2). Each thread group has its
// own buffer (ThreadShard), so request threads do not contend for one; lines of one thread stay
// in order, lines of different threads interleave per flush (each line carries its "ts").
#pragma once

#include <array>
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
  // The same, appended to *out.
  static void AppendLine(const http::AccessLogEntry& entry,
                         std::chrono::system_clock::time_point now, std::string* out);

 private:
  static constexpr size_t kShards = 8;  // line buffers, by ThreadShard
  struct alignas(64) Shard {
    std::mutex mutex;    // guards buffer
    std::string buffer;  // lines not yet written
  };

  void FlushLoop(std::chrono::milliseconds interval);
  void WriteOut(std::string* pending);

  std::FILE* file_ = nullptr;  // null: disabled; stderr or an owned file
  bool owns_file_ = false;     // file_ was opened by Open and is closed by Close
  std::array<Shard, kShards> shards_;
  std::mutex mutex_;  // guards stop_ and flush_soon_ (the flusher's wake-up condition)
  std::condition_variable cv_;
  bool stop_ = false;        // Close was called
  bool flush_soon_ = false;  // a buffer passed the flush threshold
  std::mutex write_mutex_;   // one writer at a time, so each thread's lines stay in order
  std::string spare_;        // swapped with a shard's buffer by the writer; guarded by it
  std::thread flusher_;      // joinable between Open and Close
};

}  // namespace prodcat::serving
