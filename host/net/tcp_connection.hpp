// Internal header (network code only): a client connection over TCP with length-prefixed frames.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <array>

#include "net/connection.hpp"
#include "net/frame.hpp"

namespace gamehost::net {

class TcpConnection final : public Connection {
 public:
  TcpConnection(asio::ip::tcp::socket socket, Strand strand, ConnectionHooks& hooks,
                const ConnectionLimits& limits, session::SessionId id, std::string ip,
                std::uint16_t port);

 private:
  void start_transport() override;
  void write_batch(std::vector<OutFrame>& batch) override;
  void shutdown_transport() override;
  bool writes_directly() const noexcept override { return true; }
  std::ptrdiff_t write_now(std::vector<OutFrame>& frames) override;
  std::size_t header_bytes() const noexcept override { return kTcpHeaderBytes; }
  void write_rest(const std::shared_ptr<std::string>& bytes) override;
  void read_more();

  asio::ip::tcp::socket socket_;
  FrameDecoder decoder_;
  std::array<std::uint8_t, std::size_t{16} * 1024> read_buffer_{};
  std::vector<asio::const_buffer> write_buffers_;
};

}  // namespace gamehost::net
