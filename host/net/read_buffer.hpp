// Internal header (network code only): reading a socket into its network thread's buffer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gamehost::net {

// Connections read into a buffer of their network thread, not one of their own: a
// connection reads only on its own thread, synchronously once its socket is readable, and
// its decoder keeps whatever a read leaves unfinished (a frame cut by the read). So an idle
// session holds no read buffer, only its wait for readability.
inline constexpr std::size_t kThreadReadBufferBytes = std::size_t{64} * 1024;
// Reads per readability wake: a client that keeps its socket full is read on after the
// other connections of the thread have had their turn.
inline constexpr int kMaxReadsPerWake = 4;

// This thread's buffer of kThreadReadBufferBytes (allocated on first use).
std::uint8_t* thread_read_buffer();

enum class ReadResult : std::uint8_t {
  data,         // `n` bytes were read
  would_block,  // nothing to read now
  end,          // the peer ended the stream
  failed,       // a socket error (a reset, say)
};
// One non-blocking read of the socket `fd` into this thread's buffer.
ReadResult read_now(int fd, std::size_t& n) noexcept;

}  // namespace gamehost::net
