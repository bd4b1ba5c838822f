// Minimal blocking HTTP/1.1 client for tests (POSIX sockets, keep-alive, raw sends for
// malformed and slow requests). Talks only to 127.0.0.1.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <string>

namespace prodcat::testing {

struct HttpResult {
  int status = 0;                              // 0: connection failed or closed without a response
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, int timeout_ms = 10000)
      : port_(port), timeout_ms_(timeout_ms) {}
  ~HttpClient() { Disconnect(); }

  bool Connect() {
    Disconnect();
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    timeval tv{timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Disconnect();
      return false;
    }
    return true;
  }
  void Disconnect() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }
  bool SendRaw(const std::string& bytes) {
    if (fd_ < 0 && !Connect()) return false;
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  HttpResult Request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {}) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT") {
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
      if (!headers.count("Content-Type")) req += "Content-Type: application/json\r\n";
    }
    req += "\r\n" + body;
    if (!SendRaw(req)) {
      // The server may have closed an idle keep-alive connection: retry once.
      if (!Connect() || !SendRaw(req)) return {};
    }
    return ReadResponse();
  }

  HttpResult ReadResponse() {
    HttpResult r;
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return r;
    }
    std::string head = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);
    size_t sp = head.find(' ');
    if (sp == std::string::npos) return r;
    r.status = std::stoi(head.substr(sp + 1, 3));
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos < head.size()) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t v = line.find_first_not_of(' ', colon + 1);
        r.headers[name] = v == std::string::npos ? "" : line.substr(v);
      }
      pos = next;
    }
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buffer_.size() < length) {
      if (!Fill()) break;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, std::min(length, buffer_.size()));
    if (r.headers.count("connection") && r.headers["connection"] == "close") Disconnect();
    return r;
  }

  // True when the server closed the connection (read returns 0) within the timeout.
  bool WaitClosed() {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0;
  }

 private:
  bool Fill() {
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }
  uint16_t port_;       // server port on 127.0.0.1
  int timeout_ms_;      // receive timeout per read
  int fd_ = -1;         // connected socket or -1
  std::string buffer_;  // bytes received but not yet consumed
};

}  // namespace prodcat::testing
