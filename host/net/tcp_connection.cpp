#include "net/tcp_connection.hpp"

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>

namespace gamehost::net {

TcpConnection::TcpConnection(Socket socket, Strand strand, ConnectionHooks& hooks,
                             const ConnectionLimits& limits, session::SessionId id, std::string ip,
                             std::uint16_t port)
    : Connection(std::move(strand), hooks, limits, id, session::Transport::tcp, std::move(ip),
                 port),
      socket_(std::move(socket)),
      decoder_(limits.max_frame_bytes) {}

void TcpConnection::start_transport() {
  boost::system::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);  // small game messages: no Nagle delay
  opened();
  read_more();
}

void TcpConnection::read_ended(bool eof) {
  if (eof && decoder_.pending_bytes() != 0) {
    spdlog::debug("session {}: stream ended inside a frame ({} bytes pending)", id(),
                  decoder_.pending_bytes());
    count_refused(GH_CODE_BAD_FRAME);
  }
  finish();
}

bool TcpConnection::consume(std::uint8_t* data, std::size_t n) {
  bool reading = true;
  const auto status = decoder_.feed(data, n, [&](std::uint32_t id, std::string_view payload) {
    if (reading && !handle_frame(id, payload)) reading = false;
  });
  if (status == FrameDecoder::Status::too_large) {
    count_refused(GH_CODE_FRAME_TOO_LARGE);
    kick_on_strand(GH_CODE_FRAME_TOO_LARGE,
                   "frame of " + std::to_string(decoder_.refused_length()) +
                       " bytes is over the limit of " + std::to_string(limits_.max_frame_bytes));
    return false;  // stop reading: the stream cannot be resynchronised
  }
  return reading;
}

void TcpConnection::frame_header(OutFrame& f) const noexcept {
  put_u32le(f.header.data(), static_cast<std::uint32_t>(f.payload->size()));
  put_u32le(f.header.data() + 4, f.msg_id);
  f.header_len = kTcpHeaderBytes;
}

void TcpConnection::shutdown_transport() {
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace gamehost::net
