// Internal header (network code only): a client connection over WebSocket; one binary
// message carries one frame, `u32 message id | payload`.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <optional>

#include "net/connection.hpp"
#include "net/outbox_stream.hpp"
#include "net/ws_frame_reader.hpp"

namespace gamehost::net {

class WsConnection final : public Connection {
 public:
  WsConnection(Socket socket, Strand strand, ConnectionHooks& hooks, const ConnectionLimits& limits,
               session::SessionId id, std::string ip, std::uint16_t port);

 private:
  void start_transport() override;
  void frame_header(OutFrame& f) const noexcept override;
  Socket& socket() noexcept override { return socket_; }
  void shutdown_transport() override;
  void on_request(const boost::system::error_code& ec);
  void arm_handshake_timer();
  // The events of `n` bytes the client sent. False once the connection stops reading
  // (closing: a close frame, a protocol violation, a kick).
  bool consume(std::uint8_t* data, std::size_t n) override;
  void read_ended(bool eof) override;
  // Nothing kept between messages.
  void release_read_memory() noexcept override { reader_.release_memory(); }
  void send_close(std::uint16_t code);

  using HttpRequest = boost::beast::http::request_parser<boost::beast::http::empty_body>;
  static constexpr std::uint32_t kMaxRequestHeaderBytes = 8 * 1024;

  Socket socket_;
  // Only during the handshake: Beast answers the upgrade, then the stream (2.5 KiB with its
  // inline read buffer) is destroyed and reader_ reads the frames.
  std::optional<boost::beast::websocket::stream<OutboxStream>> ws_;
  boost::beast::flat_buffer read_buffer_;  // the upgrade request's bytes
  std::unique_ptr<HttpRequest> request_;   // only until the handshake starts
  WsFrameReader reader_;
  bool handshake_done_ = false;  // strand only
};

}  // namespace gamehost::net
