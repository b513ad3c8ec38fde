#include "net/ws_connection.hpp"

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket.hpp>

#include <array>

#include "net/frame.hpp"
#include "net/static_files.hpp"

namespace gamehost::net {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;

WsConnection::WsConnection(Socket socket, Strand strand, ConnectionHooks& hooks,
                           const ConnectionLimits& limits, session::SessionId id, std::string ip,
                           std::uint16_t port)
    : Connection(std::move(strand), hooks, limits, id, session::Transport::websocket, std::move(ip),
                 port),
      ws_(std::move(socket)) {}

void WsConnection::start_transport() {
  // Refused at accept (server or address full): close at once rather than spend a
  // handshake (and up to its deadline) on a client that cannot stay. TCP clients get a Kick
  // frame instead; a WebSocket one would need the handshake first.
  if (refused()) {
    finish();
    return;
  }
  // Beast's own writes (the handshake answer, pongs, close frames) join the send queue.
  ws_.next_layer().set_sink(
      [this](std::string bytes, bool last) { return send_raw(std::move(bytes), last); });
  boost::system::error_code ec;
  beast::get_lowest_layer(ws_).set_option(asio::ip::tcp::no_delay(true), ec);
  // No Beast timeouts at all: when one fires, Beast closes the socket itself, behind the
  // connection's send path (a worker may be writing to that fd, or to its next owner once
  // the number is reused). The deadlines are the connection's own timers, and the socket
  // is closed in one place (finish). The handshake deadline: a socket that never completes
  // its upgrade holds a connection slot (counted from accept) only this long.
  ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                 websocket::stream_base::none(), false});
  arm_handshake_timer();
  ws_.read_message_max(ws_message_max(limits_.max_frame_bytes));
  // The HTTP request first: an upgrade goes on to the handshake, a plain GET is a browser
  // asking for the demo page (when [listen] web_root serves one).
  request_ = std::make_unique<HttpRequest>();
  request_->header_limit(kMaxRequestHeaderBytes);
  request_->body_limit(0);
  http::async_read(ws_.next_layer(), read_buffer_, *request_,
                   asio::bind_executor(
                       strand_, [self = std::static_pointer_cast<WsConnection>(shared_from_this())](
                                    const boost::system::error_code& ec, std::size_t) {
                         self->on_request(ec);
                       }));
}

void WsConnection::on_request(const boost::system::error_code& ec) {
  // After the handshake deadline closed the socket, the read fails, or its answer is not
  // taken: finish() again is harmless.
  if (ec) {
    spdlog::debug("websocket handshake from {} failed: {}", remote_address(), ec.message());
    finish();
    return;
  }
  auto request = std::move(request_);
  const auto& req = request->get();
  // A client sends nothing more before the 101; what follows is Beast's to read.
  read_buffer_.consume(read_buffer_.size());
  if (!websocket::is_upgrade(req) && limits_.web != nullptr) {
    handshake_done_ = true;
    handshake_timer().cancel();
    // One answer, then the connection ends (Connection: close) like after a Kick.
    send_raw(limits_.web->respond(std::string_view(req.method_string()),
                                  std::string_view(req.target())),
             true);
    return;
  }
  // Not an upgrade and no web root: Beast answers 400 and the handshake fails.
  ws_.async_accept(req, asio::bind_executor(
                            strand_, [self = std::static_pointer_cast<WsConnection>(
                                          shared_from_this())](const boost::system::error_code& ec) {
                              self->handshake_done_ = true;
                              self->handshake_timer().cancel();
                              if (ec) {
                                spdlog::debug("websocket handshake from {} failed: {}",
                                              self->remote_address(), ec.message());
                                self->finish();
                                return;
                              }
                              self->opened();
                              self->read_more();
                            }));
}

void WsConnection::arm_handshake_timer() {
  handshake_timer().expires_after(std::chrono::milliseconds(limits_.handshake_timeout_ms));
  handshake_timer().async_wait(asio::bind_executor(
      strand_, [self = std::static_pointer_cast<WsConnection>(shared_from_this())](
                   const boost::system::error_code& ec) {
        if (ec || self->handshake_done_) return;
        spdlog::debug("websocket handshake from {} timed out", self->remote_address());
        self->finish();
      }));
}

void WsConnection::read_more() {
  if (!ws_.next_layer().tracker().all_handed_over(messages_read_)) {
    read_message();  // the next message (or part of it) may be in Beast's buffer already
    return;
  }
  // Idle until the client sends more: an idle session holds no read buffer and no Beast read
  // operation (about 2 KiB), only this wait. Whatever arrives - a message, a ping, a close,
  // the end of the stream - is then read by Beast exactly as before.
  read_buffer_.clear();
  read_buffer_.shrink_to_fit();
  socket().async_wait(
      asio::ip::tcp::socket::wait_read,
      long_lived(asio::bind_executor(strand_, [self = std::static_pointer_cast<WsConnection>(
                                        shared_from_this())](const boost::system::error_code& ec) {
        if (ec && self->closing()) return;
        if (ec) {
          self->finish();
          return;
        }
        self->read_message();
      })));
}

void WsConnection::read_message() {
  ws_.async_read(read_buffer_,
                 asio::bind_executor(
                     strand_, [self = std::static_pointer_cast<WsConnection>(shared_from_this())](
                                  const boost::system::error_code& ec, std::size_t) {
                       if (ec == websocket::error::message_too_big) {
                         self->count_refused(GH_CODE_FRAME_TOO_LARGE);
                         self->kick_on_strand(GH_CODE_FRAME_TOO_LARGE,
                                              "message over the limit of " +
                                                  std::to_string(self->limits_.max_frame_bytes) +
                                                  " payload bytes");
                         return;
                       }
                       if (ec && self->closing()) {
                         // Closing already (the client closed, Beast failed the stream with
                         // a close frame, or a Kick): what is queued ends with that frame,
                         // and the connection ends once it is out, or after the grace.
                         return;
                       }
                       if (ec) {
                         self->finish();
                         return;
                       }
                       const auto data = self->read_buffer_.cdata();
                       std::uint32_t msg_id = 0;
                       std::string_view payload;
                       if (!decode_ws_message(self->ws_.got_binary(),
                                              static_cast<const std::uint8_t*>(data.data()),
                                              data.size(), msg_id, payload)) {
                         self->count_refused(GH_CODE_BAD_FRAME);
                         self->kick_on_strand(
                             GH_CODE_BAD_FRAME,
                             "a message must be binary: u32 message id, then the payload");
                         return;
                       }
                       ++self->messages_read_;
                       self->mark_read();
                       const bool open = self->handle_frame(msg_id, payload);
                       self->read_buffer_.consume(self->read_buffer_.size());
                       if (open) self->read_more();
                     }));
}

// A server's frames are not masked (RFC 6455 5.1): FIN + binary opcode, the payload length
// in 7, 16 or 64 bits (network order), then our u32 message id and the payload.
void WsConnection::frame_header(OutFrame& f) const noexcept {
  constexpr std::uint8_t kFinBinary = 0x82;
  constexpr std::size_t kMaxLen7 = 125;
  constexpr std::size_t kMaxLen16 = 0xFFFF;
  const std::uint64_t len = kWsHeaderBytes + f.payload->size();
  auto* h = f.header.data();
  std::size_t n = 0;
  h[n++] = kFinBinary;
  if (len <= kMaxLen7) {
    h[n++] = static_cast<std::uint8_t>(len);
  } else if (len <= kMaxLen16) {
    h[n++] = 126;
    h[n++] = static_cast<std::uint8_t>(len >> 8);
    h[n++] = static_cast<std::uint8_t>(len);
  } else {
    h[n++] = 127;
    for (int shift = 56; shift >= 0; shift -= 8) h[n++] = static_cast<std::uint8_t>(len >> shift);
  }
  put_u32le(h + n, f.msg_id);
  f.header_len = static_cast<std::uint8_t>(n + kWsHeaderBytes);
}

void WsConnection::shutdown_transport() {
  handshake_timer().cancel();
  boost::system::error_code ec;
  auto& socket = beast::get_lowest_layer(ws_);
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

}  // namespace gamehost::net
