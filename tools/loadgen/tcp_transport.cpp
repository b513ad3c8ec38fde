// TCP transport: frames are `u32 length | u32 id | payload`, length counting the payload only.
// Reads pull as many bytes as the kernel has and hand back every whole frame in them, so a
// pipelined reply burst costs one syscall, not two per frame.
#include <cstring>
#include <stdexcept>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "transport.hpp"
#include "wire.hpp"

namespace gamehost::loadgen {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

class TcpTransport final : public Transport {
 public:
  explicit TcpTransport(const asio::any_io_executor& executor) : socket_(executor) {}

  asio::awaitable<void> connect(const tcp::endpoint& endpoint, const std::string&) override {
    co_await socket_.async_connect(endpoint, asio::use_awaitable);
    // Small request/reply frames: waiting for Nagle would only add latency.
    socket_.set_option(tcp::no_delay(true));
  }

  asio::awaitable<std::span<const InFrame>> read_frames() override {
    frames_.clear();
    for (;;) {
      parse_buffered();
      if (!frames_.empty()) co_return std::span<const InFrame>(frames_);
      // No whole frame yet: the views handed out last time are dead, so compact freely.
      make_room();
      const std::size_t n = co_await socket_.async_read_some(
          asio::buffer(in_.data() + end_, in_.size() - end_), asio::use_awaitable);
      end_ += n;
    }
  }

  asio::awaitable<void> write_frames(std::span<const OutFrame> frames) override {
    out_.clear();
    for (const OutFrame& f : frames) {
      std::uint8_t header[kTcpHeaderBytes];
      store_u32_le(header, static_cast<std::uint32_t>(f.payload.size()));
      store_u32_le(header + 4, f.id);
      out_.insert(out_.end(), header, header + kTcpHeaderBytes);
      out_.insert(out_.end(), f.payload.begin(), f.payload.end());
    }
    co_await asio::async_write(socket_, asio::buffer(out_), asio::use_awaitable);
  }

  asio::awaitable<void> close() override {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    co_return;
  }

  void abort() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void parse_buffered() {
    while (end_ - begin_ >= kTcpHeaderBytes) {
      const std::uint8_t* p = in_.data() + begin_;
      const std::uint32_t length = load_u32_le(p);
      if (length > kMaxFrameBytes) throw std::runtime_error("frame larger than 16 MiB");
      if (end_ - begin_ < kTcpHeaderBytes + length) break;
      frames_.push_back(InFrame{load_u32_le(p + 4),
                                std::string_view(reinterpret_cast<const char*>(p + 8), length)});
      begin_ += kTcpHeaderBytes + length;
    }
  }

  // Moves a partial frame to the front and grows the buffer so a whole frame always fits.
  void make_room() {
    if (begin_ > 0) {
      std::memmove(in_.data(), in_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    std::size_t wanted = end_ + kReadChunk;
    if (end_ >= kTcpHeaderBytes) {
      wanted = std::max(wanted, kTcpHeaderBytes + load_u32_le(in_.data()));
    }
    if (in_.size() < wanted) in_.resize(wanted);
  }

  tcp::socket socket_;
  std::vector<std::uint8_t> in_;
  std::size_t begin_ = 0;  // first unconsumed byte in in_
  std::size_t end_ = 0;    // one past the last received byte in in_
  std::vector<InFrame> frames_;
  std::vector<std::uint8_t> out_;
};

}  // namespace

std::unique_ptr<Transport> make_tcp_transport(const asio::any_io_executor& executor) {
  return std::make_unique<TcpTransport>(executor);
}

}  // namespace gamehost::loadgen
