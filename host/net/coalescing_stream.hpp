// Internal header (WebSocket connections only): the layer under Beast's WebSocket stream that
// gathers its writes, so the messages of one batch leave in one socket write.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace gamehost::net {

// Beast writes every WebSocket message with its own async_write_some, so a batch of 16 small
// replies cost 16 system calls (and 16 TCP segments for the client to read). This stream
// takes the bytes of a write at once, completes it, and sends what has gathered with one
// socket write at a time: the messages a batch writes back to back leave together.
//
// Bounded: while more than kMaxGathered bytes wait behind the write in flight, a write is
// completed only when that write ends, so a client that does not read still fills the
// connection's send queue (and is kicked as a slow reader) instead of this buffer growing.
// A failed socket write fails every later write with its error. One thread (the
// connection's strand) uses it at a time; Beast never has two writes outstanding.
class CoalescingStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using next_layer_type = boost::asio::ip::tcp::socket;

  explicit CoalescingStream(boost::asio::ip::tcp::socket socket)
      : state_(std::make_shared<State>(std::move(socket))) {}

  executor_type get_executor() noexcept { return state_->next.get_executor(); }
  next_layer_type& next_layer() noexcept { return state_->next; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return state_->next.async_read_some(buffers, std::forward<Token>(token));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [state = state_](auto handler, const ConstBuffers& data) {
          const std::size_t n = state->error ? 0 : boost::asio::buffer_size(data);
          if (!state->error) {
            for (auto it = boost::asio::buffer_sequence_begin(data);
                 it != boost::asio::buffer_sequence_end(data); ++it) {
              const boost::asio::const_buffer b = *it;
              state->gathered.append(static_cast<const char*>(b.data()), b.size());
            }
          }
          const bool hold =
              !state->error && state->writing && state->gathered.size() > kMaxGathered;
          State::send(state);
          if (hold) {
            state->held.emplace(std::move(handler));
            state->held_bytes = n;
            return;
          }
          const auto ec = state->error;
          auto ex = boost::asio::get_associated_executor(handler, state->next.get_executor());
          boost::asio::post(ex, [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
        },
        token, buffers);
  }

 private:
  static constexpr std::size_t kMaxGathered = 256 * 1024;

  struct State {
    explicit State(boost::asio::ip::tcp::socket socket) : next(std::move(socket)) {}

    // Starts a socket write of everything gathered, unless one is in flight.
    static void send(const std::shared_ptr<State>& s) {
      if (s->writing || s->gathered.empty() || s->error) return;
      s->writing = true;
      s->sending.swap(s->gathered);
      s->gathered.clear();
      boost::asio::async_write(s->next, boost::asio::buffer(s->sending),
                               [s](const boost::system::error_code& ec, std::size_t) {
                                 s->writing = false;
                                 s->sending.clear();
                                 if (ec) s->error = ec;
                                 send(s);
                                 if (s->held) {
                                   auto h = std::move(*s->held);
                                   s->held.reset();
                                   std::move(h)(s->error, s->error ? 0 : s->held_bytes);
                                 }
                               });
    }

    boost::asio::ip::tcp::socket next;
    std::string gathered;  // written by Beast, not yet handed to the socket
    std::string sending;   // the socket write in flight
    bool writing = false;
    boost::system::error_code error;
    std::optional<boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>>
        held;
    std::size_t held_bytes = 0;
  };

  // Shared with the write in flight, which may end after the stream is gone.
  std::shared_ptr<State> state_;
};

// Beast's WebSocket close and failure paths tear the layer below down through these.
inline void teardown(boost::beast::role_type role, CoalescingStream& stream,
                     boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, CoalescingStream& stream,
                    TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace gamehost::net
