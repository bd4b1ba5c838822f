#include "prodcat/serving/access_log.h"

#include <cerrno>
#include <cstring>
#include <ctime>

#include "prodcat/serving/json_writer.h"

namespace prodcat::serving {
namespace {
constexpr size_t kFlushBytes = 64 * 1024;  // write early past this much
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
  auto since_epoch = now.time_since_epoch();
  std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char ts[40];
  size_t n = std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(ts + n, sizeof(ts) - n, ".%03dZ", millis);

  std::string_view path = entry.target;
  path = path.substr(0, path.find('?'));
  std::string line;
  line.reserve(256);
  JsonWriter w(&line);
  w.BeginObject();
  w.Key("ts").String(ts);
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
  line.push_back('\n');
  return line;
}

void AccessLog::Write(const http::AccessLogEntry& entry) {
  if (file_ == nullptr) return;
  std::string line = FormatLine(entry, std::chrono::system_clock::now());
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    buffer_ += line;
    wake = buffer_.size() >= kFlushBytes;
  }
  if (wake) cv_.notify_one();
}

void AccessLog::WriteOut(std::string* pending) {
  if (pending->empty() || file_ == nullptr) return;
  std::fwrite(pending->data(), 1, pending->size(), file_);
  std::fflush(file_);
  pending->clear();
}

void AccessLog::Flush() {
  std::lock_guard<std::mutex> writer(write_mutex_);
  std::string pending;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending.swap(buffer_);
  }
  WriteOut(&pending);
}

void AccessLog::FlushLoop(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    cv_.wait_for(lock, interval, [this] { return stop_ || buffer_.size() >= kFlushBytes; });
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
