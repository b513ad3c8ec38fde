#include "net/ws_connection.hpp"

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket.hpp>

#include "net/frame.hpp"
#include "net/static_files.hpp"

namespace gamehost::net {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;

namespace {

// A server's control frame (RFC 6455 5.5): unmasked, at most 125 payload bytes.
std::string control_frame(std::uint8_t opcode, std::string_view payload) {
  std::string out;
  out.reserve(2 + payload.size());
  out.push_back(static_cast<char>(0x80 | opcode));
  out.push_back(static_cast<char>(payload.size()));
  out.append(payload);
  return out;
}

}  // namespace

WsConnection::WsConnection(Socket socket, Strand strand, ConnectionHooks& hooks,
                           const ConnectionLimits& limits, session::SessionId id, std::string ip,
                           std::uint16_t port)
    : Connection(std::move(strand), hooks, limits, id, session::Transport::websocket, std::move(ip),
                 port),
      socket_(std::move(socket)),
      ws_(std::in_place, socket_),
      reader_(ws_message_max(limits.max_frame_bytes)) {}

void WsConnection::start_transport() {
  // Refused at accept (server or address full): close at once rather than spend a
  // handshake (and up to its deadline) on a client that cannot stay. TCP clients get a Kick
  // frame instead; a WebSocket one would need the handshake first.
  if (refused()) {
    finish();
    return;
  }
  // Beast's own writes (the handshake answer) join the send queue.
  ws_->next_layer().set_sink([this](std::string bytes) { return send_raw(std::move(bytes)); });
  boost::system::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  // No Beast timeouts: when one fires, Beast closes the socket itself, behind the
  // connection's send path (a worker may be writing to that fd, or to its next owner once
  // the number is reused). The deadlines are the connection's own timers, and the socket
  // is closed in one place (finish). The handshake deadline: a socket that never completes
  // its upgrade holds a connection slot (counted from accept) only this long.
  ws_->set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                  websocket::stream_base::none(), false});
  arm_handshake_timer();
  // The HTTP request first: an upgrade goes on to the handshake, a plain GET is a browser
  // asking for the demo page (when [listen] web_root serves one).
  request_ = std::make_unique<HttpRequest>();
  request_->header_limit(kMaxRequestHeaderBytes);
  request_->body_limit(0);
  http::async_read(socket_, read_buffer_, *request_,
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
  // A client sends nothing more before the 101 (RFC 6455 4.1); whatever it did is dropped.
  read_buffer_.clear();
  read_buffer_.shrink_to_fit();
  if (!websocket::is_upgrade(req) && limits_.web != nullptr) {
    handshake_done_ = true;
    handshake_timer().cancel();
    // One answer, then the connection ends (Connection: close) like after a Kick.
    send_raw(
        limits_.web->respond(std::string_view(req.method_string()), std::string_view(req.target())),
        true);
    return;
  }
  // Not an upgrade and no web root: Beast answers 400 and the handshake fails.
  ws_->async_accept(
      req, asio::bind_executor(strand_,
                               [self = std::static_pointer_cast<WsConnection>(shared_from_this())](
                                   const boost::system::error_code& ec) {
                                 self->handshake_done_ = true;
                                 self->handshake_timer().cancel();
                                 if (ec) {
                                   spdlog::debug("websocket handshake from {} failed: {}",
                                                 self->remote_address(), ec.message());
                                   self->finish();
                                   return;
                                 }
                                 self->opened();
                                 // Beast's part is over; its stream goes once its operation has
                                 // fully returned.
                                 asio::post(self->strand_, [self] {
                                   self->ws_.reset();
                                   self->read_more();
                                 });
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

void WsConnection::read_ended(bool /*eof*/) {
  // Closing already (a Kick, a close frame): what is queued goes out first, or the grace
  // ends it.
  if (!closing()) finish();
}

bool WsConnection::consume(std::uint8_t* data, std::size_t n) {
  using Kind = WsFrameReader::Event::Kind;
  for (;;) {
    const auto e = reader_.next(data, n);
    switch (e.kind) {
      case Kind::need_more:
        return true;
      case Kind::message: {
        std::uint32_t msg_id = 0;
        std::string_view payload;
        if (!decode_ws_message(e.binary, reinterpret_cast<const std::uint8_t*>(e.data.data()),
                               e.data.size(), msg_id, payload)) {
          count_refused(GH_CODE_BAD_FRAME);
          kick_on_strand(GH_CODE_BAD_FRAME,
                         "a message must be binary: u32 message id, then the payload");
          return false;
        }
        if (!handle_frame(msg_id, payload)) return false;
        break;
      }
      case Kind::ping:
        // The pong joins the send queue and leaves in order with the replies.
        if (!send_raw(control_frame(0xA, e.data))) return false;
        break;
      case Kind::pong:
        break;
      case Kind::close:
        // The close handshake (RFC 6455 5.5.1): the same code back, after what is queued;
        // the connection ends once it is out.
        send_close(e.close_code);
        return false;
      case Kind::fail:
        spdlog::debug("websocket client {} closed with {}: {}", remote_address(), e.close_code,
                      e.why);
        count_refused(e.close_code == WsFrameReader::kTooBig ? GH_CODE_FRAME_TOO_LARGE
                                                             : GH_CODE_BAD_FRAME);
        send_close(e.close_code);
        return false;
    }
  }
}

void WsConnection::send_close(std::uint16_t code) {
  std::string payload;
  if (code != 0) {
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xFF));
  }
  send_raw(control_frame(0x8, payload), true);
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
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace gamehost::net
