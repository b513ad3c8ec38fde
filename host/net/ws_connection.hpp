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

#include "net/connection.hpp"
#include "net/outbox_stream.hpp"

namespace gamehost::net {

class WsConnection final : public Connection {
 public:
  WsConnection(Socket socket, Strand strand, ConnectionHooks& hooks,
               const ConnectionLimits& limits, session::SessionId id, std::string ip,
               std::uint16_t port);

 private:
  void start_transport() override;
  void frame_header(OutFrame& f) const noexcept override;
  Socket& socket() noexcept override { return ws_.next_layer().next_layer(); }
  void shutdown_transport() override;
  // On the strand: reads the next message; when nothing of the client's is buffered, first
  // waits for the socket to become readable, with no Beast read and no read buffer held.
  void read_more();
  void read_message();
  void arm_handshake_timer();
  void on_request(const boost::system::error_code& ec);

  using HttpRequest = boost::beast::http::request_parser<boost::beast::http::empty_body>;
  static constexpr std::uint32_t kMaxRequestHeaderBytes = 8 * 1024;

  boost::beast::websocket::stream<OutboxStream> ws_;
  boost::beast::flat_buffer read_buffer_;
  std::unique_ptr<HttpRequest> request_;  // only until the handshake starts
  bool handshake_done_ = false;                                  // strand only
  std::uint64_t messages_read_ = 0;                              // strand only
};

}  // namespace gamehost::net
