#include "net/connection.hpp"
#include "net/read_buffer.hpp"

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cerrno>

#include "core/clock.hpp"
#include "exec/batch_scope.hpp"
#include "gamehost/host.pb.h"

namespace gamehost::net {
namespace {
// How long a kicked client gets to read its Kick frame before the socket is closed anyway.
constexpr auto kKickGrace = std::chrono::seconds(2);
}  // namespace

Connection::Connection(Strand strand, ConnectionHooks& hooks, const ConnectionLimits& limits,
                       session::SessionId id, session::Transport transport, std::string ip,
                       std::uint16_t port)
    : Session(id, transport, std::move(ip), port, core::now_ms()),
      strand_(std::move(strand)),
      limits_(limits),
      hooks_(hooks),
      rate_(limits.rate_per_second, limits.rate_burst),
      idle_timer_(strand_),
      login_timer_(strand_),
      last_frame_(std::chrono::steady_clock::now()) {}

Connection::~Connection() {
  if (on_destroy_) on_destroy_();
}

void Connection::start() {
  asio::dispatch(strand_, [self = shared_from_this()] { self->start_transport(); });
}

void Connection::opened() {
  if (refusal_code_ != 0) {
    kick_on_strand(refusal_code_, *refusal_text_);
    return;
  }
  opened_ = true;
  hooks_.on_open(shared_from_this());
  arm_idle_timer();
  arm_login_timer();
}

bool Connection::is_open() const noexcept {
  return open_.load(std::memory_order_acquire);
}

void Connection::send(std::uint32_t msg_id, session::Payload payload) {
  bool start = false;
  bool overflow = false;
  {
    std::lock_guard lock(out_mutex_);
    if (closing_) return;
    if (outbox_.size() >= limits_.send_queue_frames ||
        outbox_bytes_ + payload->size() > limits_.send_queue_bytes) {
      overflow = true;
    } else {
      outbox_bytes_ += payload->size();
      outbox_.push_back(OutFrame{msg_id, std::move(payload)});
      start = !writing_;
      writing_ = writing_ || start;
    }
  }
  if (overflow) {
    kick(GH_CODE_SLOW_READER, "send queue full: the client does not read its messages");
  } else if (start) {
    // On a worker, the write happens there when its batch ends: one write for every reply of
    // the batch, and no wake-up of the network thread.
    if (exec::BatchScope::defer([self = shared_from_this()] { self->flush_from_worker(); })) {
      return;
    }
    asio::post(strand_, [self = shared_from_this()] { self->start_writing_on_strand(); });
  }
}

void Connection::flush_from_worker() {
  std::shared_ptr<std::string> rest;
  bool failed = false;
  bool close_after = false;
  {
    // Held across the write: finish() marks the transport closed under this lock before it
    // closes the socket, so the descriptor written to is never a closed (or reused) one.
    std::lock_guard lock(out_mutex_);
    if (transport_closed_) {
      outbox_.clear();
      outbox_bytes_ = 0;
      writing_ = false;
      return;
    }
    direct_.swap(outbox_);
    outbox_.clear();
    outbox_bytes_ = 0;
    const auto written = write_now(direct_);
    if (written < 0) {
      failed = true;
    } else {
      auto skip = static_cast<std::size_t>(written);
      for (const auto& f : direct_) {
        const auto size = wire_size(f);
        if (skip >= size) {
          skip -= size;
          continue;
        }
        if (!rest) rest = std::make_shared<std::string>();
        const std::string_view header(reinterpret_cast<const char*>(f.header.data()), f.header_len);
        if (skip < header.size()) {
          rest->append(header.substr(skip));
          rest->append(*f.payload);
        } else {
          rest->append(*f.payload, skip - header.size());
        }
        skip = 0;
      }
    }
    direct_.clear();
    if (!failed && !rest) {
      writing_ = false;  // all out; the next send claims the writer role again
      close_after = closing_;
    }
  }
  if (failed) {
    asio::post(strand_, [self = shared_from_this()] { self->finish(); });
  } else if (rest) {
    // The socket's buffer is full (a slow reader): the strand writes the rest asynchronously
    // and goes on with the queue, as if it had written all of it.
    spdlog::debug("session {}: socket full, {} bytes left to the network thread", id(),
                  rest->size());
    asio::post(strand_, [self = shared_from_this(), rest] { self->write_rest(rest); });
  } else if (close_after) {
    asio::post(strand_, [self = shared_from_this()] { self->finish(); });  // the Kick is out
  }
}

bool Connection::send_raw(std::string bytes, bool last) {
  bool start = false;
  bool overflow = false;
  {
    std::lock_guard lock(out_mutex_);
    if (closing_ || transport_closed_) return false;
    if (outbox_.size() >= limits_.send_queue_frames ||
        outbox_bytes_ + bytes.size() > limits_.send_queue_bytes) {
      overflow = true;
    } else {
      outbox_bytes_ += bytes.size();
      outbox_.push_back(OutFrame{0, session::make_payload(std::move(bytes)), true});
      // Nothing may follow the last frame; once it is out the connection ends (as after
      // a Kick), and a client that does not read gets the same grace.
      if (last) closing_ = true;
      start = !writing_;
      writing_ = writing_ || start;
    }
  }
  if (last && !overflow) close_after_grace();
  if (overflow) {
    // Posted: this runs inside the transport's own write, which must complete first.
    asio::post(strand_, [self = shared_from_this()] {
      self->kick_on_strand(GH_CODE_SLOW_READER,
                           "send queue full: the client does not read its messages");
    });
    return true;
  }
  if (start) start_writing_on_strand();  // on the strand already: the bytes leave now
  return true;
}

namespace {
// Replies up to this many bytes in all are copied into one buffer and sent as one piece:
// the kernel copies one buffer faster than dozens of small headers and payloads given as
// separate iovecs (TCP echo +5 %: bench/README.md). Larger batches go as iovecs.
constexpr std::size_t kCoalesceBytes = std::size_t{16} * 1024;
// At most IOV_MAX buffers in one call; what does not fit is "the rest" of a write.
constexpr std::size_t kMaxIov = 1024;

std::ptrdiff_t send_nonblocking(int fd, const msghdr& msg) {
  while (true) {
    const auto sent = ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return sent;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -1;
  }
}
}  // namespace

std::ptrdiff_t Connection::write_now(std::vector<OutFrame>& frames) {
  // Every header first, even of frames past the iovec limit: the caller copies what is not
  // written, headers included, for the network thread to finish.
  std::size_t total = 0;
  for (auto& f : frames) {
    if (!f.raw) frame_header(f);
    total += wire_size(f);
  }
  const int fd = socket().native_handle();
  msghdr msg{};
  if (total <= kCoalesceBytes) {
    thread_local std::string buffer;
    buffer.clear();
    for (const auto& f : frames) {
      buffer.append(reinterpret_cast<const char*>(f.header.data()), f.header_len);
      buffer.append(*f.payload);
    }
    iovec one{buffer.data(), buffer.size()};
    msg.msg_iov = &one;
    msg.msg_iovlen = 1;
    return send_nonblocking(fd, msg);
  }
  std::array<iovec, kMaxIov> iov{};
  std::size_t n = 0;
  for (auto& f : frames) {
    if (n + 2 > kMaxIov) break;
    if (f.header_len != 0) iov[n++] = {f.header.data(), f.header_len};
    if (!f.payload->empty()) iov[n++] = {const_cast<char*>(f.payload->data()), f.payload->size()};
  }
  msg.msg_iov = iov.data();
  msg.msg_iovlen = n;
  return send_nonblocking(fd, msg);
}

void Connection::write_batch(std::vector<OutFrame>& batch) {
  write_buffers_.clear();
  write_buffers_.reserve(batch.size() * 2);
  for (auto& f : batch) {
    if (!f.raw) frame_header(f);
    if (f.header_len != 0) write_buffers_.emplace_back(asio::buffer(f.header.data(), f.header_len));
    if (!f.payload->empty()) write_buffers_.emplace_back(asio::buffer(*f.payload));
  }
  asio::async_write(socket(), write_buffers_,
                    asio::bind_executor(strand_, [self = shared_from_this()](
                                                     const boost::system::error_code& ec,
                                                     std::size_t) { self->write_done(ec); }));
}

void Connection::write_rest(const std::shared_ptr<std::string>& bytes) {
  asio::async_write(socket(), asio::buffer(*bytes),
                    asio::bind_executor(strand_, [self = shared_from_this(), bytes](
                                                     const boost::system::error_code& ec,
                                                     std::size_t) { self->write_done(ec); }));
}

void Connection::start_writing_on_strand() {
  {
    std::lock_guard lock(out_mutex_);
    if (outbox_.empty() || finished_) {
      writing_ = false;
      return;
    }
    in_flight_.swap(outbox_);
    outbox_.clear();
    outbox_bytes_ = 0;
  }
  write_batch(in_flight_);
}

void Connection::write_done(const boost::system::error_code& ec) {
  in_flight_.clear();
  if (ec) {
    finish();
    return;
  }
  bool more = false;
  bool close_now = false;
  {
    std::lock_guard lock(out_mutex_);
    more = !outbox_.empty();
    if (!more) {
      writing_ = false;
      close_now = closing_;
    }
  }
  if (more) {
    start_writing_on_strand();
  } else if (close_now) {
    finish();  // the Kick frame is out
  }
}

void Connection::kick(std::uint32_t code, const std::string& text) {
  asio::dispatch(strand_,
                 [self = shared_from_this(), code, text] { self->kick_on_strand(code, text); });
}

void Connection::kick_on_strand(std::uint32_t code, const std::string& text) {
  if (finished_) return;
  wire::Kick kick;
  kick.set_code(code);
  kick.set_text(text);
  bool start = false;
  {
    std::lock_guard lock(out_mutex_);
    if (closing_) return;
    closing_ = true;
    // A client that does not read will not read what is queued either: drop it, so the
    // memory goes now and the notice is next in line.
    if (code == GH_CODE_SLOW_READER) {
      outbox_.clear();
      outbox_bytes_ = 0;
    }
    // The notice goes after what is queued, past the queue limit: it is the last frame.
    outbox_.push_back(
        OutFrame{session::host_ids::kKick, session::make_payload(kick.SerializeAsString())});
    start = !writing_;
    writing_ = true;
  }
  spdlog::debug("session {} ({}) kicked: code {} {}", id(), remote_address(), code, text);
  if (start) start_writing_on_strand();
  close_after_grace();
}

void Connection::close_after_grace() {
  // On the login timer: this replaces the login deadline, moot once closing (docs above).
  login_timer_.expires_after(kKickGrace);
  login_timer_.async_wait(
      long_lived([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) self->finish();
      }));
}

void Connection::close() {
  asio::dispatch(strand_, [self = shared_from_this()] { self->finish(); });
}

bool Connection::handle_frame(std::uint32_t msg_id, std::string_view payload) {
  if (closing_.load(std::memory_order_acquire)) return false;
  last_frame_ = read_time_;
  if (!rate_.try_take(last_frame_)) {
    send_error(GH_CODE_RATE_LIMITED, msg_id, "over the message rate limit; message dropped");
    hooks_.on_refused(GH_CODE_RATE_LIMITED);
    return true;
  }
  hooks_.on_frame(*this, msg_id, payload);
  return true;
}

void Connection::arm_idle_timer() {
  const auto timeout = std::chrono::milliseconds(limits_.idle_timeout_ms);
  idle_timer_.expires_at(last_frame_ + timeout);
  idle_timer_.async_wait(
      long_lived([self = shared_from_this(), timeout](const boost::system::error_code& ec) {
        if (ec || self->finished_) return;
        if (std::chrono::steady_clock::now() - self->last_frame_ >= timeout) {
          self->kick_on_strand(GH_CODE_IDLE_TIMEOUT, "no message within the idle timeout");
        } else {
          self->arm_idle_timer();
        }
      }));
}

// Heartbeats keep a session from the idle timeout, not from this one: a client that never
// logs in holds a connection (and its memory) only this long.
void Connection::arm_login_timer() {
  if (limits_.login_timeout_ms == 0) return;
  login_timer_.expires_after(std::chrono::milliseconds(limits_.login_timeout_ms));
  login_timer_.async_wait(
      long_lived([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->finished_ || self->user() != 0) return;
        self->kick_on_strand(GH_CODE_LOGIN_TIMEOUT, "not logged in within the login timeout");
      }));
}

void Connection::read_more() {
  if (closing()) return;
  socket().async_wait(
      asio::ip::tcp::socket::wait_read,
      long_lived(asio::bind_executor(
          strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec && self->closing()) return;  // closed by finish(), or ending anyway
            if (ec) {
              self->finish();
              return;
            }
            self->read_available();
          })));
}

void Connection::read_available() {
  for (int reads = 0; reads < kMaxReadsPerWake; ++reads) {
    std::size_t n = 0;
    const auto result = read_now(socket().native_handle(), n);
    if (result == ReadResult::would_block) break;
    if (result != ReadResult::data) {
      read_ended(result == ReadResult::end);
      return;
    }
    mark_read();
    if (!consume(thread_read_buffer(), n)) return;
    if (n < kThreadReadBufferBytes) break;  // the socket is empty for now
  }
  release_read_memory();
  read_more();
}

void Connection::finish() {
  if (finished_) return;
  finished_ = true;
  open_.store(false, std::memory_order_release);
  {
    std::lock_guard lock(out_mutex_);
    closing_ = true;
    transport_closed_ = true;
    outbox_.clear();
    outbox_bytes_ = 0;
  }
  idle_timer_.cancel();
  login_timer_.cancel();
  shutdown_transport();
  if (opened_) hooks_.on_close(shared_from_this());
}

}  // namespace gamehost::net
