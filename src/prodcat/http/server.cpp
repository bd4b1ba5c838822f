#include "prodcat/http/server.h"

// g++ 12 in C++20 mode needs <utility> before Asio.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace prodcat::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

void DefaultErrorFormatter(int status, const std::string& code, const std::string& message,
                           Response* response) {
  response->SetJson(status,
                    {{"error", {{"code", code}, {"message", message}, {"field", nullptr}}}});
}

struct HttpServer::Impl {
  ServerOptions options;        // immutable after construction
  Router router;                // immutable after construction
  // Requests read and not yet fully written, one counter per context (each written by its own
  // I/O thread only, on its own cache line); in_flight() sums them.
  struct alignas(64) InFlight {
    std::atomic<size_t> count{0};
  };
  std::unique_ptr<InFlight[]> in_flight;  // contexts.size() entries after Start; outlives sessions
  // One io_context per I/O thread, each run by that thread alone: a connection stays on the
  // thread that accepted it, so its handlers need no strand and no cross-thread wake-up (a
  // shared context cost a futex wake and a context switch per request at 64 connections).
  // Outlive every session (declared before the pools).
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::unique_ptr<tcp::acceptor> acceptor;  // on contexts[0]; open between Start and Shutdown
  size_t next_context = 0;                  // round-robin target; touched by the accept chain only
  // Keep each context's run() going while an offloaded handler holds no I/O operation.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_guards;
  std::unique_ptr<asio::thread_pool> workers;  // offloaded handlers; joined before contexts die
  std::vector<std::thread> io_threads;         // io_threads[i] runs contexts[i]
  std::atomic<bool> draining{false};           // set once by Shutdown
  uint16_t port = 0;                           // bound port after Start
  bool running = false;                        // Start succeeded and Shutdown not yet done

  Impl(ServerOptions o, Router r) : options(std::move(o)), router(std::move(r)) {
    if (!options.error_formatter) options.error_formatter = DefaultErrorFormatter;
  }
  void DoAccept();
  void MakeError(int status, const std::string& code, const std::string& message,
                 Response* r) const {
    options.error_formatter(status, code, message, r);
  }
};

namespace {

int ResolveThreads(int n) {
  if (n > 0) return n;
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server, std::atomic<size_t>& in_flight)
      : stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        server_(server),
        in_flight_(in_flight) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    buffer_.reserve(16 * 1024);
  }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->ReadHeader(/*first=*/true); });
  }

 private:
  void ReadHeader(bool first) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    // No limit while the header is parsed (Beast checks Content-Length against it right away);
    // OnHeader sets the route's limit before any body byte is read.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    route_ = nullptr;
    ArmTimer(first ? server_.options.header_timeout : server_.options.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    std::string target(req.target());
    std::string path = target.substr(0, target.find('?'));
    route_ = server_.router.Find(std::string(req.method_string()), path);
    // In flight from the header on: a drain waits for a body that is still arriving.
    Count();
    size_t limit = route_ ? route_->options.max_body_bytes : size_t{1} << 20;
    parser_->body_limit(limit);
    if (auto length = parser_->content_length()) {
      if (*length > limit) {
        return WriteError(413, "payload_too_large",
                          "request body of " + std::to_string(*length) +
                              " bytes exceeds the limit of " + std::to_string(limit) + " bytes",
                          /*close=*/true);
      }
      req.body().reserve(static_cast<size_t>(*length));
    }
    if (parser_->is_done()) return OnRead({}, 0);
    ArmTimer(server_.options.body_timeout);
    if (bhttp::token_list(req[bhttp::field::expect]).exists("100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          if (ec) return self->OnReadError(ec);
                          bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                                            beast::bind_front_handler(&Session::OnRead, self));
                        });
      return;
    }
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  // Our own read deadline: beast::tcp_stream's would close the socket, leaving no way to answer
  // a slow client with 408.
  void ArmTimer(std::chrono::milliseconds timeout) {
    timed_out_ = false;
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the read finished in time
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }

  void OnReadError(beast::error_code ec) {
    timer_.cancel();
    if (ec == asio::error::operation_aborted && timed_out_) ec = beast::error::timeout;
    if (ec == asio::error::operation_aborted) return;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      return Close();
    }
    if (ec == beast::error::timeout) {
      // Nothing received: a quiet keep-alive connection, just close. Partial: slow client.
      if (parser_ && parser_->got_some()) {
        return WriteError(408, "request_timeout", "the request was not received in time", true);
      }
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return WriteError(413, "payload_too_large", "request body exceeds the limit", true);
    }
    if (ec == bhttp::error::header_limit) {
      return WriteError(431, "header_too_large", "request header fields are too large", true);
    }
    WriteError(400, "bad_request", "malformed HTTP request: " + ec.message(), true);
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    timer_.cancel();
    start_ = std::chrono::steady_clock::now();
    Count();
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    auto request = std::make_shared<Request>();
    request->method = std::string(msg.method_string());
    request->target = std::string(msg.target());
    size_t q = request->target.find('?');
    request->path = request->target.substr(0, q);
    if (q != std::string::npos)
      request->query = ParseQuery(std::string_view(request->target).substr(q + 1));
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request->headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request->body = std::move(msg.body());
    request->remote = remote_;
    request_bytes_ = request->body.size();
    method_ = request->method;
    target_ = request->target;

    if (route_ && route_->options.offload && server_.workers) {
      asio::post(*server_.workers, [self = shared_from_this(), request] {
        auto response = std::make_shared<Response>(self->Handle(*request));
        asio::post(self->stream_.get_executor(),
                   [self, response] { self->Write(std::move(*response), false); });
      });
      return;
    }
    Write(Handle(*request), false);
  }

  Response Handle(Request& request) {
    Response response;
    auto t0 = std::chrono::steady_clock::now();
    if (server_.options.before_handler && !server_.options.before_handler(request, response)) {
      // The hook answered.
    } else {
      const Route* route = nullptr;
      std::map<std::string, std::string> params;
      switch (server_.router.Match(request.method, request.path, &route, &params)) {
        case MatchResult::kFound:
          request.path_params = std::move(params);
          try {
            route->handler(request, response);
          } catch (const std::exception& e) {
            response = Response();
            server_.MakeError(500, "internal_error", std::string("internal error: ") + e.what(),
                              &response);
          }
          break;
        case MatchResult::kNotFound:
          server_.MakeError(404, "not_found", "no route for " + request.path, &response);
          break;
        case MatchResult::kMethodNotAllowed:
          server_.MakeError(405, "method_not_allowed",
                            request.method + " is not allowed on " + request.path, &response);
          break;
      }
    }
    if (server_.options.after_handler) {
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      server_.options.after_handler(request, response, ms);
    }
    return response;
  }

  void WriteError(int status, const std::string& code, const std::string& message, bool close) {
    Response r;
    server_.MakeError(status, code, message, &r);
    if (parser_ && parser_->is_header_done()) {
      // The hooks see the header of a request the server answered itself (413, 408 ...), so
      // it gets its X-Request-Id and is counted like any other.
      Request request;
      const auto& header = parser_->get();
      request.method = std::string(header.method_string());
      request.target = std::string(header.target());
      request.path = request.target.substr(0, request.target.find('?'));
      for (const auto& field : header) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.headers.emplace_back(std::move(name), std::string(field.value()));
      }
      request.remote = remote_;
      if (server_.options.before_handler) {
        Response stamped;
        server_.options.before_handler(request, stamped);
        for (auto& header_field : stamped.headers) r.headers.push_back(std::move(header_field));
      }
      if (server_.options.after_handler) server_.options.after_handler(request, r, 0.0);
      method_ = request.method;
      target_ = request.target;
    } else if (parser_) {
      method_ = std::string(parser_->get().method_string());
      target_ = std::string(parser_->get().target());
    }
    start_ = std::chrono::steady_clock::now();
    Write(std::move(r), close);
  }

  void Write(Response response, bool force_close) {
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(bhttp::field::server, server_.options.server_name);
    response_.set(bhttp::field::content_type, response.content_type);
    for (auto& [k, v] : response.headers) {
      if (k == "X-Request-Id" || k == "x-request-id") request_id_ = v;
      response_.insert(k, v);
    }
    response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive_ && !force_close && !server_.draining.load());
    response_.prepare_payload();
    status_ = response.status;
    stream_.expires_after(std::chrono::seconds(30));  // a client that never reads is dropped
    bhttp::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::OnWrite, shared_from_this(), !response_.keep_alive()));
  }

  void OnWrite(bool close, beast::error_code ec, std::size_t bytes) {
    if (server_.options.access_log) {
      AccessLogEntry e;
      e.method = method_;
      e.target = target_;
      e.status = status_;
      e.duration_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
              .count();
      e.request_bytes = request_bytes_;
      e.response_bytes = bytes;
      e.remote = remote_;
      e.request_id = request_id_;
      server_.options.access_log(e);
    }
    request_id_.clear();
    Uncount();
    if (ec || close) return Close();
    stream_.expires_never();
    ReadHeader(/*first=*/false);
  }

  void Count() {
    if (counted_) return;
    counted_ = true;
    in_flight_.fetch_add(1, std::memory_order_relaxed);
  }
  void Uncount() {
    if (!counted_) return;
    counted_ = false;
    in_flight_.fetch_sub(1, std::memory_order_release);
  }

  void Close() {
    Uncount();
    timer_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    Linger();
  }

  // Lingering close: read and discard what the client is still sending (an over-limit body, say)
  // for up to a second, so the kernel does not answer it with a reset that destroys the error
  // response just written.
  void Linger() {
    if (lingered_bytes_ > (8u << 20)) return stream_.close();
    discard_.resize(16 * 1024);
    stream_.expires_after(std::chrono::seconds(1));
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) {
                                self->stream_.close();
                                return;
                              }
                              self->lingered_bytes_ += n;
                              self->Linger();
                            });
  }

  beast::tcp_stream stream_;                                         // the connection
  asio::steady_timer timer_;                                         // read deadline
  bool timed_out_ = false;                                           // timer_ fired
  beast::flat_buffer buffer_;                                        // carries pipelined bytes
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;  // one per request
  bhttp::response<bhttp::string_body> response_;                     // alive until written
  HttpServer::Impl& server_;                                         // outlives the session
  std::atomic<size_t>& in_flight_;  // the counter of this session's context
  const Route* route_ = nullptr;  // route chosen from the header, for body limit and offload
  bool keep_alive_ = true;        // the client's wish for the current request
  bool counted_ = false;          // this request is counted in server_.in_flight
  std::chrono::steady_clock::time_point start_;
  std::string remote_, method_, target_, request_id_;
  size_t request_bytes_ = 0;
  int status_ = 0;
  std::vector<char> discard_;  // lingering-close read buffer
  size_t lingered_bytes_ = 0;  // discarded after the response, bounded
};

}  // namespace

void HttpServer::Impl::DoAccept() {
  const size_t index = next_context;
  next_context = (next_context + 1) % contexts.size();
  acceptor->async_accept(*contexts[index], [this, index](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket), *this, in_flight[index].count)->Start();
    if (acceptor->is_open() && ec != asio::error::operation_aborted) DoAccept();
  });
}

HttpServer::HttpServer(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

HttpServer::~HttpServer() {
  if (impl_->running) Shutdown(std::chrono::milliseconds(0));
}

Status HttpServer::Start() {
  Impl& s = *impl_;
  beast::error_code ec;
  auto address = asio::ip::make_address(s.options.host, ec);
  if (ec) return Status::InvalidArgument("invalid listen address '" + s.options.host + "'");
  tcp::endpoint endpoint(address, s.options.port);
  int n = ResolveThreads(s.options.io_threads);
  s.contexts.clear();
  s.work_guards.clear();
  // Concurrency hint 1: each context is run by one thread (other threads only post to it).
  for (int i = 0; i < n; ++i) s.contexts.push_back(std::make_unique<asio::io_context>(1));
  s.in_flight = std::make_unique<Impl::InFlight[]>(static_cast<size_t>(n));
  s.acceptor = std::make_unique<tcp::acceptor>(*s.contexts[0]);
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + s.options.host + ":" +
                           std::to_string(s.options.port) + ": " + ec.message());
  }
  s.port = s.acceptor->local_endpoint().port();
  s.workers = std::make_unique<asio::thread_pool>(ResolveThreads(s.options.worker_threads));
  for (auto& context : s.contexts) s.work_guards.push_back(asio::make_work_guard(*context));
  s.DoAccept();
  for (auto& context : s.contexts) {
    s.io_threads.emplace_back([&io = *context] { io.run(); });
  }
  s.running = true;
  return Status::Ok();
}

uint16_t HttpServer::port() const {
  return impl_->port;
}
size_t HttpServer::in_flight() const {
  const Impl& s = *impl_;
  size_t total = 0;
  for (size_t i = 0; s.in_flight && i < s.contexts.size(); ++i) {
    total += s.in_flight[i].count.load(std::memory_order_acquire);
  }
  return total;
}
bool HttpServer::draining() const {
  return impl_->draining.load();
}

bool HttpServer::Shutdown(std::chrono::milliseconds drain) {
  Impl& s = *impl_;
  if (!s.running) return true;
  s.draining = true;
  asio::post(*s.contexts[0], [&s] {
    beast::error_code ignored;
    s.acceptor->close(ignored);
  });
  auto deadline = std::chrono::steady_clock::now() + drain;
  while (in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bool drained = in_flight() == 0;
  s.workers->join();
  s.work_guards.clear();
  for (auto& context : s.contexts) context->stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
  s.workers.reset();
  s.running = false;
  return drained;
}

}  // namespace prodcat::http
