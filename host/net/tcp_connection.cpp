#include "net/tcp_connection.hpp"

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>

#include "net/read_buffer.hpp"

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

// Waits for the socket to become readable, holding no read buffer and no read operation
// but this wait (what an idle session costs), then reads what is there.
void TcpConnection::read_more() {
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     long_lived(asio::bind_executor(
                         strand_, [self = std::static_pointer_cast<TcpConnection>(
                                       shared_from_this())](const boost::system::error_code& ec) {
                           if (ec) {  // closed by finish(), or failed
                             self->finish();
                             return;
                           }
                           self->read_available();
                         })));
}

void TcpConnection::read_available() {
  for (int reads = 0; reads < kMaxReadsPerWake; ++reads) {
    std::size_t n = 0;
    const auto result = read_now(socket_.native_handle(), n);
    if (result == ReadResult::would_block) break;
    if (result != ReadResult::data) {
      if (result == ReadResult::end && decoder_.pending_bytes() != 0) {
        spdlog::debug("session {}: stream ended inside a frame ({} bytes pending)", id(),
                      decoder_.pending_bytes());
        count_refused(GH_CODE_BAD_FRAME);
      }
      finish();
      return;
    }
    bool closing = false;
    mark_read();
    const auto status =
        decoder_.feed(thread_read_buffer(), n, [&](std::uint32_t id, std::string_view payload) {
          if (!closing && !handle_frame(id, payload)) closing = true;
        });
    if (status == FrameDecoder::Status::too_large) {
      count_refused(GH_CODE_FRAME_TOO_LARGE);
      kick_on_strand(GH_CODE_FRAME_TOO_LARGE,
                     "frame of " + std::to_string(decoder_.refused_length()) +
                         " bytes is over the limit of " + std::to_string(limits_.max_frame_bytes));
      return;  // stop reading: the stream cannot be resynchronised
    }
    if (closing) return;
    if (n < kThreadReadBufferBytes) break;
  }
  decoder_.release_memory();  // nothing kept between frames
  read_more();
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
