// Internal header (network code only): a client connection over WebSocket; one binary
// message carries one frame, `u32 message id | payload`.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "net/coalescing_stream.hpp"
#include "net/connection.hpp"

namespace gamehost::net {

class WsConnection final : public Connection {
 public:
  WsConnection(asio::ip::tcp::socket socket, Strand strand, ConnectionHooks& hooks,
               const ConnectionLimits& limits, session::SessionId id, std::string ip,
               std::uint16_t port);

 private:
  void start_transport() override;
  void write_batch(std::vector<OutFrame>& batch) override;
  void shutdown_transport() override;
  void read_more();
  void write_one(std::size_t index);

  boost::beast::websocket::stream<CoalescingStream> ws_;
  boost::beast::flat_buffer read_buffer_;
  std::vector<OutFrame>* batch_ = nullptr;
};

}  // namespace gamehost::net
