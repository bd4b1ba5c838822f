#include "prodcat/tracking/rest_http_client.h"

// g++ 12 in C++20 mode needs <utility> before Asio.
#include <utility>
//
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <thread>

#include "prodcat/common/version.h"

namespace prodcat::tracking {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct RestHttpClient::Connection {
  asio::io_context ioc;           // drives the synchronous socket calls
  beast::tcp_stream stream{ioc};  // connected; deadlines set per operation
  beast::flat_buffer buffer;      // bytes read past the last response
};

RestHttpClient::~RestHttpClient() = default;

std::string RestHttpClient::UrlEncode(std::string_view text, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    }
  }
  return out;
}

Status RestHttpClient::Create(const std::string& base_url, HttpClientOptions options,
                              std::unique_ptr<RestHttpClient>* client) {
  const std::string scheme = "http://";
  if (base_url.rfind("https://", 0) == 0) {
    return Status::Unimplemented("https tracking URIs are not supported ('" + base_url +
                                 "'): put a TLS-terminating proxy in front or use http://");
  }
  if (base_url.rfind(scheme, 0) != 0) {
    return Status::InvalidArgument("invalid tracking server URL '" + base_url +
                                   "': expected http://host:port");
  }
  std::string rest = base_url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string host = authority, port = "80";
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("invalid tracking server URL '" + base_url +
                                   "': expected http://host:port");
  }
  std::unique_ptr<RestHttpClient> c(new RestHttpClient());
  c->base_url_ = scheme + authority + prefix;
  c->host_ = host;
  c->port_ = port;
  c->path_prefix_ = prefix;
  c->options_ = std::move(options);
  *client = std::move(c);
  return Status::Ok();
}

Status RestHttpClient::Send(const std::string& method, const std::string& target,
                            const std::string& body, const std::string& content_type,
                            HttpReply* reply, const std::map<std::string, std::string>* headers) {
  std::lock_guard<std::mutex> lock(mutex_);
  Status s;
  auto backoff = options_.initial_backoff;
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
    s = SendOnce(method, target, body, content_type, reply, headers);
    if (!s.ok()) {
      connection_.reset();  // start the next attempt on a fresh connection
      continue;
    }
    int code = reply->status;
    if (code == 429 || code == 502 || code == 503 || code == 504) {
      s = Status::IoError("tracking server " + base_url_ + " answered " + std::to_string(code));
      continue;
    }
    return Status::Ok();
  }
  // A retryable HTTP status after the last attempt: hand the reply to the caller.
  if (reply->status != 0) return Status::Ok();
  return s.WithContext(method + " " + base_url_ + target + " failed after " +
                       std::to_string(options_.max_retries + 1) + " attempts");
}

Status RestHttpClient::SendOnce(const std::string& method, const std::string& target,
                                const std::string& body, const std::string& content_type,
                                HttpReply* reply,
                                const std::map<std::string, std::string>* headers) {
  reply->status = 0;
  try {
    beast::error_code ec;
    if (!connection_) {
      auto conn = std::make_unique<Connection>();
      asio::ip::tcp::resolver resolver(conn->ioc);
      auto endpoints = resolver.resolve(host_, port_, ec);
      if (ec) return Status::IoError("cannot resolve " + host_ + ": " + ec.message());
      conn->stream.expires_after(options_.connect_timeout);
      conn->stream.connect(endpoints, ec);
      if (ec) {
        return Status::IoError("cannot connect to " + host_ + ":" + port_ + ": " + ec.message());
      }
      connection_ = std::move(conn);
    }
    Connection& c = *connection_;
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(path_prefix_ + target);
    req.version(11);
    req.set(bhttp::field::host, host_ + ":" + port_);
    req.set(bhttp::field::user_agent, std::string("prodcat/") + kVersion);
    req.set(bhttp::field::accept, "application/json");
    if (!options_.bearer_token.empty()) {
      req.set(bhttp::field::authorization, "Bearer " + options_.bearer_token);
    }
    for (const auto& [name, value] : options_.headers) req.set(name, value);
    if (headers) {
      for (const auto& [name, value] : *headers) req.set(name, value);
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.set(bhttp::field::content_type, content_type);
      req.body() = body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    c.stream.expires_after(options_.request_timeout);
    bhttp::write(c.stream, req, ec);
    if (ec) return Status::IoError("sending the request failed: " + ec.message());
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    bhttp::read(c.stream, c.buffer, parser, ec);
    if (ec) return Status::IoError("reading the response failed: " + ec.message());
    auto res = parser.release();
    reply->status = static_cast<int>(res.result_int());
    reply->content_type = std::string(res[bhttp::field::content_type]);
    reply->body = std::move(res.body());
    if (!res.keep_alive()) connection_.reset();
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::IoError(std::string("HTTP request failed: ") + e.what());
  }
}

}  // namespace prodcat::tracking
