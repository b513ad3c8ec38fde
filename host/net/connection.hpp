// Internal header (network code only): what TCP and WebSocket connections share - the
// bounded send queue and its writing, kick-then-close, the idle timeout and the rate limit.
// Frames are written by the worker whose batch produced them, at the end of the batch, as
// far as the socket takes them without blocking; the connection's network thread writes
// the rest, and everything queued outside a worker's batch. The transports only frame a
// message (frame_header) and read.
#pragma once

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "net/hooks.hpp"
#include "net/token_bucket.hpp"
#include "session/session.hpp"

namespace gamehost::net {

namespace asio = boost::asio;
// Each connection lives on one network thread's own io_context (one thread per context), so
// the context's executor runs the connection's handlers one at a time, as a strand would,
// without a strand's lock on every handler.
using Strand = asio::io_context::executor_type;
// A connection's socket and timers, typed on that executor (smaller and cheaper than
// any_io_executor; every session holds them).
using Socket = asio::basic_stream_socket<asio::ip::tcp, Strand>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Strand>;

// The allocator of operations an idle session keeps pending for a long time (its idle and
// login timers, the WebSocket wait for readability): each gets a block of its own size.
// Asio's default recycling allocator may hand them a larger block cached from an earlier,
// short-lived operation (the handshake's write, say: 448-512 bytes), which an idle session
// would then hold for as long as it stays.
template <class T = void>
struct ExactAllocator {
  using value_type = T;
  ExactAllocator() noexcept = default;
  template <class U>
  ExactAllocator(const ExactAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
  template <class U>
  bool operator==(const ExactAllocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const ExactAllocator<U>&) const noexcept {
    return false;
  }
};
template <class Handler>
auto long_lived(Handler&& handler) {
  return asio::bind_allocator(ExactAllocator<>(), std::forward<Handler>(handler));
}

class Connection : public session::Session, public std::enable_shared_from_this<Connection> {
 public:
  Connection(Strand strand, ConnectionHooks& hooks, const ConnectionLimits& limits,
             session::SessionId id, session::Transport transport, std::string ip,
             std::uint16_t port);
  ~Connection() override;

  // Runs when the connection object goes (returns the admission slot it holds).
  void on_destroy(std::function<void()> fn) { on_destroy_ = std::move(fn); }

  // Starts the transport (handshake, reading). Thread-safe; runs on the strand.
  void start();
  // Before start(): once the transport is up, send a Kick with code/text and close, without
  // ever opening a session (used when the server or the address is full).
  bool refused() const noexcept { return refusal_code_ != 0; }
  void refuse(std::uint32_t code, std::string text) {
    refusal_code_ = code;
    refusal_text_ = std::make_unique<std::string>(std::move(text));
  }

  void send(std::uint32_t msg_id, session::Payload payload) override;
  void kick(std::uint32_t code, const std::string& text) override;
  void close() override;
  bool is_open() const noexcept override;

 protected:
  struct OutFrame {
    std::uint32_t msg_id;
    session::Payload payload;
    // Bytes the transport wrote itself (the WebSocket handshake answer, control frames):
    // they go out as they are, in order with the messages.
    bool raw = false;
    std::uint8_t header_len = 0;            // set by frame_header()
    std::array<std::uint8_t, 16> header{};  // the transport's framing of this message
  };

  // On the strand: begin the transport; call opened() once it can carry frames.
  virtual void start_transport() = 0;
  // Any thread, under out_mutex_: write the framing of message frame `f` into f.header.
  virtual void frame_header(OutFrame& f) const noexcept = 0;
  // The socket replies are written to (by workers, non-blocking, and by the strand).
  virtual Socket& socket() noexcept = 0;
  // On the strand: close the socket; pending operations then complete with errors.
  virtual void shutdown_transport() = 0;

  // On the strand: bytes the transport itself must write (see OutFrame::raw). Counted
  // against the send queue like messages. False once the connection is closing. `last`:
  // nothing may follow them (a WebSocket close frame); the connection ends once they are out.
  bool send_raw(std::string bytes, bool last = false);
  // True once no more frames are taken (kicked, closing, or a last frame queued).
  bool closing() const noexcept { return closing_.load(std::memory_order_acquire); }
  void opened();
  void write_done(const boost::system::error_code& ec);
  // On the strand: one frame from the client. Returns false once the connection is closing.
  bool handle_frame(std::uint32_t msg_id, std::string_view payload);
  // On the strand: the transport ended (error, EOF or shutdown).
  void finish();
  // On the strand, once the transport carries frames: waits until the socket is readable
  // (holding no read buffer and no read operation but this wait: what an idle session
  // costs), then reads what is there into the network thread's buffer (net/read_buffer.hpp)
  // and hands it to consume(), until the transport stops reading.
  void read_more();
  // The transport's decoding of `n` bytes read (it may modify them). False: stop reading.
  virtual bool consume(std::uint8_t* data, std::size_t n) = 0;
  // The client's stream ended (`eof`) or failed.
  virtual void read_ended(bool eof) = 0;
  // After a batch of reads: frees what decoding keeps, if nothing is cut off.
  virtual void release_read_memory() noexcept = 0;
  // On the strand.
  void kick_on_strand(std::uint32_t code, const std::string& text);
  // On the strand: finish() in kKickGrace unless the connection ends before.
  void close_after_grace();
  void count_refused(std::uint32_t code) { hooks_.on_refused(code); }
  // Before opened() only: the timer the transport's handshake deadline may use (the idle
  // timer's; opened() re-arms it for the idle timeout, which cancels the handshake wait).
  Timer& handshake_timer() noexcept { return idle_timer_; }

  Strand strand_;
  const ConnectionLimits limits_;

 private:
  void read_available();
  void start_writing_on_strand();
  // On a worker, at the end of its batch: write what is queued straight to the socket.
  void flush_from_worker();
  // Under out_mutex_, never blocking: writes as much of `frames` as the socket takes now.
  // Returns the bytes written, or -1 when the connection failed.
  std::ptrdiff_t write_now(std::vector<OutFrame>& frames);
  // On the strand: write the batch (in order), then write_done(ec).
  void write_batch(std::vector<OutFrame>& batch);
  // On the strand: write these raw bytes (what write_now left), then write_done(ec).
  void write_rest(const std::shared_ptr<std::string>& bytes);
  std::size_t wire_size(const OutFrame& f) const noexcept {
    return f.header_len + f.payload->size();
  }
  void arm_idle_timer();
  void arm_login_timer();

  ConnectionHooks& hooks_;
  TokenBucket rate_;
  // Two timers for four deadlines, one at a time each (a timer is 120 bytes of every
  // session): idle_timer_ is the transport's handshake deadline until opened(), then the
  // idle timeout; login_timer_ is the login deadline, then, once kicked or closing, the
  // grace before the socket is closed (a closing session has no login deadline left).
  Timer idle_timer_;
  Timer login_timer_;
  std::chrono::steady_clock::time_point last_frame_;

 protected:
  // On the strand: when the bytes being decoded arrived (one clock read per read, not per frame).
  void mark_read() noexcept { read_time_ = std::chrono::steady_clock::now(); }

 private:
  std::chrono::steady_clock::time_point read_time_;

  std::mutex out_mutex_;
  std::vector<OutFrame> outbox_;  // guarded by out_mutex_
  std::size_t outbox_bytes_ = 0;  // payload bytes in outbox_; guarded by out_mutex_
  bool writing_ = false;          // guarded by out_mutex_
  // Written under out_mutex_: no more sends taken. Atomic so the read path checks it per
  // frame without taking the lock a worker holds across its socket write.
  std::atomic<bool> closing_{false};
  bool transport_closed_ = false;    // guarded by out_mutex_: the socket may be gone
  std::vector<OutFrame> direct_;     // guarded by out_mutex_: frames of a worker's write
  std::vector<OutFrame> in_flight_;  // strand only
  std::vector<asio::const_buffer> write_buffers_;  // strand only: in_flight_'s buffers

  std::function<void()> on_destroy_;
  std::uint32_t refusal_code_ = 0;
  std::unique_ptr<std::string> refusal_text_;  // only for a refused connection
  bool opened_ = false;                        // strand only
  bool finished_ = false;                      // strand only
  std::atomic<bool> open_{true};
};

}  // namespace gamehost::net
