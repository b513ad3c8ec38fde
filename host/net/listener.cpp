#include "net/listener.hpp"

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "net/acceptor.hpp"
#include "net/tcp_connection.hpp"
#include "net/ws_connection.hpp"

namespace gamehost::net {

using asio::ip::tcp;

struct Listener::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_, std::vector<asio::io_context*> connection_ios_,
       session::Transport kind_, session::Registry& sessions_, ConnectionHooks& hooks_,
       const ConnectionLimits& limits_)
      : io(io_),
        connection_ios(std::move(connection_ios_)),
        acceptor(io_),
        backoff(io_),
        kind(kind_),
        sessions(sessions_),
        hooks(hooks_),
        limits(limits_) {}

  void accept() {
    // The new socket is created on the network thread that will own the connection.
    auto& target = *connection_ios[next++ % connection_ios.size()];
    acceptor.async_accept(target, [self = shared_from_this(), &target](
                                      const boost::system::error_code& ec, Socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      if (ec) {
        // Out of file descriptors, say: retrying at once would spin. Back off a little.
        spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
        self->backoff.expires_after(std::chrono::milliseconds(100));
        self->backoff.async_wait([self](const boost::system::error_code& e) {
          if (!e) self->accept();
        });
        return;
      }
      self->admit(std::move(socket), target);
      self->accept();
    });
  }

  void admit(Socket socket, asio::io_context& context) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return;  // the client left already
    const auto ip = remote.address().to_string();
    // The connection's handlers run on its socket's single-threaded context, one at a time.
    auto strand = context.get_executor();
    std::shared_ptr<Connection> c;
    const auto id = sessions.next_id();
    if (kind == session::Transport::tcp) {
      c = std::make_shared<TcpConnection>(std::move(socket), strand, hooks, limits, id, ip,
                                          remote.port());
    } else {
      c = std::make_shared<WsConnection>(std::move(socket), strand, hooks, limits, id, ip,
                                         remote.port());
    }
    switch (sessions.admit(ip)) {
      case session::Registry::Admission::ok:
        c->on_destroy([&registry = sessions, ip] { registry.release(ip); });
        break;
      case session::Registry::Admission::server_full:
        hooks.on_refused(GH_CODE_SERVER_FULL);
        c->refuse(GH_CODE_SERVER_FULL, "the server is full (limits.max_connections)");
        break;
      case session::Registry::Admission::address_full:
        hooks.on_refused(GH_CODE_SERVER_FULL);
        c->refuse(GH_CODE_SERVER_FULL,
                  "too many connections from " + ip + " (limits.max_connections_per_ip)");
        break;
    }
    c->start();
  }

  asio::io_context& io;
  std::vector<asio::io_context*> connection_ios;
  std::size_t next = 0;
  tcp::acceptor acceptor;
  asio::steady_timer backoff;
  session::Transport kind;
  session::Registry& sessions;
  ConnectionHooks& hooks;
  ConnectionLimits limits;
};

Listener::Listener(asio::io_context& io, std::vector<asio::io_context*> connection_ios,
                   const config::Endpoint& endpoint, session::Transport kind,
                   session::Registry& sessions, ConnectionHooks& hooks,
                   const ConnectionLimits& limits)
    : impl_(std::make_shared<Impl>(io, std::move(connection_ios), kind, sessions, hooks, limits)) {
  bind_and_listen(impl_->acceptor, endpoint, "");
}

Listener::~Listener() {
  stop();
}

void Listener::start() {
  impl_->accept();
}

void Listener::stop() {
  // The acceptor is used by network threads: close it on one of them.
  asio::post(impl_->io, [impl = impl_] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
  });
}

std::uint16_t Listener::port() const {
  return local_port(impl_->acceptor);
}

std::string Listener::address() const {
  return local_address(impl_->acceptor);
}

}  // namespace gamehost::net
