// Internal header (network code only): a client connection over TCP with length-prefixed frames.
#pragma once

#include <boost/asio/ip/tcp.hpp>

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
  // On the strand: waits for the socket to become readable, then reads what is there into
  // the network thread's buffer (net/read_buffer.hpp): an idle session holds no read buffer.
  void read_more();
  void read_available();

  Socket socket_;
  FrameDecoder decoder_;  // keeps the part of a frame a read cut off
};

}  // namespace gamehost::net
