// Internal header (network code only): a client connection over TCP with length-prefixed frames.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <array>

#include "net/connection.hpp"
#include "net/frame.hpp"

namespace gamehost::net {

class TcpConnection final : public Connection {
 public:
  TcpConnection(Socket socket, Strand strand, ConnectionHooks& hooks,
                const ConnectionLimits& limits, session::SessionId id, std::string ip,
                std::uint16_t port);

 private:
  void start_transport() override;
  void frame_header(OutFrame& f) const noexcept override;
  Socket& socket() noexcept override { return socket_; }
  void shutdown_transport() override;
  void read_more();

  Socket socket_;
  FrameDecoder decoder_;
  std::array<std::uint8_t, std::size_t{16} * 1024> read_buffer_{};
};

}  // namespace gamehost::net
