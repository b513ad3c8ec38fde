// Internal header (WebSocket connections only): the layer under Beast's WebSocket stream.
// Reads go to the socket; writes go to the connection's send queue.
#pragma once

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/role.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace gamehost::net {

// Follows the client's bytes as Beast reads them - the HTTP upgrade request, then the
// WebSocket frames, by their headers - to tell when everything Beast has read so far ends
// with the end of a data message. If the connection has been handed as many messages as
// the tracker counted, Beast's own read buffer is then empty: the connection may wait for
// the socket to become readable without a Beast read pending (its read state and the read
// buffer are an idle session's largest cost). It only reads headers; Beast still checks
// and decodes everything.
class ReadTracker {
 public:
  void feed(const unsigned char* p, std::size_t n) noexcept {
    while (n > 0) {
      switch (state_) {
        case State::http: {
          // The request ends at its first empty line (an upgrade request has no body).
          static constexpr char kEnd[] = "\r\n\r\n";
          const char c = static_cast<char>(*p++);
          --n;
          if (c == kEnd[match_]) {
            if (++match_ == 4) start_header();
          } else {
            match_ = c == '\r' ? 1 : 0;
          }
          break;
        }
        case State::header:
          header_[header_len_++] = *p++;
          --n;
          if (header_len_ == 2) {
            const unsigned len7 = header_[1] & 0x7F;
            header_need_ = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((header_[1] & 0x80) ? 4 : 0);
          }
          if (header_len_ >= 2 && header_len_ == header_need_) begin_payload();
          break;
        case State::payload: {
          const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n));
          p += take;
          n -= take;
          remaining_ -= take;
          if (remaining_ == 0) end_frame();
          break;
        }
      }
    }
  }

  // True when the bytes read so far end exactly with the end of data message `messages`
  // (counted from 1): nothing of the client's is left in Beast's buffer once it has handed
  // over that many messages.
  bool all_handed_over(std::uint64_t messages) const noexcept {
    return state_ == State::header && header_len_ == 0 && last_ended_message_ &&
           messages_ == messages;
  }

 private:
  enum class State : std::uint8_t { http, header, payload };

  void start_header() noexcept {
    state_ = State::header;
    header_len_ = 0;
  }
  void begin_payload() noexcept {
    const unsigned len7 = header_[1] & 0x7F;
    std::uint64_t len = len7;
    if (len7 == 126) {
      len = (std::uint64_t{header_[2]} << 8) | header_[3];
    } else if (len7 == 127) {
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | header_[2 + i];
    }
    // FIN set on a text, binary or continuation frame: a data message ends with it.
    // Control frames (opcodes 8-15) are handled inside Beast's read.
    ends_message_ = (header_[0] & 0x80) != 0 && (header_[0] & 0x0F) < 8;
    remaining_ = len;
    state_ = State::payload;
    if (remaining_ == 0) end_frame();
  }
  void end_frame() noexcept {
    if (ends_message_) ++messages_;
    last_ended_message_ = ends_message_;
    start_header();
  }

  std::uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  std::uint64_t messages_ = 0;   // data messages whose last byte has been read
  State state_ = State::http;
  std::uint8_t match_ = 0;  // of "\r\n\r\n" (State::http)
  std::uint8_t header_len_ = 0;
  std::uint8_t header_need_ = 0;
  bool ends_message_ = false;
  bool last_ended_message_ = false;
  std::uint8_t header_[14] = {};
};

// Beast's read handler, with the bytes read shown to the tracker first. Its executor,
// allocator and cancellation slot are the handler's (the associator below).
template <class Handler, class Buffers>
struct TrackedRead {
  Handler handler;
  Buffers buffers;
  ReadTracker* tracker;

  void operator()(const boost::system::error_code& ec, std::size_t n) {
    std::size_t left = n;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         left > 0 && it != boost::asio::buffer_sequence_end(buffers); ++it) {
      const boost::asio::mutable_buffer b = *it;
      const std::size_t k = std::min(left, b.size());
      tracker->feed(static_cast<const unsigned char*>(b.data()), k);
      left -= k;
    }
    std::move(handler)(ec, n);
  }
};

// Beast reads WebSocket frames through this stream (straight from the socket) and writes
// what it writes itself - the handshake's HTTP answer, pongs, close frames - into the
// connection's send queue, where they leave in order with the messages. The messages
// themselves never pass through Beast on the way out: the connection frames them (a
// server's frames are not masked) and writes them like TCP frames, from the worker that
// produced them. So the socket has one writer, the connection, and Beast's bytes cannot
// interleave with a worker's write.
class OutboxStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using next_layer_type = boost::asio::ip::tcp::socket;
  // Takes the bytes; false when the connection no longer sends (the write then fails).
  // `last`: the bytes are a close frame, after which nothing may be sent.
  using Sink = std::function<bool(std::string bytes, bool last)>;

  explicit OutboxStream(boost::asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

  // Set once, before the handshake starts.
  void set_sink(Sink sink) { sink_ = std::move(sink); }

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  next_layer_type& next_layer() noexcept { return socket_; }

  // What Beast has read, as far as message boundaries go (see ReadTracker).
  const ReadTracker& tracker() const noexcept { return tracker_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& into) {
          socket_.async_read_some(
              into, TrackedRead<std::decay_t<decltype(handler)>, MutableBuffers>{
                        std::move(handler), into, &tracker_});
        },
        token, buffers);
  }

  // Completes at once: the bytes are queued, and queued bytes are the connection's to write.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& data) {
          std::string bytes;
          bytes.reserve(boost::asio::buffer_size(data));
          for (auto it = boost::asio::buffer_sequence_begin(data);
               it != boost::asio::buffer_sequence_end(data); ++it) {
            const boost::asio::const_buffer b = *it;
            bytes.append(static_cast<const char*>(b.data()), b.size());
          }
          const std::size_t n = bytes.size();
          // Beast writes a control frame whole, in one call; a server's close frame starts
          // with 0x88 (FIN, opcode 8: RFC 6455 5.2). An HTTP answer starts with 'H'.
          constexpr unsigned char kFinClose = 0x88;
          const bool close_frame =
              !bytes.empty() && static_cast<unsigned char>(bytes[0]) == kFinClose;
          const bool taken = sink_ && sink_(std::move(bytes), close_frame);
          const boost::system::error_code ec =
              taken ? boost::system::error_code{} : boost::asio::error::broken_pipe;
          auto ex = boost::asio::get_associated_executor(handler, socket_.get_executor());
          boost::asio::post(ex, [h = std::move(handler), ec, n = taken ? n : 0]() mutable {
            std::move(h)(ec, n);
          });
        },
        token, buffers);
  }

 private:
  boost::asio::ip::tcp::socket socket_;
  Sink sink_;
  ReadTracker tracker_;
};

}  // namespace gamehost::net

namespace boost::asio {
template <template <class, class> class Associator, class Handler, class Buffers,
          class DefaultCandidate>
struct associator<Associator, gamehost::net::TrackedRead<Handler, Buffers>, DefaultCandidate> {
  using type = typename Associator<Handler, DefaultCandidate>::type;
  static type get(
      const gamehost::net::TrackedRead<Handler, Buffers>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler);
  }
  static auto get(const gamehost::net::TrackedRead<Handler, Buffers>& h,
                  const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
    return Associator<Handler, DefaultCandidate>::get(h.handler, c);
  }
};
}  // namespace boost::asio

namespace gamehost::net {

// Beast's WebSocket close and failure paths tear the layer below down through these. The
// close frame Beast just wrote is still in the connection's send queue, possibly behind
// replies: shutting the socket now would lose it. The connection closes the socket itself
// once its queue is out (send_raw with `last`), so teardown here only reports success.
inline void teardown(boost::beast::role_type /*role*/, OutboxStream& /*stream*/,
                     boost::system::error_code& ec) {
  ec = {};
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type /*role*/, OutboxStream& stream,
                    TeardownHandler&& handler) {
  auto ex = boost::asio::get_associated_executor(handler, stream.get_executor());
  boost::asio::post(ex, [h = std::forward<TeardownHandler>(handler)]() mutable {
    std::move(h)(boost::system::error_code{});
  });
}

}  // namespace gamehost::net
