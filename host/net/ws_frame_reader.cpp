#include "net/ws_frame_reader.hpp"

#include <algorithm>

namespace gamehost::net {

namespace {

constexpr std::uint8_t kContinuation = 0x0;
constexpr std::uint8_t kText = 0x1;
constexpr std::uint8_t kBinary = 0x2;
constexpr std::uint8_t kClose = 0x8;
constexpr std::uint8_t kPing = 0x9;
constexpr std::uint8_t kPong = 0xA;
constexpr std::size_t kMaxControlPayload = 125;

// The codes a peer may send in a close frame (RFC 6455 7.4; the registered 1012 and 1013
// too), as Beast 1.81 accepts them.
bool valid_close_code(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013) || code >= 3000;
}

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<std::uint8_t>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      extra = 1;
      cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      extra = 2;
      cp = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      extra = 3;
      cp = b & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i - 1 < extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto c = static_cast<std::uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = cp << 6 | (c & 0x3Fu);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

std::size_t WsFrameReader::header_needed() const noexcept {
  if (header_len_ < 2) return 2;
  const unsigned len7 = header_[1] & 0x7Fu;
  const std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  return 2 + ext + ((header_[1] & 0x80) != 0 ? 4 : 0);
}

WsFrameReader::Event WsFrameReader::fail(std::uint16_t code, const char* why) noexcept {
  done_ = Event{};
  done_.kind = Event::Kind::fail;
  done_.close_code = code;
  done_.why = why;
  return done_;
}

bool WsFrameReader::check_start(Event& failed) noexcept {
  const std::uint8_t b0 = header_[0];
  const std::uint8_t b1 = header_[1];
  fin_ = (b0 & 0x80) != 0;
  opcode_ = b0 & 0x0F;
  const char* why = nullptr;
  // No extension is negotiated, so no reserved bit may be set (RFC 6455 5.2).
  if ((b0 & 0x70) != 0) {
    why = "a reserved bit is set";
  } else if ((b1 & 0x80) == 0) {
    why = "a client frame is not masked";  // RFC 6455 5.1
  } else if (opcode_ >= kClose) {
    if (opcode_ != kClose && opcode_ != kPing && opcode_ != kPong) {
      why = "unknown control opcode";
    } else if (!fin_) {
      why = "a control frame is fragmented";
    } else if ((b1 & 0x7F) > kMaxControlPayload) {
      why = "a control frame longer than 125 bytes";
    }
  } else if (opcode_ > kBinary) {
    why = "unknown data opcode";
  } else if (opcode_ == kContinuation && message_opcode_ == 0) {
    why = "a continuation frame with no message to continue";
  } else if (opcode_ != kContinuation && message_opcode_ != 0) {
    why = "a new message before the fragmented one ended";
  }
  if (why == nullptr) return true;
  failed = fail(kProtocolError, why);
  return false;
}

bool WsFrameReader::start_payload(Event& failed) noexcept {
  const unsigned len7 = header_[1] & 0x7Fu;
  std::size_t at = 2;
  std::uint64_t len = len7;
  if (len7 >= 126) {
    const std::size_t n = len7 == 126 ? 2 : 8;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = len << 8 | header_[at++];
    // The shortest encoding is required (RFC 6455 5.2), and a 64-bit length has its top
    // bit clear.
    if ((n == 2 && len < 126) || (n == 8 && (len <= 0xFFFF || (len >> 63) != 0))) {
      failed = fail(kProtocolError, "a frame length not in its shortest form");
      return false;
    }
  }
  std::copy(header_ + at, header_ + at + 4, mask_);
  mask_at_ = 0;
  if (opcode_ < kClose && len > max_message_ - std::min(max_message_, message_.size())) {
    failed = fail(kTooBig, "a message over the size limit");
    return false;
  }
  remaining_ = len;
  return true;
}

WsFrameReader::Event WsFrameReader::next(std::uint8_t*& data, std::size_t& size) {
  if (done_.kind != Event::Kind::need_more) return done_;
  if ((handed_ & 1) != 0) message_.clear();
  if ((handed_ & 2) != 0) control_.clear();
  handed_ = 0;
  for (;;) {
    if (!in_payload_) {
      if (size == 0) return Event{};
      header_[header_len_++] = *data++;
      --size;
      Event failed;
      if (header_len_ == 2 && !check_start(failed)) return failed;
      if (header_len_ < header_needed()) continue;
      if (!start_payload(failed)) return failed;
      header_len_ = 0;
      in_payload_ = true;
      payload_started_ = false;
      if (remaining_ == 0) {
        in_payload_ = false;
        const Event e = frame_done({});
        if (e.kind != Event::Kind::need_more) return e;
        continue;
      }
    }
    if (size == 0) return Event{};
    const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size));
    for (std::size_t i = 0; i < k; ++i) {
      data[i] ^= mask_[mask_at_];
      mask_at_ = (mask_at_ + 1) & 3;
    }
    const std::string_view chunk(reinterpret_cast<const char*>(data), k);
    data += k;
    size -= k;
    const bool whole = !payload_started_ && k == remaining_;
    remaining_ -= k;
    payload_started_ = true;
    const bool control = opcode_ >= kClose;
    // A frame whose payload is all in this read is handed as it lies, unless it continues
    // or starts a fragmented message.
    if (whole && (control || (fin_ && message_opcode_ == 0))) {
      in_payload_ = false;
      const Event e = frame_done(chunk);
      if (e.kind != Event::Kind::need_more) return e;
      continue;
    }
    (control ? control_ : message_).append(chunk);
    if (remaining_ > 0) continue;
    in_payload_ = false;
    const Event e = frame_done(control ? std::string_view(control_) : std::string_view(message_));
    if (control) handed_ |= 2;
    if (e.kind != Event::Kind::need_more) return e;
  }
}

WsFrameReader::Event WsFrameReader::frame_done(std::string_view payload) {
  Event e;
  switch (opcode_) {
    case kPing:
      e.kind = Event::Kind::ping;
      e.data = payload;
      return e;
    case kPong:
      e.kind = Event::Kind::pong;
      e.data = payload;
      return e;
    case kClose: {
      if (payload.size() == 1) return fail(kProtocolError, "a close frame with a 1-byte payload");
      std::uint16_t code = 0;
      if (payload.size() >= 2) {
        code = static_cast<std::uint16_t>(static_cast<std::uint8_t>(payload[0]) << 8 |
                                          static_cast<std::uint8_t>(payload[1]));
        if (!valid_close_code(code)) return fail(kProtocolError, "an invalid close code");
        if (!valid_utf8(payload.substr(2)))
          return fail(kProtocolError, "a close reason that is not UTF-8");
      }
      e.kind = Event::Kind::close;
      e.close_code = code;
      done_ = e;  // without the reason: later calls must not view freed bytes
      e.data = payload.size() > 2 ? payload.substr(2) : std::string_view();
      return e;
    }
    default:
      break;
  }
  // A data frame: the first or a middle fragment waits for the rest of its message.
  if (!fin_) {
    if (opcode_ != kContinuation) message_opcode_ = opcode_;
    return e;
  }
  e.kind = Event::Kind::message;
  e.binary = (message_opcode_ != 0 ? message_opcode_ : opcode_) == kBinary;
  // A fragmented message (its last fragment may be empty) or one split across reads was
  // gathered in message_.
  const bool gathered =
      message_opcode_ != 0 || (!payload.empty() && payload.data() == message_.data());
  e.data = gathered ? std::string_view(message_) : payload;
  if (gathered) handed_ |= 1;
  message_opcode_ = 0;
  return e;
}

void WsFrameReader::release_memory() noexcept {
  if (mid_message()) return;
  std::string().swap(message_);
  std::string().swap(control_);
  handed_ = 0;
}

}  // namespace gamehost::net
