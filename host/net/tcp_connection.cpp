#include "net/tcp_connection.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/write.hpp>

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>
#include <cerrno>

namespace gamehost::net {

TcpConnection::TcpConnection(asio::ip::tcp::socket socket, Strand strand, ConnectionHooks& hooks,
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

void TcpConnection::write_batch(std::vector<OutFrame>& batch) {
  write_buffers_.clear();
  write_buffers_.reserve(batch.size() * 2);
  for (auto& f : batch) {
    put_u32le(f.header.data(), static_cast<std::uint32_t>(f.payload->size()));
    put_u32le(f.header.data() + 4, f.msg_id);
    write_buffers_.emplace_back(asio::buffer(f.header.data(), kTcpHeaderBytes));
    if (!f.payload->empty()) write_buffers_.emplace_back(asio::buffer(*f.payload));
  }
  asio::async_write(
      socket_, write_buffers_,
      asio::bind_executor(
          strand_, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            static_cast<TcpConnection&>(*self).write_done(ec);
          }));
}

namespace {
// Replies up to this many bytes in all are copied into one buffer and sent as one piece:
// the kernel copies one buffer faster than dozens of 8-byte headers and small payloads
// given as separate iovecs (measured: bench/README.md). Larger batches go as iovecs.
constexpr std::size_t kCoalesceBytes = 16 * 1024;

std::ptrdiff_t send_all(int fd, const void* data, std::size_t size) {
  while (true) {
    const auto sent = ::send(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return sent;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -1;
  }
}
}  // namespace

std::ptrdiff_t TcpConnection::write_now(std::vector<OutFrame>& frames) {
  std::size_t total = 0;
  for (const auto& f : frames) total += kTcpHeaderBytes + f.payload->size();
  if (total <= kCoalesceBytes) {
    thread_local std::string buffer;
    buffer.clear();
    for (auto& f : frames) {
      put_u32le(f.header.data(), static_cast<std::uint32_t>(f.payload->size()));
      put_u32le(f.header.data() + 4, f.msg_id);
      buffer.append(reinterpret_cast<const char*>(f.header.data()), kTcpHeaderBytes);
      buffer.append(*f.payload);
    }
    return send_all(socket_.native_handle(), buffer.data(), buffer.size());
  }
  // At most IOV_MAX buffers in one call; what does not fit goes as "the rest".
  constexpr std::size_t kMaxIov = 1024;
  std::array<iovec, kMaxIov> iov{};
  std::size_t n = 0;
  for (auto& f : frames) {
    // Every header, even of frames past the iovec limit: the caller copies what is not
    // written, headers included, for the network thread to finish.
    put_u32le(f.header.data(), static_cast<std::uint32_t>(f.payload->size()));
    put_u32le(f.header.data() + 4, f.msg_id);
    if (n + 2 > kMaxIov) continue;
    iov[n++] = {f.header.data(), kTcpHeaderBytes};
    if (!f.payload->empty()) iov[n++] = {const_cast<char*>(f.payload->data()), f.payload->size()};
  }
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = n;
  while (true) {
    const auto sent = ::sendmsg(socket_.native_handle(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return sent;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -1;
  }
}

void TcpConnection::write_rest(const std::shared_ptr<std::string>& bytes) {
  asio::async_write(
      socket_, asio::buffer(*bytes),
      asio::bind_executor(strand_, [self = shared_from_this(), bytes](
                                       const boost::system::error_code& ec, std::size_t) {
        static_cast<TcpConnection&>(*self).write_done(ec);
      }));
}

void TcpConnection::shutdown_transport() {
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace gamehost::net
