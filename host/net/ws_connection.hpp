// Internal header (network code only): a client connection over WebSocket; one binary
// message carries one frame, `u32 message id | payload`.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "net/connection.hpp"
#include "net/outbox_stream.hpp"

namespace gamehost::net {

class WsConnection final : public Connection {
 public:
  WsConnection(asio::ip::tcp::socket socket, Strand strand, ConnectionHooks& hooks,
               const ConnectionLimits& limits, session::SessionId id, std::string ip,
               std::uint16_t port);

 private:
  void start_transport() override;
  void frame_header(OutFrame& f) const noexcept override;
  asio::ip::tcp::socket& socket() noexcept override { return ws_.next_layer().next_layer(); }
  void shutdown_transport() override;
  void read_more();
  void arm_handshake_timer();

  boost::beast::websocket::stream<OutboxStream> ws_;
  boost::beast::flat_buffer read_buffer_;
  asio::steady_timer handshake_timer_{strand_};  // strand only
  bool handshake_done_ = false;                                  // strand only
};

}  // namespace gamehost::net
