// Internal header (network code only): the server side of RFC 6455 framing, for the bytes
// a client sends after the WebSocket handshake. Beast parses the upgrade request and answers
// it; from then on the connection reads frames with this, so an idle session holds no Beast
// stream state (2.5 KiB: its read buffer is inline) and no read buffer of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gamehost::net {

class WsFrameReader {
 public:
  // Close codes the reader fails a connection with (RFC 6455 7.4.1).
  static constexpr std::uint16_t kProtocolError = 1002;
  static constexpr std::uint16_t kTooBig = 1009;

  struct Event {
    enum class Kind : std::uint8_t {
      need_more,  // every byte given is consumed; the next event needs more
      message,    // a whole data message: `binary` and its bytes
      ping,       // answer with a pong carrying `data`
      pong,
      close,  // the client's close frame: `close_code` (0: none given), `data` the reason
      fail,   // not a valid client stream: close with `close_code`, `why` says what broke
    };
    Kind kind = Kind::need_more;
    bool binary = false;
    std::uint16_t close_code = 0;
    std::string_view data;  // valid until the next call of next()
    const char* why = "";   // fail only
  };

  // `max_message`: the largest data message taken, all its fragments together; a larger
  // one fails with kTooBig as soon as a frame header announces it.
  explicit WsFrameReader(std::size_t max_message) noexcept : max_message_(max_message) {}

  // Consumes bytes from data[0, size) up to and including the next event's last byte, and
  // advances `data` and `size` past them. Payloads are unmasked in place, so a message that
  // arrives in one frame of one read is handed over as a view into `data`, without a copy;
  // one split across reads or fragments is gathered first. After close or fail the reader
  // is done: every later call returns that event again and consumes nothing.
  Event next(std::uint8_t*& data, std::size_t& size);

  // True while part of a frame or of a fragmented message has been read: more must come
  // before the next event.
  bool mid_message() const noexcept {
    return header_len_ != 0 || in_payload_ || message_opcode_ != 0;
  }
  // Frees the memory kept for gathering, when nothing is being gathered (an idle session).
  void release_memory() noexcept;

 private:
  // Checks the first two header bytes: what they alone make invalid fails at once.
  bool check_start(Event& failed) noexcept;
  // The header is whole: reads the length and the mask, checks the length.
  bool start_payload(Event& failed) noexcept;
  // The current frame's payload is all in: `payload` is all of it.
  Event frame_done(std::string_view payload);
  Event fail(std::uint16_t code, const char* why) noexcept;
  std::size_t header_needed() const noexcept;

  std::size_t max_message_;
  std::string message_;          // the data message gathered so far (fragments, or split by reads)
  std::string control_;          // a control frame split by reads (at most 125 bytes)
  std::uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  std::uint8_t header_[14]{};    // the current frame's header, as far as it has arrived
  std::uint8_t header_len_ = 0;
  std::uint8_t mask_[4]{};
  std::uint8_t mask_at_ = 0;         // position in the mask of the next payload byte
  std::uint8_t opcode_ = 0;          // of the current frame
  std::uint8_t message_opcode_ = 0;  // 1 or 2 while a fragmented message is open, else 0
  std::uint8_t handed_ = 0;          // the last event viewed message_ (1) or control_ (2)
  bool fin_ = false;                 // of the current frame
  bool in_payload_ = false;
  bool payload_started_ = false;  // part of the current frame's payload has been taken
  Event done_{};                  // once closed or failed
};

}  // namespace gamehost::net
