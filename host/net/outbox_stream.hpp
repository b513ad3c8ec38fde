// Internal header (WebSocket connections only): the layer under Beast's WebSocket stream,
// which serves only the handshake. Writes go to the connection's send queue.
#pragma once

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/role.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace gamehost::net {

// What Beast writes - the HTTP 101 answer of the handshake, or a 400 - goes into the
// connection's send queue, in order with everything else the connection writes. After the
// handshake the connection reads frames itself (WsFrameReader) and destroys the Beast
// stream; the socket is the connection's, and this layer only refers to it. Messages never
// pass through Beast: the connection frames them (a server's frames are not masked) and
// writes them like TCP frames, from the worker that produced them, so the socket has one
// writer.
class OutboxStream {
 public:
  using next_layer_type = boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                                           boost::asio::io_context::executor_type>;
  using executor_type = next_layer_type::executor_type;
  // Takes the bytes; false when the connection no longer sends (the write then fails).
  using Sink = std::function<bool(std::string bytes)>;

  // The connection's socket, which outlives this layer.
  explicit OutboxStream(next_layer_type& socket) noexcept : socket_(socket) {}

  // Set once, before the handshake starts.
  void set_sink(Sink sink) { sink_ = std::make_unique<Sink>(std::move(sink)); }

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  next_layer_type& next_layer() noexcept { return socket_; }

  // The connection reads the upgrade request itself and Beast's accept reads nothing more;
  // a plain read, for the stream concept.
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return socket_.async_read_some(buffers, std::forward<Token>(token));
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
          const bool taken = sink_ && (*sink_)(std::move(bytes));
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
  next_layer_type& socket_;
  std::unique_ptr<Sink> sink_;  // on the heap: it is only used for Beast's own few writes
};

// Beast's failure paths (a refused handshake) tear the layer below down through these. What
// Beast just wrote is still in the connection's send queue: shutting the socket now would
// lose it. The connection closes the socket itself (finish), so teardown only reports success.
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
