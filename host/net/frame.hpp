// Internal header: the wire framing (docs/protocol.md), free of any socket code.
//   TCP:        u32 length | u32 message id | payload   (little-endian, length = payload bytes)
//   WebSocket:  one binary message = u32 message id | payload
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace gamehost::net {

inline constexpr std::size_t kTcpHeaderBytes = 8;
inline constexpr std::size_t kWsHeaderBytes = 4;

inline void put_u32le(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v >> 16);
  p[3] = static_cast<std::uint8_t>(v >> 24);
}
inline std::uint32_t get_u32le(const std::uint8_t* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

// WebSocket: the largest message Beast may read (its read_message_max) - the id and a payload
// of up to max_payload. A larger one fails the read with message_too_big, and the client is
// kicked with GH_CODE_FRAME_TOO_LARGE.
inline constexpr std::size_t ws_message_max(std::uint32_t max_payload) noexcept {
  return std::size_t{max_payload} + kWsHeaderBytes;
}

// One WebSocket message, read whole, as a frame (msg_id, and the payload viewing `data`).
// False when it is not one - a text message, or a binary one shorter than the id - and the
// client is then kicked with GH_CODE_BAD_FRAME.
inline bool decode_ws_message(bool binary, const std::uint8_t* data, std::size_t size,
                              std::uint32_t& msg_id, std::string_view& payload) noexcept {
  if (!binary || size < kWsHeaderBytes) return false;
  msg_id = get_u32le(data);
  payload = std::string_view(reinterpret_cast<const char*>(data + kWsHeaderBytes),
                             size - kWsHeaderBytes);
  return true;
}

// Cuts a TCP byte stream into frames, however the reads split or join them. Not thread-safe
// (one per connection). Payload views handed to the callback are valid only during it.
class FrameDecoder {
 public:
  enum class Status { ok, too_large };

  explicit FrameDecoder(std::uint32_t max_payload) : max_payload_(max_payload) {}

  // Consumes `n` bytes, calling on_frame(id, payload) for each complete frame, in order.
  // Returns too_large (and stops) at the first header announcing more than max_payload;
  // the connection must then be closed: the stream cannot be resynchronised.
  // Linear in the bytes fed, however the reads split a frame: the held-back bytes of an
  // incomplete frame are only ever appended to (each byte is copied at most once), never
  // copied again as later reads arrive.
  template <class OnFrame>
  Status feed(const std::uint8_t* data, std::size_t n, OnFrame&& on_frame) {
    if (!pending_.empty()) {
      // Complete the held-back frame first, taking only the bytes it still lacks.
      const auto header_part = std::min(n, pending_.size() < 4 ? 4 - pending_.size() : 0);
      hold(data, header_part);
      data += header_part;
      n -= header_part;
      if (pending_.size() < 4) return Status::ok;
      const auto len = get_u32le(pending_.data());
      if (len > max_payload_) {
        refused_length_ = len;
        return Status::too_large;
      }
      const std::size_t need = kTcpHeaderBytes + len;
      pending_.reserve(need);
      const auto body_part = std::min(n, need - pending_.size());
      hold(data, body_part);
      data += body_part;
      n -= body_part;
      if (pending_.size() < need) return Status::ok;
      on_frame(
          get_u32le(pending_.data() + 4),
          std::string_view(reinterpret_cast<const char*>(pending_.data() + kTcpHeaderBytes), len));
      pending_.clear();
    }
    return consume(data, n, on_frame);
  }

  // Frees the held-back buffer's memory when no frame is held back (an idle session).
  void release_memory() noexcept {
    if (pending_.empty()) std::vector<std::uint8_t>().swap(pending_);
  }
  // Bytes of an incomplete frame held back; non-zero at end of stream means truncated.
  std::size_t pending_bytes() const noexcept { return pending_.size(); }
  // Bytes copied into the held-back buffer so far (for the test that decoding is linear).
  std::uint64_t copied_bytes() const noexcept { return copied_bytes_; }
  // The length field of the frame that was refused as too large.
  std::uint32_t refused_length() const noexcept { return refused_length_; }

 private:
  template <class OnFrame>
  Status consume(const std::uint8_t* p, std::size_t n, OnFrame& on_frame) {
    while (n >= 4) {
      const auto len = get_u32le(p);
      if (len > max_payload_) {
        refused_length_ = len;
        return Status::too_large;
      }
      if (n < kTcpHeaderBytes + len) break;
      on_frame(get_u32le(p + 4),
               std::string_view(reinterpret_cast<const char*>(p + kTcpHeaderBytes), len));
      p += kTcpHeaderBytes + len;
      n -= kTcpHeaderBytes + len;
    }
    hold(p, n);  // the start of the next frame (pending_ is empty here)
    return Status::ok;
  }
  void hold(const std::uint8_t* p, std::size_t n) {
    pending_.insert(pending_.end(), p, p + n);
    copied_bytes_ += n;
  }

  std::uint32_t max_payload_;
  std::uint32_t refused_length_ = 0;
  std::uint64_t copied_bytes_ = 0;
  std::vector<std::uint8_t> pending_;
};

}  // namespace gamehost::net
