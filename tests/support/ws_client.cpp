// The WebSocket test client (Boost.Beast, synchronous; receive timeouts through the
// socket's SO_RCVTIMEO so a silent host fails the test instead of hanging it).
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "support/clients.hpp"

namespace gamehost::testing {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;

struct WsClient::Impl {
  asio::io_context io;
  websocket::stream<asio::ip::tcp::socket> ws{io};
  bool closed = false;
  std::string last_error;
  std::string last_pong;

  void set_timeout(std::chrono::milliseconds t) {
    timeval tv{};
    tv.tv_sec = static_cast<long>(t.count() / 1000);
    tv.tv_usec = static_cast<long>((t.count() % 1000) * 1000);
    ::setsockopt(ws.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  // One message, or timed_out after `timeout`. (A blocking read ignores SO_RCVTIMEO: Asio
  // waits in poll() after the timed-out recv.) A read cut short leaves the stream unusable,
  // so a timeout marks the client closed.
  boost::system::error_code read_within(boost::beast::flat_buffer& buffer,
                                        std::chrono::milliseconds timeout) {
    bool done = false;
    boost::system::error_code result;
    ws.async_read(buffer, [&](const boost::system::error_code& ec, std::size_t) {
      done = true;
      result = ec;
    });
    io.restart();
    io.run_for(timeout);
    if (done) return result;
    boost::system::error_code ignored;
    ws.next_layer().cancel(ignored);
    io.restart();
    io.run();  // the read completes, aborted
    closed = true;
    return asio::error::timed_out;
  }
};

WsClient::WsClient(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  impl_->set_timeout(5s);
  impl_->ws.handshake("127.0.0.1:" + std::to_string(port), "/");
  impl_->ws.binary(true);
  hello = expect(4).as<wire::Hello>();
}

WsClient::~WsClient() {
  boost::system::error_code ec;
  impl_->ws.next_layer().close(ec);
}

void WsClient::send(std::uint32_t msg_id, const std::string& payload) {
  std::string frame;
  for (int i = 0; i < 4; ++i) frame.push_back(static_cast<char>(msg_id >> (8 * i)));
  send_binary_raw(frame + payload);
}

void WsClient::send_binary_raw(const std::string& bytes) {
  impl_->ws.binary(true);
  impl_->ws.write(asio::buffer(bytes));
}

void WsClient::send_wire(const std::string& bytes) {
  asio::write(impl_->ws.next_layer(), asio::buffer(bytes));
}

void WsClient::send_text(const std::string& text) {
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text));
  impl_->ws.binary(true);
}

std::optional<Frame> WsClient::recv(std::chrono::milliseconds timeout) {
  if (impl_->closed) return std::nullopt;
  impl_->set_timeout(timeout);
  boost::beast::flat_buffer buffer;
  boost::system::error_code ec;
  {
    // A signal landing on this thread (a test's child process ending, say) would interrupt
    // the read, and Beast marks the stream failed for good on any error. The host has
    // nothing to do with that: keep signals off this thread while it reads.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    ec = impl_->read_within(buffer, timeout);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }
  if (ec) {
    impl_->last_error = ec.message();
    impl_->closed = true;  // a timed-out Beast stream cannot be used again either
    return std::nullopt;
  }
  const auto data = buffer.cdata();
  const auto* p = static_cast<const unsigned char*>(data.data());
  if (data.size() < 4) throw std::runtime_error("host sent a WebSocket message under 4 bytes");
  Frame f;
  f.msg_id = p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24;
  f.payload.assign(reinterpret_cast<const char*>(p + 4), data.size() - 4);
  return f;
}

bool WsClient::closed_within(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!impl_->closed) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    boost::beast::flat_buffer buffer;
    const auto ec = impl_->read_within(buffer, left);
    if (ec == asio::error::timed_out) return false;
    if (ec) impl_->closed = true;
  }
  return true;
}

int WsClient::close_code() const {
  return static_cast<int>(impl_->ws.reason().code);
}

std::string WsClient::close_handshake() {
  impl_->set_timeout(5s);
  boost::system::error_code ec;
  impl_->ws.close(websocket::close_code::normal, ec);
  if (ec) return ec.message();
  // The host's close frame echoes the code (RFC 6455 5.5.1); without one the reason stays 0.
  if (impl_->ws.reason().code != websocket::close_code::normal) {
    return "no close frame from the host (reason code " +
           std::to_string(static_cast<int>(impl_->ws.reason().code)) + ")";
  }
  return "";
}

void WsClient::ping(const std::string& payload) {
  impl_->ws.control_callback([this](websocket::frame_type kind, boost::beast::string_view data) {
    if (kind == websocket::frame_type::pong) impl_->last_pong.assign(data.data(), data.size());
  });
  impl_->ws.ping(websocket::ping_data(payload.c_str()));
}

std::string WsClient::last_pong() const {
  return impl_->last_pong;
}

std::string WsClient::last_error() const {
  return impl_->last_error;
}

}  // namespace gamehost::testing
