#include "load_client.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <boost/system/system_error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "wire.hpp"

namespace gamehost::loadgen {
namespace {

namespace asio = boost::asio;

// Connect + WebSocket handshake + Hello + group join must finish within this.
constexpr auto kSetupTimeout = std::chrono::seconds(5);
// Open loop: requests per write at most, so a writer that fell behind catches up in bounded
// bursts rather than one huge write.
constexpr int kMaxRateBatch = 1024;

std::uint64_t to_ns(Clock::time_point t) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// Asio's what() appends the source location; people reading the report want the reason.
std::string describe(const std::exception& e) {
  if (const auto* system = dynamic_cast<const boost::system::system_error*>(&e)) {
    return system->code().message();
  }
  return e.what();
}

RequestTemplate make_request(const Options& options, const LoadClient::Identity& identity) {
  return options.scenario == Scenario::kEcho
             ? RequestTemplate::echo(options.payload_bytes, identity.index)
             : RequestTemplate::shout(identity.group, options.payload_bytes, identity.index);
}

}  // namespace

LoadClient::LoadClient(asio::io_context& io, const Options& options,
                       const asio::ip::tcp::endpoint& endpoint, Identity identity, RunStats& stats,
                       SetupProgress& progress)
    : executor_(io.get_executor()),
      options_(options),
      endpoint_(endpoint),
      identity_(std::move(identity)),
      stats_(stats),
      progress_(progress),
      transport_(options.transport == TransportKind::kTcp ? make_tcp_transport(executor_)
                                                          : make_ws_transport(executor_)),
      request_(make_request(options, identity_)),
      wake_(executor_),
      watchdog_(executor_) {}

void LoadClient::launch() {
  asio::co_spawn(executor_, set_up(shared_from_this()), asio::detached);
}

void LoadClient::start(const RunWindow& window) {
  if (!ready_ || stopping_ || started_) return;
  started_ = true;
  window_ = window;
  asio::co_spawn(executor_, write_loop(shared_from_this()), asio::detached);
}

void LoadClient::stop() {
  const bool writer_running = started_ && !stopping_;
  stopping_ = true;
  wake_.cancel();
  // A running writer closes politely on its way out; anything else is closed here.
  if (!writer_running) transport_->abort();
}

asio::awaitable<void> LoadClient::set_up(Self self) {
  watchdog_.expires_after(kSetupTimeout);
  watchdog_.async_wait([self](boost::system::error_code ec) {
    if (ec || self->ready_) return;
    self->setup_timed_out_ = true;
    self->transport_->abort();
  });
  try {
    co_await transport_->connect(endpoint_, options_.host);
    co_await await_frame(msg::kHello);
    if (options_.scenario == Scenario::kShout) {
      gamehost::echo::JoinGroup join;
      join.set_group(identity_.group);
      const std::string payload = join.SerializeAsString();
      const OutFrame frame{msg::kJoinGroup, payload};
      co_await transport_->write_frames({&frame, 1});
      co_await await_frame(msg::kGroupJoined);
    }
  } catch (const std::exception& e) {
    ++stats_.setup_failures;
    stats_.note_error(setup_timed_out_ ? std::string("setup timed out (connect, Hello or join)")
                                       : "setup failed: " + describe(e));
    watchdog_.cancel();
    transport_->abort();
    ++progress_.failed;
    co_return;
  }
  ready_ = true;
  watchdog_.cancel();
  if (identity_.shout_group) {
    in_group_ = true;
    identity_.shout_group->join(identity_.index, [weak = weak_from_this()] {
      if (const auto client = weak.lock()) client->return_credit();
    });
  }
  ++progress_.ready;
  co_await read_loop(std::move(self));
}

// Setup is strictly request/response, so nothing we need can arrive alongside the awaited
// frame; anything else that does is counted and dropped.
asio::awaitable<void> LoadClient::await_frame(std::uint32_t id) {
  for (;;) {
    const auto frames = co_await transport_->read_frames();
    bool found = false;
    for (const InFrame& frame : frames) {
      if (frame.id == id) {
        found = true;
      } else if (frame.id == msg::kError) {
        handle_error(frame.payload);
      } else if (!found) {
        ++stats_.other_frames;
      }
    }
    if (found) co_return;
  }
}

asio::awaitable<void> LoadClient::read_loop(Self) {
  try {
    for (;;) {
      const auto frames = co_await transport_->read_frames();
      const Clock::time_point now = Clock::now();
      for (const InFrame& frame : frames) handle(frame, now);
    }
  } catch (const std::exception& e) {
    if (!stopping_) lose_connection("connection lost: " + describe(e));
  }
}

asio::awaitable<void> LoadClient::write_loop(Self) {
  try {
    co_await sleep_until(window_.load_start);
    if (options_.rate > 0) {
      co_await send_at_rate();
    } else {
      co_await send_closed_loop();
    }
  } catch (const std::exception& e) {
    if (!stopping_) lose_connection("send failed: " + describe(e));
  }
  stopping_ = true;
  co_await transport_->close();
}

// Closed loop: keep `pipeline` requests outstanding; each answer lets the next one go.
asio::awaitable<void> LoadClient::send_closed_loop() {
  while (!stopping_) {
    const Clock::time_point now = Clock::now();
    if (now >= window_.measure_end) break;
    const int credits = options_.pipeline - in_flight_;
    if (credits <= 0) {
      writer_waiting_ = true;
      co_await sleep_until(window_.measure_end);
      writer_waiting_ = false;
      continue;
    }
    stamps_.assign(static_cast<std::size_t>(credits), now);
    co_await send_stamped(stamps_);
  }
}

// Open loop: each connection owes rate/connections requests per second on a fixed schedule,
// staggered across connections, and sends them on a shared time grid (--tick-us): at every
// grid point, whatever fell due since the last one goes out in one write. Sleeping once per
// grid point instead of once per request is what keeps the load generator's own CPU low; all
// connections of a worker wake together, in one pass of its event loop.
//
// A request is stamped with the grid point it was scheduled for, not the time it really left:
// when the server (or this process) falls behind, the delay shows up as latency instead of
// hiding as a lower send rate (no "coordinated omission"). The grid itself is not charged.
asio::awaitable<void> LoadClient::send_at_rate() {
  const double per_connection = options_.rate / options_.connections;
  const auto interval = std::chrono::nanoseconds(std::llround(1e9 / per_connection));
  const auto tick = std::chrono::nanoseconds(std::chrono::microseconds(options_.tick_us));
  // This connection's grid is shifted by its phase: with --phases P, the connections' writes
  // are spread over P evenly spaced instants per tick, as independent clients' would be,
  // instead of all leaving (and all arriving at the server) at the same instant.
  const auto phase =
      tick * static_cast<std::int64_t>(identity_.index % options_.phases) / options_.phases;
  const auto origin = window_.load_start + phase;
  const auto on_grid = [&](Clock::time_point t) {  // the first grid point at or after t
    if (t <= origin) return origin;
    const auto ticks = (t - origin + tick - std::chrono::nanoseconds(1)) / tick;
    return origin + ticks * tick;
  };
  // index < connections, so the stagger stays within one interval.
  const auto stagger =
      std::chrono::nanoseconds(std::llround(1e9 * identity_.index / options_.rate));
  Clock::time_point next_due = window_.load_start + stagger;
  while (!stopping_) {
    const Clock::time_point now = Clock::now();
    if (now >= window_.measure_end) break;
    stamps_.clear();
    while (static_cast<int>(stamps_.size()) < kMaxRateBatch) {
      const Clock::time_point slot = on_grid(next_due);
      if (slot > now) break;
      stamps_.push_back(slot);
      next_due += interval;
    }
    if (stamps_.empty()) {
      co_await sleep_until(std::min(on_grid(next_due), window_.measure_end));
    } else {
      co_await send_stamped(stamps_);
    }
  }
}

asio::awaitable<void> LoadClient::send_stamped(const std::vector<Clock::time_point>& stamps) {
  const std::size_t n = stamps.size();
  if (out_payloads_.size() < n) out_payloads_.resize(n);
  out_frames_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    request_.stamp(out_payloads_[i], to_ns(stamps[i]));
    out_frames_.push_back(OutFrame{request_.id(), out_payloads_[i]});
  }
  in_flight_ += static_cast<int>(n);
  const Clock::time_point now = Clock::now();
  if (now >= window_.measure_start && now < window_.measure_end) stats_.sent += n;
  co_await transport_->write_frames(out_frames_);
}

asio::awaitable<void> LoadClient::sleep_until(Clock::time_point when) {
  wake_.expires_at(when);
  // Cancellation is the wake-up signal, not an error.
  co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
}

void LoadClient::handle(const InFrame& frame, Clock::time_point now) {
  switch (frame.id) {
    case msg::kEchoReply:
      if (!echo_reply_.ParseFromArray(frame.payload.data(),
                                      static_cast<int>(frame.payload.size()))) {
        ++stats_.bad_replies;
        stats_.note_error("EchoReply did not decode");
        return_credit();
        return;
      }
      handle_answer(echo_reply_.data(), now, true);
      break;
    case msg::kShoutHeard:
      if (!shout_heard_.ParseFromArray(frame.payload.data(),
                                       static_cast<int>(frame.payload.size()))) {
        ++stats_.bad_replies;
        stats_.note_error("ShoutHeard did not decode");
        return;
      }
      handle_answer(shout_heard_.data(), now, false);
      break;
    case msg::kError:
      handle_error(frame.payload);
      break;
    case msg::kHello:
    case msg::kGroupJoined:
      break;  // setup replies; a late duplicate is harmless
    default:
      ++stats_.other_frames;
      break;
  }
}

// An echo reply answers one of our requests; a shout delivery counts towards its sender's
// credit (see ShoutGroup). Every answer is a message received and a latency sample.
void LoadClient::handle_answer(std::string_view data, Clock::time_point now, bool echo) {
  const auto stamp = read_stamp(data, options_.payload_bytes);
  if (!stamp) {
    ++stats_.bad_replies;
    stats_.note_error(echo ? "EchoReply data differs from what was sent"
                           : "ShoutHeard data differs from what was sent");
    if (echo) return_credit();
    return;
  }
  if (echo) {
    return_credit();
  } else if (identity_.shout_group) {
    identity_.shout_group->delivered(stamp->sender);
  }
  if (now >= window_.measure_start && now < window_.measure_end) {
    ++stats_.received;
    const std::uint64_t now_ns = to_ns(now);
    stats_.latency.record(now_ns > stamp->sent_ns ? now_ns - stamp->sent_ns : 0);
  }
}

void LoadClient::handle_error(std::string_view payload) {
  ++stats_.error_replies;
  if (!error_.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    stats_.note_error("error reply (id 2) that did not decode");
    return;
  }
  stats_.note_error("error reply code " + std::to_string(error_.code()) + " to id " +
                    std::to_string(error_.request_id()) + ": " + error_.text());
  // The request was refused, not lost: let the next one go so the run keeps measuring.
  if (error_.request_id() == request_.id()) return_credit();
}

void LoadClient::return_credit() {
  if (in_flight_ > 0) --in_flight_;
  if (writer_waiting_) {
    writer_waiting_ = false;
    wake_.cancel();
  }
}

void LoadClient::lose_connection(const std::string& why) {
  ++stats_.disconnects;
  if (in_group_) {
    in_group_ = false;
    identity_.shout_group->leave(identity_.index);
  }
  stats_.note_error(why);
  stopping_ = true;
  wake_.cancel();
  transport_->abort();
}

}  // namespace gamehost::loadgen
