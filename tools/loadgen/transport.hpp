// One client connection's byte transport, hiding TCP length-prefix framing versus WebSocket
// messages from the load logic. Virtual so that only ws_transport.cpp includes Beast (compile
// time); the per-call cost is noise next to a syscall.
//
// Concurrency contract (the same as Asio's and Beast's): at most one read_frames() and one
// write_frames() or close() in flight at a time, all on the connection's own executor.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace gamehost::loadgen {

struct InFrame {
  std::uint32_t id;
  std::string_view payload;  // valid until the next read_frames() call
};

struct OutFrame {
  std::uint32_t id;
  std::string_view payload;  // must stay valid until write_frames() completes
};

class Transport {
 public:
  virtual ~Transport() = default;

  // `host` is what the user typed; the WebSocket handshake sends it as the Host header.
  virtual boost::asio::awaitable<void> connect(const boost::asio::ip::tcp::endpoint& endpoint,
                                               const std::string& host) = 0;
  // Waits for at least one complete frame and returns every complete frame already received.
  // Throws on a closed or broken connection.
  virtual boost::asio::awaitable<std::span<const InFrame>> read_frames() = 0;
  // Sends the frames in order (TCP: as one write; WebSocket: one message each).
  virtual boost::asio::awaitable<void> write_frames(std::span<const OutFrame> frames) = 0;
  // Polite goodbye (WebSocket close handshake, TCP shutdown) then close. Never throws.
  virtual boost::asio::awaitable<void> close() = 0;
  // Closes the socket at once; pending operations complete with an error.
  virtual void abort() = 0;
};

std::unique_ptr<Transport> make_tcp_transport(const boost::asio::any_io_executor& executor);
std::unique_ptr<Transport> make_ws_transport(const boost::asio::any_io_executor& executor);

}  // namespace gamehost::loadgen
