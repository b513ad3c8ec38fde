// libFuzzer: the WebSocket message path. A client's bytes reach Beast's server-side
// websocket::stream<OutboxStream> - the host's own layer under Beast: reads from a socket
// (here one end of a socketpair), Beast's writes (the 101 answer, pongs, close frames) into
// a sink - configured as WsConnection::start_transport configures it (no Beast timeouts,
// read_message_max = ws_message_max(limit)), then read message by message as
// WsConnection::read_more reads: message_too_big ends it (a FRAME_TOO_LARGE kick), an error
// ends it, and each message goes through decode_ws_message (net/frame.hpp) - not a frame
// (text, under 4 bytes) ends it (a BAD_FRAME kick), a frame is delivered.
//
// Input: byte 0 is a mode. Even: a fixed, valid upgrade request comes first and the rest of
// the input is the client's WebSocket frames; the frames delivered must then be exactly those
// a small reference reading of RFC 6455 (below) finds, and end the same way. Odd: the rest
// of the input is the whole byte stream, the HTTP upgrade request included (sanitizers only).
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "net/frame.hpp"
#include "net/outbox_stream.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using gamehost::net::OutboxStream;

constexpr std::uint32_t kMaxPayload = 256;  // the host's limits.max_frame_bytes, small here

constexpr char kUpgrade[] =
    "GET /ws HTTP/1.1\r\nHost: gamehost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

struct Frame {
  std::uint32_t id;
  std::string payload;
  bool operator==(const Frame&) const = default;
};

enum class End { none, too_large, bad_frame, error };

struct Result {
  std::vector<Frame> frames;
  End end = End::none;
  bool accepted = false;
};

// The host's side, as WsConnection drives it.
class Harness {
 public:
  Harness(asio::io_context& io, int fd) : ws_(make_socket(io, fd)) {
    ws_.next_layer().set_sink([this](std::string bytes, bool last) {
      if (closing_) return false;  // nothing is taken after the close frame (send_raw)
      closing_ = closing_ || last;
      sent_bytes_ += bytes.size();
      return true;
    });
    ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                   websocket::stream_base::none(), false});
    ws_.read_message_max(gamehost::net::ws_message_max(kMaxPayload));
  }

  void start() {
    ws_.async_accept([this](const boost::system::error_code& ec) {
      if (ec) {
        result_.end = End::error;
        return;
      }
      result_.accepted = true;
      read_more();
    });
  }
  const Result& result() const { return result_; }

 private:
  static asio::ip::tcp::socket make_socket(asio::io_context& io, int fd) {
    asio::ip::tcp::socket s(io);
    s.assign(asio::ip::tcp::v4(), fd);  // a unix socketpair end: only read from
    return s;
  }

  void read_more() {
    ws_.async_read(buffer_, [this](const boost::system::error_code& ec, std::size_t) {
      if (ec == websocket::error::message_too_big) {
        result_.end = End::too_large;
        return;
      }
      if (ec) {  // closing already, or failed: either way the connection ends
        result_.end = End::error;
        return;
      }
      const auto data = buffer_.cdata();
      std::uint32_t id = 0;
      std::string_view payload;
      if (!gamehost::net::decode_ws_message(ws_.got_binary(),
                                            static_cast<const std::uint8_t*>(data.data()),
                                            data.size(), id, payload)) {
        result_.end = End::bad_frame;
        return;
      }
      if (payload.size() > kMaxPayload) std::abort();  // over the limit, yet delivered
      result_.frames.push_back({id, std::string(payload)});
      buffer_.consume(buffer_.size());
      read_more();
    });
  }

  websocket::stream<OutboxStream> ws_;
  beast::flat_buffer buffer_;
  bool closing_ = false;
  std::size_t sent_bytes_ = 0;
  Result result_;
};

// RFC 6455 as a server must read a client: every frame masked, no RSV bits (no extension is
// negotiated), lengths in their shortest form, control frames whole and at most 125 bytes,
// continuation only inside a fragmented message, text valid UTF-8 as far as it has come. Pings
// and pongs are answered or skipped; a close ends the stream, as does anything malformed or
// truncated. As Beast does, a 64-bit length with its top bit set is not refused as malformed
// but as over the message limit.
Result reference(const std::uint8_t* p, std::size_t n) {
  Result r;
  r.accepted = true;
  std::size_t at = 0;
  std::optional<bool> message_binary;  // set while a fragmented message is open
  std::string message;
  websocket::detail::utf8_checker utf8;
  const auto limit = gamehost::net::ws_message_max(kMaxPayload);
  while (true) {
    if (n - at < 2) break;
    const std::uint8_t b0 = p[at], b1 = p[at + 1];
    at += 2;
    const bool fin = (b0 & 0x80) != 0;
    const unsigned opcode = b0 & 0x0F;
    if ((b0 & 0x70) != 0 || (b1 & 0x80) == 0) break;
    std::uint64_t len = b1 & 0x7F;
    if (len == 126) {
      if (n - at < 2) break;
      len = std::uint64_t{p[at]} << 8 | p[at + 1];
      at += 2;
      if (len < 126) break;
    } else if (len == 127) {
      if (n - at < 8) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = len << 8 | p[at + i];
      at += 8;
      if (len < 0x10000) break;
    }
    const bool control = opcode >= 8;
    if (control && (!fin || len > 125)) break;
    if (opcode != 0 && opcode != 1 && opcode != 2 && opcode != 8 && opcode != 9 && opcode != 10)
      break;
    if (opcode == 0 && !message_binary) break;
    if ((opcode == 1 || opcode == 2) && message_binary) break;
    if (opcode == 8) break;  // close: Beast answers it and the read ends
    if (n - at < 4) break;
    const std::uint8_t* key = p + at;
    at += 4;
    // Over the message limit: refused as soon as the whole frame header is in.
    if (!control && len > limit - message.size()) {
      r.end = End::too_large;
      return r;
    }
    if (n - at < len) break;
    std::string data(reinterpret_cast<const char*>(p + at), static_cast<std::size_t>(len));
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(data[i] ^ key[i % 4]);
    at += static_cast<std::size_t>(len);
    if (control) continue;  // ping (answered with a pong) or pong
    if (opcode != 0) {
      message_binary = opcode == 2;
      utf8.reset();
    }
    if (!*message_binary && !utf8.write(reinterpret_cast<const std::uint8_t*>(data.data()),
                                        data.size()))
      break;
    message += data;
    if (!fin) continue;
    const bool binary = *message_binary;
    message_binary.reset();
    if (!binary) {
      // As Beast 1.81 reads: the end-of-message UTF-8 check runs only as the last frame's
      // payload is copied, so a text message ending with an empty final frame passes it
      // with an incomplete code point (finding 2: harmless here, a text message is kicked).
      if (len > 0 && !utf8.finish()) break;
      r.end = End::bad_frame;  // a text message
      return r;
    }
    if (message.size() < gamehost::net::kWsHeaderBytes) {
      r.end = End::bad_frame;
      return r;
    }
    r.frames.push_back({gamehost::net::get_u32le(reinterpret_cast<const std::uint8_t*>(
                            message.data())),
                        message.substr(gamehost::net::kWsHeaderBytes)});
    message.clear();
  }
  r.end = End::error;
  return r;
}

asio::io_context& io() {
  static asio::io_context context{1};
  return context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool raw = (data[0] & 1) != 0;
  std::string stream;
  if (!raw) stream = kUpgrade;
  stream.append(reinterpret_cast<const char*>(data + 1), size - 1);

  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
  // The client's bytes wait in the socket, then end (EOF): Beast reads them as they come.
  const int buffer = 1 << 20;
  ::setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  std::size_t written = 0;
  while (written < stream.size()) {
    const auto n = ::send(fds[1], stream.data() + written, stream.size() - written,
                          MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n <= 0) break;  // the socket is full: the rest is cut off (inputs are far smaller)
    written += static_cast<std::size_t>(n);
  }
  ::shutdown(fds[1], SHUT_WR);

  Result result;
  {
    Harness harness(io(), fds[0]);  // owns fds[0] from here
    harness.start();
    io().restart();
    io().run();
    result = harness.result();
  }
  ::close(fds[1]);

  static const bool verbose = std::getenv("FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "ws_message: accepted %d, %zu frames, end %d\n", result.accepted,
                 result.frames.size(), static_cast<int>(result.end));
  }
  if (!raw && written == stream.size()) {
    const auto expected = reference(data + 1, size - 1);
    if (!result.accepted || result.frames != expected.frames || result.end != expected.end) {
      std::fprintf(stderr, "ws_message: host read %zu frames (end %d), reference %zu (end %d)\n",
                   result.frames.size(), static_cast<int>(result.end), expected.frames.size(),
                   static_cast<int>(expected.end));
      std::abort();
    }
  }
  return 0;
}
