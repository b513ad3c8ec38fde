// The gamehost wire format as the load generator needs it: message ids and little-endian
// integer helpers. Framing itself lives in the transports (tcp_transport.cpp, ws_transport.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gamehost::loadgen {

namespace msg {
// Host-reserved ids (sdk/proto/gamehost/host.proto).
inline constexpr std::uint32_t kError = 2;
inline constexpr std::uint32_t kHello = 4;
// The echo example plugin (sdk/examples/echo/echo.proto).
inline constexpr std::uint32_t kEchoRequest = 90000;
inline constexpr std::uint32_t kEchoReply = 90001;
inline constexpr std::uint32_t kJoinGroup = 90002;
inline constexpr std::uint32_t kGroupJoined = 90003;
inline constexpr std::uint32_t kShout = 90004;
inline constexpr std::uint32_t kShoutHeard = 90005;
}  // namespace msg

// TCP: u32 length | u32 id | payload. WebSocket: u32 id | payload (one binary message).
inline constexpr std::size_t kTcpHeaderBytes = 8;
inline constexpr std::size_t kWsHeaderBytes = 4;

// A frame larger than this is treated as a broken stream rather than buffered forever.
inline constexpr std::size_t kMaxFrameBytes = std::size_t{16} * 1024 * 1024;

// Byte-by-byte so the code is correct on any host byte order; compilers fold it into one move.
inline void store_u32_le(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void store_u64_le(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline std::uint32_t load_u32_le(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline std::uint64_t load_u64_le(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace gamehost::loadgen
