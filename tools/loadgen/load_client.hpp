// One load-generating connection: connect, wait for Hello, join a group (shout), then keep
// requests flowing until the measurement window ends, recording what comes back.
//
// A client lives on one single-threaded io_context (its worker) and is touched only from that
// thread, so it needs no locks. Its reader and writer are two coroutines: the reader returns
// credits (closed loop) and wakes the writer through a timer used as a condition variable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "echo.pb.h"
#include "gamehost/host.pb.h"
#include "options.hpp"
#include "request_template.hpp"
#include "run_client.hpp"
#include "run_stats.hpp"
#include "shout_group.hpp"
#include "transport.hpp"

namespace gamehost::loadgen {

class LoadClient : public RunClient, public std::enable_shared_from_this<LoadClient> {
 public:
  struct Identity {
    std::uint32_t index;                      // unique within this run; stamped into every request
    std::string group;                        // shout only: the group this connection joins...
    std::shared_ptr<ShoutGroup> shout_group;  // ...and its members, all on this client's worker
  };

  LoadClient(boost::asio::io_context& io, const Options& options,
             const boost::asio::ip::tcp::endpoint& endpoint, Identity identity, RunStats& stats,
             SetupProgress& progress);

  // Starts connecting in the background; reports the outcome in SetupProgress.
  void launch() override;
  // Starts sending at window.load_start; sending ends by itself at window.measure_end.
  void start(const RunWindow& window) override;
  // Ends the connection now, whatever state it is in.
  void stop() override;

 private:
  using Self = std::shared_ptr<LoadClient>;

  boost::asio::awaitable<void> set_up(Self self);
  boost::asio::awaitable<void> await_frame(std::uint32_t id);
  boost::asio::awaitable<void> read_loop(Self self);
  boost::asio::awaitable<void> write_loop(Self self);
  boost::asio::awaitable<void> send_closed_loop();
  boost::asio::awaitable<void> send_at_rate();
  boost::asio::awaitable<void> sleep_until(Clock::time_point when);
  boost::asio::awaitable<void> send_stamped(const std::vector<Clock::time_point>& stamps);

  void handle(const InFrame& frame, Clock::time_point now);
  void handle_answer(std::string_view data, Clock::time_point now, bool echo);
  void handle_error(std::string_view payload);
  void return_credit();
  void lose_connection(const std::string& why);

  boost::asio::any_io_executor executor_;
  const Options& options_;
  boost::asio::ip::tcp::endpoint endpoint_;
  Identity identity_;
  RunStats& stats_;
  SetupProgress& progress_;
  std::unique_ptr<Transport> transport_;
  RequestTemplate request_;
  boost::asio::steady_timer wake_;      // the writer sleeps on it; cancel() wakes it
  boost::asio::steady_timer watchdog_;  // bounds setup time

  RunWindow window_{};
  bool ready_ = false;
  bool started_ = false;
  bool stopping_ = false;
  bool setup_timed_out_ = false;
  bool writer_waiting_ = false;
  bool in_group_ = false;
  int in_flight_ = 0;

  // Reused so that neither parsing nor sending allocates per message in steady state.
  gamehost::echo::EchoReply echo_reply_;
  gamehost::echo::ShoutHeard shout_heard_;
  gamehost::wire::Error error_;
  std::vector<std::string> out_payloads_;
  std::vector<OutFrame> out_frames_;
  std::vector<Clock::time_point> stamps_;
};

}  // namespace gamehost::loadgen
