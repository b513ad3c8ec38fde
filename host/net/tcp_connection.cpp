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

void TcpConnection::read_more() {
  socket_.async_read_some(
      asio::buffer(read_buffer_),
      asio::bind_executor(
          strand_, [self = std::static_pointer_cast<TcpConnection>(shared_from_this())](
                       const boost::system::error_code& ec, std::size_t n) {
            if (ec) {
              if (ec == asio::error::eof && self->decoder_.pending_bytes() != 0) {
                spdlog::debug("session {}: stream ended inside a frame ({} bytes pending)",
                              self->id(), self->decoder_.pending_bytes());
                self->count_refused(GH_CODE_BAD_FRAME);
              }
              self->finish();
              return;
            }
            bool closing = false;
            self->mark_read();
            const auto status = self->decoder_.feed(
                self->read_buffer_.data(), n, [&](std::uint32_t id, std::string_view payload) {
                  if (!closing && !self->handle_frame(id, payload)) closing = true;
                });
            if (status == FrameDecoder::Status::too_large) {
              self->count_refused(GH_CODE_FRAME_TOO_LARGE);
              self->kick_on_strand(GH_CODE_FRAME_TOO_LARGE,
                                   "frame of " + std::to_string(self->decoder_.refused_length()) +
                                       " bytes is over the limit of " +
                                       std::to_string(self->limits_.max_frame_bytes));
              return;  // stop reading: the stream cannot be resynchronised
            }
            if (!closing) self->read_more();
          }));
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
