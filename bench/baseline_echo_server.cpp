// gamehost-baseline-echo: the least a server must do to answer the echo example's traffic,
// over the same framing as gamehost, so the host's benchmark numbers have an honest floor.
//
// It speaks the gamehost wire protocol (TCP `u32 length | u32 id | payload`, WebSocket
// `u32 id | payload`), greets each connection with Hello (id 4), answers EchoRequest (90000)
// with EchoReply (90001) and supports the echo plugin's groups (JoinGroup 90002 -> GroupJoined
// 90003, Shout 90004 -> ShoutHeard 90005 to every member), so the load generator treats it
// exactly like the host. It decodes and re-encodes the protobuf messages as the plugin does,
// but has no plugins, routing, queues between threads or metrics: that is the point.
//
// Threads: one io_context per thread (--threads, default one per core); each connection lives
// on one of them, so a session needs no locks. Only the group table is shared (one mutex).
#include <algorithm>
#include <array>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "echo.pb.h"
#include "gamehost/host.pb.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;

constexpr std::uint32_t kErrorId = 2;
constexpr std::uint32_t kHelloId = 4;
constexpr std::uint32_t kEchoRequestId = 90000;
constexpr std::uint32_t kEchoReplyId = 90001;
constexpr std::uint32_t kJoinGroupId = 90002;
constexpr std::uint32_t kGroupJoinedId = 90003;
constexpr std::uint32_t kShoutId = 90004;
constexpr std::uint32_t kShoutHeardId = 90005;

// Error codes of this server only; the load generator just counts error replies.
constexpr std::uint32_t kCodeUnknownId = 1;
constexpr std::uint32_t kCodeBadPayload = 2;

constexpr std::size_t kMaxFrameBytes = std::size_t{1024} * 1024;
// A client that stops reading is disconnected instead of growing our memory without bound.
constexpr std::size_t kMaxQueuedFrames = std::size_t{64} * 1024;
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

void store_u32_le(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t load_u32_le(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

struct Frame {
  std::uint32_t id;
  std::string_view payload;
};

// An outgoing message: its own bytes (a reply) or bytes shared by every receiver (a shout).
struct Outgoing {
  std::uint32_t id;
  std::string owned;
  std::shared_ptr<const std::string> shared;
  std::string_view bytes() const { return shared ? std::string_view(*shared) : owned; }
};

// --- Framing: TCP length-prefixed frames, or one WebSocket binary message per frame. ---

class TcpFraming {
 public:
  explicit TcpFraming(tcp::socket socket) : socket_(std::move(socket)) {}

  asio::awaitable<void> handshake() {
    socket_.set_option(tcp::no_delay(true));
    co_return;
  }

  // Every whole frame already received (at least one); views die at the next call.
  asio::awaitable<std::span<const Frame>> read() {
    frames_.clear();
    for (;;) {
      while (end_ - begin_ >= 8) {
        const std::uint8_t* p = in_.data() + begin_;
        const std::uint32_t length = load_u32_le(p);
        if (length > kMaxFrameBytes) throw std::runtime_error("frame too large");
        if (end_ - begin_ < 8 + length) break;
        frames_.push_back({load_u32_le(p + 4), {reinterpret_cast<const char*>(p + 8), length}});
        begin_ += 8 + length;
      }
      if (!frames_.empty()) co_return std::span<const Frame>(frames_);
      if (begin_ > 0) {  // keep only the partial frame, at the front
        std::memmove(in_.data(), in_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      if (in_.size() < end_ + kReadChunk) in_.resize(end_ + kReadChunk);
      end_ += co_await socket_.async_read_some(asio::buffer(in_.data() + end_, in_.size() - end_),
                                               asio::use_awaitable);
    }
  }

  // The whole batch in one write: a pipelining client costs one syscall per burst.
  asio::awaitable<void> write(std::span<const Outgoing> batch) {
    out_.clear();
    for (const Outgoing& o : batch) {
      const std::string_view bytes = o.bytes();
      std::uint8_t header[8];
      store_u32_le(header, static_cast<std::uint32_t>(bytes.size()));
      store_u32_le(header + 4, o.id);
      out_.insert(out_.end(), header, header + 8);
      out_.insert(out_.end(), bytes.begin(), bytes.end());
    }
    co_await asio::async_write(socket_, asio::buffer(out_), asio::use_awaitable);
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  tcp::socket socket_;
  std::vector<std::uint8_t> in_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::vector<Frame> frames_;
  std::vector<std::uint8_t> out_;
};

class WsFraming {
 public:
  explicit WsFraming(tcp::socket socket) : ws_(std::move(socket)) {}

  asio::awaitable<void> handshake() {
    ws_.next_layer().set_option(tcp::no_delay(true));
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4 + kMaxFrameBytes);
    co_await ws_.async_accept(asio::use_awaitable);
    ws_.binary(true);
  }

  asio::awaitable<std::span<const Frame>> read() {
    buffer_.clear();
    co_await ws_.async_read(buffer_, asio::use_awaitable);
    const auto data = buffer_.cdata();
    if (data.size() < 4) throw std::runtime_error("message under 4 bytes");
    const auto* p = static_cast<const std::uint8_t*>(data.data());
    frame_ = {load_u32_le(p), {reinterpret_cast<const char*>(p) + 4, data.size() - 4}};
    co_return std::span<const Frame>(&frame_, 1);
  }

  asio::awaitable<void> write(std::span<const Outgoing> batch) {
    for (const Outgoing& o : batch) {
      std::uint8_t header[4];
      store_u32_le(header, o.id);
      const std::string_view bytes = o.bytes();
      const std::array<asio::const_buffer, 2> message{asio::buffer(header),
                                                      asio::buffer(bytes.data(), bytes.size())};
      co_await ws_.async_write(message, asio::use_awaitable);
    }
  }

  void close() {
    boost::system::error_code ignored;
    ws_.next_layer().close(ignored);
  }

 private:
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  Frame frame_{};
};

// --- Sessions and groups. ---

// What the group table needs from a session, whatever its framing.
class Member {
 public:
  virtual ~Member() = default;
  // Thread-safe: runs the delivery on the member's own thread.
  virtual void deliver(std::shared_ptr<const std::string> shout_heard) = 0;
};

class Groups {
 public:
  std::uint32_t join(const std::string& group, std::shared_ptr<Member> member) {
    const std::lock_guard lock(mutex_);
    auto& members = groups_[group];
    if (std::find(members.begin(), members.end(), member) == members.end()) {
      members.push_back(std::move(member));
    }
    return static_cast<std::uint32_t>(members.size());
  }

  void leave_all(const std::vector<std::string>& groups, const Member* member) {
    const std::lock_guard lock(mutex_);
    for (const std::string& group : groups) {
      auto it = groups_.find(group);
      if (it == groups_.end()) continue;
      std::erase_if(it->second, [member](const auto& m) { return m.get() == member; });
      if (it->second.empty()) groups_.erase(it);
    }
  }

  // A copy, so deliveries happen outside the lock.
  std::vector<std::shared_ptr<Member>> members(const std::string& group) {
    const std::lock_guard lock(mutex_);
    const auto it = groups_.find(group);
    return it == groups_.end() ? std::vector<std::shared_ptr<Member>>{} : it->second;
  }

  void clear() {
    const std::lock_guard lock(mutex_);
    groups_.clear();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Member>>> groups_;
};

template <typename Framing>
class Session final : public Member, public std::enable_shared_from_this<Session<Framing>> {
 public:
  Session(tcp::socket socket, std::uint64_t id, Groups& groups)
      : executor_(socket.get_executor()),
        framing_(std::move(socket)),
        id_(id),
        groups_(groups),
        wake_(executor_) {}

  static void start(tcp::socket socket, std::uint64_t id, Groups& groups) {
    auto session = std::make_shared<Session>(std::move(socket), id, groups);
    asio::co_spawn(session->executor_, session->run(session), asio::detached);
  }

  void deliver(std::shared_ptr<const std::string> shout_heard) override {
    asio::dispatch(executor_, [self = this->shared_from_this(), bytes = std::move(shout_heard)] {
      self->enqueue(Outgoing{kShoutHeardId, {}, bytes});
    });
  }

 private:
  using Self = std::shared_ptr<Session>;

  asio::awaitable<void> run(Self self) {
    try {
      co_await framing_.handshake();
      send_hello();
      asio::co_spawn(executor_, write_loop(self), asio::detached);
      for (;;) {
        for (const Frame& frame : co_await framing_.read()) handle(frame);
      }
    } catch (const std::exception&) {
      // The client went away or broke the protocol: either way this session is over.
    }
    closed_ = true;
    wake_.cancel();
    framing_.close();
    groups_.leave_all(joined_, this);
  }

  asio::awaitable<void> write_loop(Self) {
    try {
      while (!closed_) {
        if (queue_.empty()) {
          wake_.expires_at(asio::steady_timer::time_point::max());
          co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
          continue;
        }
        batch_.swap(queue_);
        co_await framing_.write(batch_);
        batch_.clear();
      }
    } catch (const std::exception&) {
      closed_ = true;
      framing_.close();
    }
  }

  void enqueue(Outgoing out) {
    if (closed_) return;
    if (queue_.size() >= kMaxQueuedFrames) {
      closed_ = true;
      framing_.close();
      return;
    }
    queue_.push_back(std::move(out));
    if (queue_.size() == 1) wake_.cancel();
  }

  void reply(std::uint32_t id, const google::protobuf::MessageLite& message) {
    Outgoing out{id, {}, nullptr};
    message.SerializeToString(&out.owned);
    enqueue(std::move(out));
  }

  void send_error(std::uint32_t code, std::uint32_t request_id, const char* text) {
    gamehost::wire::Error error;
    error.set_code(code);
    error.set_request_id(request_id);
    error.set_text(text);
    reply(kErrorId, error);
  }

  void send_hello() {
    gamehost::wire::Hello hello;
    hello.set_host_version("baseline-echo");
    hello.set_session_id(id_);
    hello.set_max_frame_bytes(static_cast<std::uint32_t>(kMaxFrameBytes));
    auto* plugin = hello.add_plugins();
    plugin->set_name("echo");
    plugin->set_version("baseline");
    reply(kHelloId, hello);
  }

  void handle(const Frame& frame) {
    const auto* data = frame.payload.data();
    const int size = static_cast<int>(frame.payload.size());
    switch (frame.id) {
      case kEchoRequestId:
        if (!echo_request_.ParseFromArray(data, size)) break;
        echo_reply_.mutable_data()->swap(*echo_request_.mutable_data());
        reply(kEchoReplyId, echo_reply_);
        return;
      case kJoinGroupId: {
        gamehost::echo::JoinGroup join;
        if (!join.ParseFromArray(data, size)) break;
        gamehost::echo::GroupJoined joined;
        joined.set_members(groups_.join(join.group(), this->shared_from_this()));
        joined.set_group(join.group());
        joined_.push_back(join.group());
        reply(kGroupJoinedId, joined);
        return;
      }
      case kShoutId: {
        if (!shout_.ParseFromArray(data, size)) break;
        gamehost::echo::ShoutHeard heard;
        heard.set_group(shout_.group());
        heard.set_from_session(id_);
        heard.mutable_data()->swap(*shout_.mutable_data());
        // Serialized once, shared by every receiver.
        const auto bytes = std::make_shared<const std::string>(heard.SerializeAsString());
        for (const auto& member : groups_.members(shout_.group())) member->deliver(bytes);
        return;
      }
      default:
        send_error(kCodeUnknownId, frame.id, "unknown message id");
        return;
    }
    send_error(kCodeBadPayload, frame.id, "payload does not decode");
  }

  asio::any_io_executor executor_;
  Framing framing_;
  std::uint64_t id_;
  Groups& groups_;
  asio::steady_timer wake_;  // the writer sleeps on it while the queue is empty
  std::vector<Outgoing> queue_;
  std::vector<Outgoing> batch_;
  std::vector<std::string> joined_;
  bool closed_ = false;
  // Reused per message so the hot path does not allocate message objects.
  gamehost::echo::EchoRequest echo_request_;
  gamehost::echo::EchoReply echo_reply_;
  gamehost::echo::Shout shout_;
};

// --- Threads and listeners. ---

class IoPool {
 public:
  explicit IoPool(int threads) {
    for (int i = 0; i < threads; ++i) contexts_.push_back(std::make_unique<asio::io_context>(1));
  }

  asio::io_context& next() { return *contexts_[next_++ % contexts_.size()]; }
  asio::io_context& first() { return *contexts_.front(); }

  void run() {
    std::vector<std::jthread> threads;
    for (auto& io : contexts_) {
      threads.emplace_back([&io] {
        const auto guard = asio::make_work_guard(*io);
        io->run();
      });
    }
  }  // jthreads join here, after stop()

  void stop() {
    for (auto& io : contexts_) io->stop();
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::size_t next_ = 0;
};

template <typename Framing>
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, IoPool& pool, Groups& groups,
                                  std::uint64_t& next_session_id) {
  for (;;) {
    auto [ec, socket] =
        co_await acceptor.async_accept(pool.next(), asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. out of file descriptors: keep serving the connections we have
    Session<Framing>::start(std::move(socket), next_session_id++, groups);
  }
}

tcp::acceptor listen(asio::io_context& io, const std::string& address, std::uint16_t port) {
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(asio::ip::make_address(address), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gamehost baseline echo server (bench/README.md)"};
  std::string bind = "127.0.0.1";
  std::uint16_t tcp_port = 0;
  std::uint16_t ws_port = 0;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string ready_file;
  app.add_option("--bind", bind, "Listen address")->capture_default_str();
  app.add_option("--tcp-port", tcp_port, "TCP port; 0 picks a free one")->capture_default_str();
  app.add_option("--ws-port", ws_port, "WebSocket port; 0 picks a free one")->capture_default_str();
  app.add_option("--threads", threads, "I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--ready-file", ready_file,
                 "Once listening, write `tcp=PORT` and `ws=PORT` lines here (as gamehost does)");
  CLI11_PARSE(app, argc, argv);

  try {
    IoPool pool(threads);
    Groups groups;
    std::uint64_t next_session_id = 1;  // only touched by the accept loops, on pool.first()
    tcp::acceptor tcp_acceptor = listen(pool.first(), bind, tcp_port);
    tcp::acceptor ws_acceptor = listen(pool.first(), bind, ws_port);
    const auto tcp_bound = tcp_acceptor.local_endpoint().port();
    const auto ws_bound = ws_acceptor.local_endpoint().port();

    asio::co_spawn(pool.first(),
                   accept_loop<TcpFraming>(tcp_acceptor, pool, groups, next_session_id),
                   asio::detached);
    asio::co_spawn(pool.first(), accept_loop<WsFraming>(ws_acceptor, pool, groups, next_session_id),
                   asio::detached);
    asio::signal_set signals(pool.first(), SIGINT, SIGTERM);
    signals.async_wait([&pool](const boost::system::error_code&, int) { pool.stop(); });

    std::cout << "tcp=" << tcp_bound << "\nws=" << ws_bound << "\nthreads=" << threads << std::endl;
    if (!ready_file.empty()) {
      // Written whole then renamed, so a reader never sees half a file.
      const std::string temp = ready_file + ".tmp";
      std::ofstream(temp) << "tcp=" << tcp_bound << "\nws=" << ws_bound << "\n";
      std::rename(temp.c_str(), ready_file.c_str());
    }
    pool.run();
    // Sessions still in groups must go while their io_contexts exist.
    groups.clear();
  } catch (const std::exception& e) {
    std::cerr << "gamehost-baseline-echo: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
