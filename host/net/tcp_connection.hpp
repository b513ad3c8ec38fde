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
  bool consume(std::uint8_t* data, std::size_t n) override;
  void read_ended(bool eof) override;
  void release_read_memory() noexcept override { decoder_.release_memory(); }

  Socket socket_;
  FrameDecoder decoder_;  // keeps the part of a frame a read cut off
};

}  // namespace gamehost::net
