#include "admin/admin_server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <memory>
#include <thread>

#include "admin/console.hpp"
#include "core/thread_name.hpp"
#include "exec/worker_pool.hpp"
#include "net/acceptor.hpp"

namespace gamehost::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

using HttpResponse = http::response<http::string_body>;

HttpResponse json_error(http::status status, const std::string& text) {
  HttpResponse res{status, 11};
  res.set(http::field::content_type, "application/json");
  std::string escaped;
  for (const char c : text) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  }
  res.body() = "{\"error\":\"" + escaped + "\"}\n";
  return res;
}

HttpResponse console_response(console::Answer answer) {
  HttpResponse res{static_cast<http::status>(answer.status), 11};
  res.set(http::field::content_type, answer.content_type);
  for (const auto& [name, value] : console::kHeaders) res.set(name, value);
  if (!answer.allow.empty()) res.set(http::field::allow, answer.allow);
  res.body() = std::move(answer.body);
  return res;
}

}  // namespace

// One admin connection: one request, one answer, then closed. Every step has a deadline,
// so a client that connects and says nothing (or reads nothing) holds only its own socket,
// and only for kIoTimeout. The request is handled on a pool thread: a reload blocks there
// while /healthz and /metrics are still answered from other connections.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& server, tcp::socket socket);
  ~Connection();
  void start();

 private:
  void on_read(const beast::error_code& ec);
  void answer(HttpResponse res);

  Server::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  HttpResponse res_;
};

struct Server::Impl {
  // Limits of the admin listener (docs/operations.md, "Admin API").
  static constexpr std::size_t kMaxConnections = 64;
  static constexpr auto kIoTimeout = std::chrono::seconds(5);  // to read, and to write
  static constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
  static constexpr std::uint64_t kMaxBodyBytes = 64 * 1024;
  static constexpr std::size_t kHandlerThreads = 4;

  explicit Impl(Api& api_) : api(api_), acceptor(io) {}

  void accept() {
    acceptor.async_accept([this](const beast::error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        if (open_connections >= kMaxConnections) {
          // Full: closed at once, so that a flood costs the flooder, not the operator.
          beast::error_code ignored;
          socket.close(ignored);
          if (!warned_full)
            spdlog::warn("admin API: {} connections open, refusing more", kMaxConnections);
          warned_full = true;
        } else {
          warned_full = false;
          std::make_shared<Connection>(*this, std::move(socket))->start();
        }
      }
      accept();
    });
  }

  // Declared in this order so that connections still alive when the pool or the io_context
  // goes (and with them their last references) find the counter still there.
  Api& api;
  std::atomic<std::size_t> open_connections{0};
  bool warned_full = false;  // on the admin thread only
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  tcp::acceptor acceptor;
  exec::WorkerPool handlers{kHandlerThreads, "gh-admin-work-"};
  std::thread thread;
};

Connection::Connection(Server::Impl& server, tcp::socket socket)
    : server_(server), stream_(std::move(socket)) {
  ++server_.open_connections;
  parser_.header_limit(Server::Impl::kMaxHeaderBytes);
  parser_.body_limit(Server::Impl::kMaxBodyBytes);
}

Connection::~Connection() {
  --server_.open_connections;
}

void Connection::start() {
  stream_.expires_after(Server::Impl::kIoTimeout);
  http::async_read(
      stream_, buffer_, parser_,
      [self = shared_from_this()](const beast::error_code& ec, std::size_t) { self->on_read(ec); });
}

void Connection::on_read(const beast::error_code& ec) {
  if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
      ec == asio::error::connection_reset) {
    return;  // the client said nothing in time, or left: nobody to answer
  }
  if (ec == http::error::header_limit) {
    answer(json_error(http::status::request_header_fields_too_large, "request header over 8 KiB"));
    return;
  }
  if (ec == http::error::body_limit) {
    answer(json_error(http::status::payload_too_large, "request body over 64 KiB"));
    return;
  }
  if (ec) {
    answer(json_error(http::status::bad_request, "cannot read the request: " + ec.message()));
    return;
  }
  const auto& req = parser_.get();
  // The console's files are answered here, from memory, without the token (they hold no
  // secret; the API calls the page makes carry it).
  if (auto page = console::serve(req.method_string(), req.target())) {
    answer(console_response(std::move(*page)));
    return;
  }
  Request request{std::string(req.method_string()), std::string(req.target()),
                  std::string(req[http::field::authorization])};
  server_.handlers.post([self = shared_from_this(), request = std::move(request)] {
    const auto answer = self->server_.api.handle(request);
    spdlog::debug("admin {} {} -> {}", request.method, request.target, answer.status);
    HttpResponse res{static_cast<http::status>(answer.status), 11};
    res.set(http::field::content_type, answer.content_type);
    res.body() = answer.body;
    asio::post(self->stream_.get_executor(),
               [self, res = std::move(res)]() mutable { self->answer(std::move(res)); });
  });
}

void Connection::answer(HttpResponse res) {
  res_ = std::move(res);
  res_.keep_alive(false);
  res_.prepare_payload();
  stream_.expires_after(Server::Impl::kIoTimeout);
  http::async_write(stream_, res_,
                    [self = shared_from_this()](const beast::error_code&, std::size_t) {
                      beast::error_code ignored;
                      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                    });
}

Server::Server(const config::Endpoint& endpoint, Api& api) : impl_(std::make_unique<Impl>(api)) {
  net::bind_and_listen(impl_->acceptor, endpoint, "for the admin API ");
  impl_->accept();
  impl_->thread = std::thread([this] {
    core::name_this_thread("gh-admin");
    impl_->io.run();
  });
}

Server::~Server() {
  impl_->handlers.stop();  // requests being handled finish; their answers are dropped
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t Server::port() const {
  return net::local_port(impl_->acceptor);
}

std::string Server::address() const {
  return net::local_address(impl_->acceptor);
}

bool Server::on_loopback() const {
  beast::error_code ec;
  const auto local = impl_->acceptor.local_endpoint(ec);
  return !ec && local.address().is_loopback();
}

}  // namespace gamehost::admin
