// One bot player of the card scenario: guest login, quick match into a Dou Dizhu room,
// ready, then play every game it is dealt with legal moves (bid 1 when nobody has, the
// smallest play that leads or beats, else pass), getting ready again after each game.
//
// What it measures, inside the window: action-to-broadcast latency (from sending its own
// bid, pass or play to receiving the GameEvent that announces it: the server's whole path
// for one action), and finished games (counted by the bot in seat 0, so once per game).
// With --think-ms T it waits T ms after its turn starts before acting: about one action
// per second per table at T = 1000.
//
// Like LoadClient it lives on one single-threaded io_context and needs no locks.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "options.hpp"
#include "rules/combination.hpp"
#include "run_client.hpp"
#include "run_stats.hpp"
#include "transport.hpp"

namespace gamehost::loadgen {

class CardBot : public RunClient, public std::enable_shared_from_this<CardBot> {
 public:
  CardBot(boost::asio::io_context& io, const Options& options,
          const boost::asio::ip::tcp::endpoint& endpoint, std::uint32_t index, RunStats& stats,
          SetupProgress& progress);

  void launch() override;
  void start(const RunWindow& window) override;
  void stop() override;

 private:
  using Self = std::shared_ptr<CardBot>;

  boost::asio::awaitable<void> run(Self self);
  boost::asio::awaitable<void> write_loop(Self self);
  void on_frame(std::uint32_t id, std::string_view payload, Clock::time_point now);
  void on_game_event(std::string_view payload, Clock::time_point now);
  void maybe_act();
  void act();
  void send(std::uint32_t id, std::string payload);
  bool measuring(Clock::time_point t) const {
    return started_ && t >= window_.measure_start && t < window_.measure_end;
  }

  boost::asio::any_io_executor executor_;
  const Options& options_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::uint32_t index_;
  RunStats& stats_;
  SetupProgress& progress_;
  std::unique_ptr<Transport> transport_;
  boost::asio::steady_timer wake_;      // the writer sleeps on it
  boost::asio::steady_timer think_;     // --think-ms before an action
  boost::asio::steady_timer watchdog_;  // bounds setup time
  std::deque<std::pair<std::uint32_t, std::string>> outbox_;

  RunWindow window_{};
  bool ready_ = false;  // seated and ready: set-up is done
  bool started_ = false;
  bool stopping_ = false;
  bool writer_waiting_ = false;

  // The game as this bot knows it (from its GameView and the events since).
  std::uint64_t game_ = 0;
  int seat_ = -1;
  bool bidding_ = true;
  std::uint32_t bid_ = 0;
  std::uint32_t turn_ = 0;
  gh_card::CardSet hand_;
  std::optional<int> last_seat_;
  std::optional<gh_card::Combination> last_;
  bool acting_ = false;  // an action is scheduled or in flight
  Clock::time_point sent_at_{};
};

}  // namespace gamehost::loadgen
