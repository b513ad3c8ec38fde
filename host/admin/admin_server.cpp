#include "admin/admin_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <thread>

#include "core/thread_name.hpp"
#include "net/acceptor.hpp"

namespace gamehost::admin {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

struct Server::Impl {
  Impl(Api& api_) : api(api_), acceptor(io) {}

  void accept() {
    acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) serve(std::move(socket));
      accept();
    });
  }

  // One request per connection, handled to completion on this thread: admin traffic is
  // a handful of requests, and reloads are serialised anyway.
  void serve(tcp::socket socket) {
    timeval tv{5, 0};  // a client that stalls cannot hold the admin thread for long
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    boost::beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024);
    boost::system::error_code ec;
    http::read(socket, buffer, parser, ec);
    http::response<http::string_body> res;
    if (ec) {
      res.result(http::status::bad_request);
      res.set(http::field::content_type, "application/json");
      res.body() = "{\"error\":\"cannot read the request: " + ec.message() + "\"}\n";
    } else {
      const auto& req = parser.get();
      const auto answer = api.handle({std::string(req.method_string()), std::string(req.target()),
                                      std::string(req[http::field::authorization])});
      res.result(static_cast<http::status>(answer.status));
      res.set(http::field::content_type, answer.content_type);
      res.body() = answer.body;
      spdlog::debug("admin {} {} -> {}", std::string(req.method_string()),
                    std::string(req.target()), answer.status);
    }
    res.keep_alive(false);
    res.prepare_payload();
    http::write(socket, res, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }

  Api& api;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  tcp::acceptor acceptor;
  std::thread thread;
};

Server::Server(const config::Endpoint& endpoint, Api& api) : impl_(std::make_unique<Impl>(api)) {
  net::bind_and_listen(impl_->acceptor, endpoint, "for the admin API ");
  impl_->accept();
  impl_->thread = std::thread([this] {
    core::name_this_thread("gh-admin");
    impl_->io.run();
  });
}

Server::~Server() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t Server::port() const {
  return net::local_port(impl_->acceptor);
}

std::string Server::address() const {
  return net::local_address(impl_->acceptor);
}

}  // namespace gamehost::admin
