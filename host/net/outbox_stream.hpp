// Internal header (WebSocket connections only): the layer under Beast's WebSocket stream.
// Reads go to the socket; writes go to the connection's send queue.
#pragma once

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/role.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
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
      if (state_ == kHttp) {
        // The request ends at its first empty line (an upgrade request has no body).
        static constexpr char kEnd[] = "\r\n\r\n";
        const char c = static_cast<char>(*p++);
        --n;
        if (c == kEnd[pos_]) {
          if (++pos_ == 4) start_header();
        } else {
          pos_ = c == '\r' ? 1 : 0;
        }
      } else if (state_ == kHeader) {
        header_byte(*p++);
        --n;
      } else {
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n));
        p += take;
        n -= take;
        remaining_ -= take;
        if (remaining_ == 0) end_frame();
      }
    }
  }

  // True when the bytes read so far end exactly with the end of data message `messages`
  // (counted from 1): nothing of the client's is left in Beast's buffer once it has handed
  // over that many messages.
  bool all_handed_over(std::uint64_t messages) const noexcept {
    return state_ == kHeader && pos_ == 0 && (flags_ & kLastEndedMessage) != 0 &&
           messages_ == static_cast<std::uint32_t>(messages);
  }

 private:
  // Kept small: it lives in Beast's per-connection state.
  enum : std::uint8_t { kHttp, kHeader, kPayload };
  enum : std::uint8_t { kEndsMessage = 1, kLastEndedMessage = 2, kMasked = 4 };

  void start_header() noexcept {
    state_ = kHeader;
    pos_ = 0;
  }
  // RFC 6455 5.2: FIN|opcode, MASK|len7, then 2 or 8 bytes of length, then 4 of mask key.
  void header_byte(unsigned char b) noexcept {
    if (pos_ == 0) {
      // FIN on a text, binary or continuation frame ends a data message; control frames
      // (opcodes 8-15) are handled inside Beast's read.
      const bool ends = (b & 0x80) != 0 && (b & 0x0F) < 8;
      flags_ = static_cast<std::uint8_t>((flags_ & kLastEndedMessage) | (ends ? kEndsMessage : 0));
    } else if (pos_ == 1) {
      const unsigned len7 = b & 0x7F;
      if (b & 0x80) flags_ |= kMasked;
      remaining_ = len7 < 126 ? len7 : 0;
      need_ = static_cast<std::uint8_t>(2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) +
                                        ((b & 0x80) ? 4 : 0));
    } else if (pos_ < need_ - ((flags_ & kMasked) ? 4 : 0)) {
      remaining_ = (remaining_ << 8) | b;  // the extended length, network order
    }
    ++pos_;
    if (pos_ >= 2 && pos_ == need_) {
      state_ = kPayload;
      if (remaining_ == 0) end_frame();
    }
  }
  void end_frame() noexcept {
    if (flags_ & kEndsMessage) ++messages_;
    flags_ = (flags_ & kEndsMessage) ? kLastEndedMessage : 0;
    start_header();
  }

  std::uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  std::uint32_t messages_ = 0;   // data messages whose last byte has been read (mod 2^32)
  std::uint8_t state_ = kHttp;
  std::uint8_t pos_ = 0;   // bytes of "\r\n\r\n" matched (kHttp) or of the header (kHeader)
  std::uint8_t need_ = 0;  // the header's length, once its second byte is known
  std::uint8_t flags_ = 0;
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
  // The socket on its io_context's own executor type, not any_io_executor: 48 bytes less
  // in Beast's per-connection state, which then fits a smaller allocation.
  using next_layer_type =
      boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
  using executor_type = next_layer_type::executor_type;
  // Takes the bytes; false when the connection no longer sends (the write then fails).
  // `last`: the bytes are a close frame, after which nothing may be sent.
  using Sink = std::function<bool(std::string bytes, bool last)>;

  explicit OutboxStream(next_layer_type socket) : socket_(std::move(socket)) {}
  // A socket of another executor type that runs on an io_context (a test's): its descriptor
  // is moved to a socket of that context (as IPv4 TCP).
  explicit OutboxStream(boost::asio::ip::tcp::socket socket) : socket_(adopt(std::move(socket))) {}

  // Set once, before the handshake starts.
  void set_sink(Sink sink) { sink_ = std::make_unique<Sink>(std::move(sink)); }

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
          const bool taken = sink_ && (*sink_)(std::move(bytes), close_frame);
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
  static next_layer_type adopt(boost::asio::ip::tcp::socket socket) {
    auto* ex = socket.get_executor().target<executor_type>();
    if (ex == nullptr) throw std::invalid_argument("OutboxStream: the socket is not on an io_context");
    auto& context = ex->context();
    next_layer_type out(context);
    if (socket.is_open()) out.assign(boost::asio::ip::tcp::v4(), socket.release());
    return out;
  }

  next_layer_type socket_;
  std::unique_ptr<Sink> sink_;  // on the heap: it is only used for Beast's own few writes
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
