// libFuzzer: the WebSocket message path. After the handshake the host reads a client's
// frames with net::WsFrameReader, as WsConnection::consume does: each message through
// decode_ws_message (net/frame.hpp) - not a frame (text, under 4 bytes) ends it (a BAD_FRAME
// kick), a frame is delivered -, pings and pongs read on, a close frame or a violation
// (1002) or an oversize message (1009) ends it.
//
// Input: byte 0 is a mode. Even: byte 1 chooses how the rest - the client's WebSocket
// frames - is cut into reads (0: one read; else reads of 1-64 bytes from a small generator
// seeded by it); the frames delivered and how the stream ends must be exactly those of a
// small reference reading of RFC 6455 (below), written apart from the reader, with Beast's
// UTF-8 checker for close reasons. Odd: the rest is an HTTP upgrade request for Beast's
// request parser with the WebSocket listener's limits, as WsConnection::start_transport
// reads it (sanitizers only).
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/detail/utf8_checker.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "net/frame.hpp"
#include "net/ws_frame_reader.hpp"

namespace {

namespace beast = boost::beast;
using gamehost::net::WsFrameReader;

constexpr std::uint32_t kMaxPayload = 256;  // the host's limits.max_frame_bytes, small here

struct Frame {
  std::uint32_t id;
  std::string payload;
  bool operator==(const Frame&) const = default;
};

enum class End { none, truncated, too_large, bad_frame, protocol_error, closed };

struct Result {
  std::vector<Frame> frames;
  End end = End::none;
  std::uint16_t close_code = 0;  // closed: the client's code (0: none)
  bool operator==(const Result&) const = default;
};

// The host's side, read by read.
Result host_reading(std::string bytes, std::uint8_t cut_seed) {
  WsFrameReader reader(gamehost::net::ws_message_max(kMaxPayload));
  Result r;
  std::uint32_t state = cut_seed;
  std::size_t at = 0;
  while (at < bytes.size()) {
    std::size_t n = bytes.size() - at;
    if (cut_seed != 0) {
      state = state * 1103515245u + 12345u;
      n = std::min<std::size_t>(n, 1 + (state >> 16) % 64);
    }
    auto* p = reinterpret_cast<std::uint8_t*>(bytes.data()) + at;
    at += n;
    for (;;) {
      const auto e = reader.next(p, n);
      using Kind = WsFrameReader::Event::Kind;
      if (e.kind == Kind::need_more) {
        if (n != 0) std::abort();  // need_more consumes every byte given
        break;
      }
      if (e.kind == Kind::ping || e.kind == Kind::pong) {
        if (e.data.size() > 125) std::abort();
        continue;
      }
      if (e.kind == Kind::close) {
        r.end = End::closed;
        r.close_code = e.close_code;
        return r;
      }
      if (e.kind == Kind::fail) {
        r.end = e.close_code == WsFrameReader::kTooBig ? End::too_large : End::protocol_error;
        if (e.close_code != WsFrameReader::kTooBig && e.close_code != WsFrameReader::kProtocolError)
          std::abort();
        return r;
      }
      std::uint32_t id = 0;
      std::string_view payload;
      if (!gamehost::net::decode_ws_message(e.binary,
                                            reinterpret_cast<const std::uint8_t*>(e.data.data()),
                                            e.data.size(), id, payload)) {
        r.end = End::bad_frame;
        return r;
      }
      if (payload.size() > kMaxPayload) std::abort();  // over the limit, yet delivered
      r.frames.push_back({id, std::string(payload)});
    }
  }
  r.end = reader.mid_message() ? End::truncated : End::none;
  return r;
}

bool valid_close_code(unsigned code) {
  // RFC 6455 7.4.1 and 7.4.2: 1004-1006 and 1015 are never sent, 1016-2999 are reserved,
  // 1014 is not one Beast takes either.
  if (code < 1000 || (code >= 1004 && code <= 1006) || (code >= 1014 && code <= 2999)) return false;
  return true;
}

// RFC 6455 as a server must read a client: every frame masked, no RSV bits (no extension is
// negotiated), known opcodes, control frames whole and at most 125 bytes, continuation only
// inside a fragmented message, lengths in their shortest form and a 64-bit one under 2^63,
// a message no longer than the limit (known from the header), a close payload of 0 or 2+
// bytes with a valid code and a UTF-8 reason. Text messages are not checked for UTF-8: the
// host refuses them whatever they hold.
Result reference(const std::uint8_t* p, std::size_t n) {
  Result r;
  std::size_t at = 0;
  std::optional<bool> message_binary;  // set while a fragmented message is open
  std::string message;
  const auto limit = gamehost::net::ws_message_max(kMaxPayload);
  auto truncated = [&] {
    r.end = End::truncated;
    return r;
  };
  auto violation = [&] {
    r.end = End::protocol_error;
    return r;
  };
  while (true) {
    if (at == n) {
      r.end = message_binary ? End::truncated : End::none;
      return r;
    }
    if (n - at < 2) return truncated();
    const std::uint8_t b0 = p[at], b1 = p[at + 1];
    at += 2;
    const bool fin = (b0 & 0x80) != 0;
    const unsigned opcode = b0 & 0x0F;
    const bool control = opcode >= 8;
    if ((b0 & 0x70) != 0 || (b1 & 0x80) == 0) return violation();
    if (control && (opcode > 10 || !fin || (b1 & 0x7F) > 125)) return violation();
    if (!control && opcode > 2) return violation();
    if (opcode == 0 && !message_binary) return violation();
    if ((opcode == 1 || opcode == 2) && message_binary) return violation();
    std::uint64_t len = b1 & 0x7F;
    if (len == 126) {
      if (n - at < 2) return truncated();
      len = std::uint64_t{p[at]} << 8 | p[at + 1];
      at += 2;
    } else if (len == 127) {
      if (n - at < 8) return truncated();
      len = 0;
      for (int i = 0; i < 8; ++i) len = len << 8 | p[at + i];
      at += 8;
    }
    if (n - at < 4) return truncated();
    const std::uint8_t* key = p + at;
    at += 4;
    if (((b1 & 0x7F) == 126 && len < 126) || ((b1 & 0x7F) == 127 && (len < 0x10000 || len >> 63)))
      return violation();
    if (!control && len > limit - message.size()) {
      r.end = End::too_large;
      return r;
    }
    if (n - at < len) return truncated();
    std::string data(reinterpret_cast<const char*>(p + at), static_cast<std::size_t>(len));
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(data[i] ^ key[i % 4]);
    at += static_cast<std::size_t>(len);
    if (opcode == 9 || opcode == 10) continue;  // a ping (answered) or a pong
    if (opcode == 8) {
      if (data.size() == 1) return violation();
      unsigned code = 0;
      if (data.size() >= 2) {
        code = static_cast<std::uint8_t>(data[0]) << 8 | static_cast<std::uint8_t>(data[1]);
        if (!valid_close_code(code)) return violation();
        if (!beast::websocket::detail::check_utf8(data.data() + 2, data.size() - 2))
          return violation();
      }
      r.end = End::closed;
      r.close_code = static_cast<std::uint16_t>(code);
      return r;
    }
    if (opcode != 0) message_binary = opcode == 2;
    message += data;
    if (!fin) continue;
    const bool binary = *message_binary;
    message_binary.reset();
    if (!binary || message.size() < gamehost::net::kWsHeaderBytes) {
      r.end = End::bad_frame;
      return r;
    }
    r.frames.push_back(
        {gamehost::net::get_u32le(reinterpret_cast<const std::uint8_t*>(message.data())),
         message.substr(gamehost::net::kWsHeaderBytes)});
    message.clear();
  }
}

void parse_request(const std::uint8_t* p, std::size_t n) {
  beast::http::request_parser<beast::http::empty_body> parser;
  parser.header_limit(8 * 1024);  // WsConnection::kMaxRequestHeaderBytes
  parser.body_limit(0);
  parser.eager(true);
  beast::error_code ec;
  std::size_t at = 0;
  while (at < n && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(p + at, n - at), ec);
    if (ec == beast::http::error::need_more && used == 0) break;
    if (ec && ec != beast::http::error::need_more) return;
    at += used;
  }
  if (parser.is_done()) (void)beast::websocket::is_upgrade(parser.get());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  if ((data[0] & 1) != 0) {
    parse_request(data + 1, size - 1);
    return 0;
  }
  const std::string bytes(reinterpret_cast<const char*>(data + 2), size - 2);
  const Result host = host_reading(bytes, data[1]);
  static const bool verbose = std::getenv("FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "ws_message: %zu frames, end %d (close code %u)\n", host.frames.size(),
                 static_cast<int>(host.end), host.close_code);
  }
  const Result expected = reference(data + 2, size - 2);
  if (!(host == expected)) {
    std::fprintf(stderr, "ws_message: host read %zu frames (end %d), reference %zu (end %d)\n",
                 host.frames.size(), static_cast<int>(host.end), expected.frames.size(),
                 static_cast<int>(expected.end));
    std::abort();
  }
  return 0;
}
