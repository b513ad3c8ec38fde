#include "net/read_buffer.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <memory>

namespace gamehost::net {

std::uint8_t* thread_read_buffer() {
  thread_local const std::unique_ptr<std::uint8_t[]> buffer(
      new std::uint8_t[kThreadReadBufferBytes]);
  return buffer.get();
}

ReadResult read_now(int fd, std::size_t& n) noexcept {
  std::uint8_t* buffer = thread_read_buffer();
  for (;;) {
    const ssize_t got = ::recv(fd, buffer, kThreadReadBufferBytes, MSG_DONTWAIT);
    if (got > 0) {
      n = static_cast<std::size_t>(got);
      return ReadResult::data;
    }
    if (got == 0) return ReadResult::end;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadResult::would_block;
    return ReadResult::failed;
  }
}

}  // namespace gamehost::net
