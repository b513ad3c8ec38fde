// WebSocket transport (path "/"): one binary message is `u32 id | payload`.
// The only translation unit of the load generator that includes Beast, to keep builds fast.
#include <array>
#include <chrono>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "transport.hpp"
#include "wire.hpp"

namespace gamehost::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;

class WsTransport final : public Transport {
 public:
  explicit WsTransport(const asio::any_io_executor& executor) : ws_(executor) {}

  asio::awaitable<void> connect(const tcp::endpoint& endpoint, const std::string& host) override {
    co_await ws_.next_layer().async_connect(endpoint, asio::use_awaitable);
    ws_.next_layer().set_option(tcp::no_delay(true));
    // Bound the opening and closing handshakes so a stuck server cannot hang the run;
    // no idle timeout, because a connection may legitimately wait for its start signal.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(5);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.read_message_max(kWsHeaderBytes + kMaxFrameBytes);
    const std::string host_header = host + ":" + std::to_string(endpoint.port());
    co_await ws_.async_handshake(host_header, "/", asio::use_awaitable);
    ws_.binary(true);
  }

  asio::awaitable<std::span<const InFrame>> read_frames() override {
    buffer_.clear();
    co_await ws_.async_read(buffer_, asio::use_awaitable);
    if (!ws_.got_binary()) throw std::runtime_error("text WebSocket message, expected binary");
    const auto data = buffer_.cdata();
    if (data.size() < kWsHeaderBytes) throw std::runtime_error("WebSocket message under 4 bytes");
    const auto* p = static_cast<const std::uint8_t*>(data.data());
    frame_ =
        InFrame{load_u32_le(p), std::string_view(reinterpret_cast<const char*>(p) + kWsHeaderBytes,
                                                 data.size() - kWsHeaderBytes)};
    co_return std::span<const InFrame>(&frame_, 1);
  }

  asio::awaitable<void> write_frames(std::span<const OutFrame> frames) override {
    for (const OutFrame& f : frames) {
      std::uint8_t header[kWsHeaderBytes];
      store_u32_le(header, f.id);
      const std::array<asio::const_buffer, 2> message{
          asio::buffer(header), asio::buffer(f.payload.data(), f.payload.size())};
      co_await ws_.async_write(message, asio::use_awaitable);
    }
  }

  asio::awaitable<void> close() override {
    try {
      if (ws_.is_open())
        co_await ws_.async_close(websocket::close_code::normal, asio::use_awaitable);
    } catch (const std::exception&) {
      // The server may already be gone; closing the socket below is all that matters then.
    }
    abort();
  }

  void abort() override {
    boost::system::error_code ignored;
    ws_.next_layer().close(ignored);
  }

 private:
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  InFrame frame_{};
};

}  // namespace

std::unique_ptr<Transport> make_ws_transport(const asio::any_io_executor& executor) {
  return std::make_unique<WsTransport>(executor);
}

}  // namespace gamehost::loadgen
