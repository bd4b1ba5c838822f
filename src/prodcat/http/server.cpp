#include "prodcat/http/server.h"

// g++ 12 in C++20 mode needs <utility> before Asio.
#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <map>
#include <numeric>
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

namespace {
class Session;
}  // namespace

// What one I/O thread owns: its io_context, its connections and the timer that enforces their
// deadlines. Only that thread touches `sessions` and `sweeper`.
struct IoContextState {
  asio::io_context io{1};          // concurrency hint 1: run by one thread (others only post to it)
  asio::steady_timer sweeper{io};  // fires every tick to time out sessions past their deadline
  std::vector<std::weak_ptr<Session>> sessions;  // this context's connections (some expired)
  // Requests read and not yet fully written (written by this context's thread only, on its own
  // cache line); HttpServer::in_flight() sums the contexts.
  alignas(64) std::atomic<size_t> in_flight{0};
};

struct HttpServer::Impl {
  ServerOptions options;  // immutable after construction
  Router router;          // immutable after construction
  // One context per I/O thread, each run by that thread alone: a connection stays on the
  // thread that accepted it, so its handlers need no strand and no cross-thread wake-up (a
  // shared context cost a futex wake and a context switch per request at 64 connections).
  // Outlive every session (declared before the pools).
  std::vector<std::unique_ptr<IoContextState>> contexts;
  std::unique_ptr<tcp::acceptor> acceptor;  // on contexts[0]; open between Start and Shutdown
  size_t next_context = 0;                  // round-robin target; touched by the accept chain only
  // Deadlines are checked every `tick` rather than by a timer per request: arming and
  // cancelling a timer on each read and write cost more than the rest of the HTTP layer.
  std::chrono::milliseconds tick{250};
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
  void Sweep(IoContextState& context);
  void MakeError(int status, const std::string& code, const std::string& message,
                 Response* r) const {
    options.error_formatter(status, code, message, r);
  }
};

namespace {

using Clock = std::chrono::steady_clock;
constexpr Clock::time_point kNoDeadline = Clock::time_point::max();
constexpr std::chrono::seconds kWriteTimeout{30};  // a client that never reads is dropped
constexpr std::chrono::seconds kLingerTimeout{1};  // lingering close reads at most this long

int ResolveThreads(int n) {
  if (n > 0) return n;
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

std::string_view View(beast::string_view s) {
  return {s.data(), s.size()};
}

std::string LowerCase(beast::string_view s) {
  std::string out(s.data(), s.size());
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server, IoContextState& context)
      : socket_(std::move(socket)), server_(server), context_(context) {
    beast::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    socket_.set_option(tcp::no_delay(true), ec);
    buffer_.reserve(size_t{16} * 1024);
  }

  void Start() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->context_.sessions.push_back(self->weak_from_this());
      self->ReadHeader(/*first=*/true);
    });
  }

  // Called by the context's sweeper: past the deadline, the pending read or write is cancelled
  // and its handler sees the timeout.
  void CheckDeadline(Clock::time_point now) {
    if (now < deadline_) return;
    deadline_ = kNoDeadline;
    timed_out_ = true;
    beast::error_code ignored;
    socket_.cancel(ignored);
  }

 private:
  void SetDeadline(Clock::duration timeout) {
    timed_out_ = false;
    deadline_ = Clock::now() + timeout;
  }

  void ReadHeader(bool first) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    // No limit while the header is parsed (Beast checks Content-Length against it right away);
    // OnHeader sets the route's limit before any body byte is read.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    route_ = nullptr;
    SetDeadline(first ? server_.options.header_timeout : server_.options.idle_timeout);
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    std::string_view target = View(req.target());
    route_ = server_.router.Find(std::string(req.method_string()),
                                 std::string(target.substr(0, target.find('?'))));
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
    SetDeadline(server_.options.body_timeout);
    if (bhttp::token_list(req[bhttp::field::expect]).exists("100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(socket_, asio::buffer(kContinue),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          if (ec) return self->OnReadError(ec);
                          bhttp::async_read(self->socket_, self->buffer_, *self->parser_,
                                            beast::bind_front_handler(&Session::OnRead, self));
                        });
      return;
    }
    bhttp::async_read(socket_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    deadline_ = kNoDeadline;
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
    deadline_ = kNoDeadline;  // the handler's time is not the client's
    start_ = Clock::now();
    Count();
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    Request request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos)
      request.query = ParseQuery(std::string_view(request.target).substr(q + 1));
    request.headers.reserve(8);
    for (const auto& field : msg) {
      request.headers.emplace_back(LowerCase(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(msg.body());
    request.remote = remote_;
    request_bytes_ = request.body.size();
    method_ = request.method;
    target_ = request.target;

    if (route_ && route_->options.offload && server_.workers) {
      auto shared = std::make_shared<Request>(std::move(request));
      asio::post(*server_.workers, [self = shared_from_this(), shared] {
        auto response = std::make_shared<Response>(self->Handle(*shared));
        asio::post(self->socket_.get_executor(),
                   [self, response] { self->Write(std::move(*response), false); });
      });
      return;
    }
    Write(Handle(request), false);
  }

  Response Handle(Request& request) {
    Response response;
    auto t0 = Clock::now();
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
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
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
        request.headers.emplace_back(LowerCase(field.name_string()), std::string(field.value()));
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
    start_ = Clock::now();
    Write(std::move(r), close);
  }

  // The response head is written here rather than by Beast's serializer: a status line and a
  // few fields, sent with the body in one gather write.
  void Write(Response response, bool force_close) {
    const bool keep_alive = keep_alive_ && !force_close && !server_.draining.load();
    head_.clear();
    head_.append("HTTP/1.1 ");
    head_.append(std::to_string(response.status));
    head_.push_back(' ');
    head_.append(View(bhttp::obsolete_reason(static_cast<bhttp::status>(response.status))));
    head_.append("\r\nServer: ");
    head_.append(server_.options.server_name);
    head_.append("\r\nContent-Type: ");
    head_.append(response.content_type);
    head_.append("\r\nContent-Length: ");
    head_.append(std::to_string(response.body.size()));
    for (const auto& [name, value] : response.headers) {
      if (name == "X-Request-Id" || name == "x-request-id") request_id_ = value;
      head_.append("\r\n");
      head_.append(name);
      head_.append(": ");
      head_.append(value);
    }
    if (!keep_alive) head_.append("\r\nConnection: close");
    head_.append("\r\n\r\n");
    body_ = std::move(response.body);
    status_ = response.status;
    SetDeadline(kWriteTimeout);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(
        socket_, buffers,
        beast::bind_front_handler(&Session::OnWrite, shared_from_this(), !keep_alive));
  }

  void OnWrite(bool close, beast::error_code ec, std::size_t bytes) {
    deadline_ = kNoDeadline;
    if (server_.options.access_log) {
      AccessLogEntry e;
      e.method = method_;
      e.target = target_;
      e.status = status_;
      e.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
      e.request_bytes = request_bytes_;
      e.response_bytes = bytes;
      e.remote = remote_;
      e.request_id = request_id_;
      server_.options.access_log(e);
    }
    request_id_.clear();
    Uncount();
    if (ec || close) return Close();
    ReadHeader(/*first=*/false);
  }

  void Count() {
    if (counted_) return;
    counted_ = true;
    context_.in_flight.fetch_add(1, std::memory_order_relaxed);
  }
  void Uncount() {
    if (!counted_) return;
    counted_ = false;
    context_.in_flight.fetch_sub(1, std::memory_order_release);
  }

  void Close() {
    Uncount();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    Linger();
  }

  // Lingering close: read and discard what the client is still sending (an over-limit body, say)
  // for up to a second, so the kernel does not answer it with a reset that destroys the error
  // response just written.
  void Linger() {
    beast::error_code ignored;
    if (lingered_bytes_ > (8u << 20)) {
      deadline_ = kNoDeadline;
      socket_.close(ignored);
      return;
    }
    discard_.resize(size_t{16} * 1024);
    if (deadline_ == kNoDeadline) SetDeadline(kLingerTimeout);  // one second in all
    socket_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) {
                                beast::error_code ignored;
                                self->deadline_ = kNoDeadline;
                                self->socket_.close(ignored);
                                return;
                              }
                              self->lingered_bytes_ += n;
                              self->Linger();
                            });
  }

  tcp::socket socket_;                                               // the connection
  beast::flat_buffer buffer_;                                        // carries pipelined bytes
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;  // one per request
  std::string head_;          // response status line and fields, alive until written
  std::string body_;          // response body, alive until written
  HttpServer::Impl& server_;  // outlives the session
  IoContextState& context_;   // the context this session runs on; outlives it
  Clock::time_point deadline_ = kNoDeadline;  // the pending read or write must end by then
  bool timed_out_ = false;                    // the sweeper cancelled the pending operation
  const Route* route_ = nullptr;  // route chosen from the header, for body limit and offload
  bool keep_alive_ = true;        // the client's wish for the current request
  bool counted_ = false;          // this request is counted in context_.in_flight
  Clock::time_point start_;
  std::string remote_, method_, target_, request_id_;
  size_t request_bytes_ = 0;
  int status_ = 0;
  std::vector<char> discard_;  // lingering-close read buffer
  size_t lingered_bytes_ = 0;  // discarded after the response, bounded
};

}  // namespace

void HttpServer::Impl::DoAccept() {
  IoContextState& target = *contexts[next_context];
  next_context = (next_context + 1) % contexts.size();
  acceptor->async_accept(target.io, [this, &target](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket), *this, target)->Start();
    if (acceptor->is_open() && ec != asio::error::operation_aborted) DoAccept();
  });
}

void HttpServer::Impl::Sweep(IoContextState& context) {
  const Clock::time_point now = Clock::now();
  size_t kept = 0;
  for (size_t i = 0; i < context.sessions.size(); ++i) {
    std::shared_ptr<Session> session = context.sessions[i].lock();
    if (!session) continue;  // closed: forget it
    session->CheckDeadline(now);
    if (kept != i) context.sessions[kept] = std::move(context.sessions[i]);
    ++kept;
  }
  context.sessions.resize(kept);
  context.sweeper.expires_after(tick);
  context.sweeper.async_wait([this, &context](beast::error_code ec) {
    if (!ec) Sweep(context);
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
  for (int i = 0; i < n; ++i) s.contexts.push_back(std::make_unique<IoContextState>());
  s.acceptor = std::make_unique<tcp::acceptor>(s.contexts[0]->io);
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + s.options.host + ":" +
                           std::to_string(s.options.port) + ": " + ec.message());
  }
  s.port = s.acceptor->local_endpoint().port();
  // A tenth of the shortest deadline, so a timeout fires at most 10% late; 5 to 250 ms.
  auto shortest =
      std::min({s.options.header_timeout, s.options.body_timeout, s.options.idle_timeout,
                std::chrono::duration_cast<std::chrono::milliseconds>(kLingerTimeout)});
  s.tick = std::clamp(shortest / 10, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
  s.workers = std::make_unique<asio::thread_pool>(ResolveThreads(s.options.worker_threads));
  for (auto& context : s.contexts) {
    s.work_guards.push_back(asio::make_work_guard(context->io));
    asio::post(context->io, [&s, &state = *context] { s.Sweep(state); });
  }
  s.DoAccept();
  for (const auto& context : s.contexts) {
    s.io_threads.emplace_back([&io = context->io] { io.run(); });
  }
  s.running = true;
  return Status::Ok();
}

uint16_t HttpServer::port() const {
  return impl_->port;
}
size_t HttpServer::in_flight() const {
  return std::accumulate(impl_->contexts.begin(), impl_->contexts.end(), size_t{0},
                         [](size_t total, const std::unique_ptr<IoContextState>& context) {
                           return total + context->in_flight.load(std::memory_order_acquire);
                         });
}
bool HttpServer::draining() const {
  return impl_->draining.load();
}

bool HttpServer::Shutdown(std::chrono::milliseconds drain) {
  Impl& s = *impl_;
  if (!s.running) return true;
  s.draining = true;
  asio::post(s.contexts[0]->io, [&s] {
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
  for (const auto& context : s.contexts) context->io.stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
  s.workers.reset();
  s.running = false;
  return drained;
}

}  // namespace prodcat::http
