#include "prodcat/serving/access_log.h"

#include <cerrno>
#include <cstring>
#include <ctime>

#include "prodcat/common/thread_shard.h"
#include "prodcat/serving/json_writer.h"

namespace prodcat::serving {
namespace {
constexpr size_t kFlushBytes = size_t{64} * 1024;  // write early past this much
}  // namespace

AccessLog::~AccessLog() {
  Close();
}

Status AccessLog::Open(const std::string& destination, std::chrono::milliseconds flush_interval) {
  Close();
  if (destination == "off") return Status::Ok();
  if (destination.empty() || destination == "-") {
    file_ = stderr;
    owns_file_ = false;
  } else {
    file_ = std::fopen(destination.c_str(), "a");
    if (file_ == nullptr) {
      return Status::IoError("access log " + destination + ": " + std::strerror(errno));
    }
    owns_file_ = true;
  }
  stop_ = false;
  flusher_ = std::thread([this, flush_interval] { FlushLoop(flush_interval); });
  return Status::Ok();
}

std::string AccessLog::FormatLine(const http::AccessLogEntry& entry,
                                  std::chrono::system_clock::time_point now) {
  std::string line;
  AppendLine(entry, now, &line);
  return line;
}

void AccessLog::AppendLine(const http::AccessLogEntry& entry,
                           std::chrono::system_clock::time_point now, std::string* out) {
  auto since_epoch = now.time_since_epoch();
  std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000);
  if (millis < 0) millis += 1000;
  // The "YYYY-mm-ddTHH:MM:SS" part changes once a second: formatted once per second and thread.
  thread_local std::time_t cached_second = -1;
  thread_local char cached_text[24];
  thread_local size_t cached_size = 0;
  if (seconds != cached_second) {
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    cached_size = std::strftime(cached_text, sizeof(cached_text), "%Y-%m-%dT%H:%M:%S", &utc);
    cached_second = seconds;
  }
  char ts[40];
  std::memcpy(ts, cached_text, cached_size);
  ts[cached_size] = '.';
  ts[cached_size + 1] = static_cast<char>('0' + millis / 100);
  ts[cached_size + 2] = static_cast<char>('0' + millis / 10 % 10);
  ts[cached_size + 3] = static_cast<char>('0' + millis % 10);
  ts[cached_size + 4] = 'Z';

  std::string_view path = entry.target;
  path = path.substr(0, path.find('?'));
  JsonWriter w(out);
  w.BeginObject();
  w.Key("ts").String(std::string_view(ts, cached_size + 5));
  w.Key("method").String(entry.method);
  w.Key("path").String(path);
  w.Key("status").Int(entry.status);
  w.Key("duration_ms")
      .Double(static_cast<double>(static_cast<int64_t>(entry.duration_ms * 1000)) / 1000.0);
  w.Key("request_id");
  if (entry.request_id.empty()) {
    w.Null();
  } else {
    w.String(entry.request_id);
  }
  w.Key("remote").String(entry.remote);
  w.Key("bytes").Int(static_cast<int64_t>(entry.response_bytes));
  w.Key("bytes_in").Int(static_cast<int64_t>(entry.request_bytes));
  w.EndObject();
  out->push_back('\n');
}

void AccessLog::Write(const http::AccessLogEntry& entry) {
  if (file_ == nullptr) return;
  Shard& shard = shards_[ThreadShard(kShards)];
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    AppendLine(entry, std::chrono::system_clock::now(), &shard.buffer);
    wake = shard.buffer.size() >= kFlushBytes;
  }
  if (wake) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      flush_soon_ = true;
    }
    cv_.notify_one();
  }
}

void AccessLog::WriteOut(std::string* pending) {
  if (pending->empty() || file_ == nullptr) return;
  std::fwrite(pending->data(), 1, pending->size(), file_);
  pending->clear();
}

void AccessLog::Flush() {
  std::lock_guard<std::mutex> writer(write_mutex_);
  for (Shard& shard : shards_) {
    {
      std::lock_guard<std::mutex> lock(shard.mutex);
      // The shard gets the spare's capacity back, so steady state does not reallocate.
      spare_.swap(shard.buffer);
    }
    WriteOut(&spare_);
  }
  if (file_ != nullptr) std::fflush(file_);
}

void AccessLog::FlushLoop(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    cv_.wait_for(lock, interval, [this] { return stop_ || flush_soon_; });
    flush_soon_ = false;
    lock.unlock();
    Flush();
    lock.lock();
  }
}

void AccessLog::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  Flush();
  if (owns_file_ && file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  owns_file_ = false;
}

}  // namespace prodcat::serving
