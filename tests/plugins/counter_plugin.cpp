// A stateful plugin for the live-reload tests, built several ways from this one file:
//   COUNTER_BUILD      the label it answers with ("v1", "v2", ...)
//   COUNTER_VERSION    its semantic version
//   COUNTER_WRITES     the state format it exports (1 or 2)
//   COUNTER_READS_MIN  the oldest state format it can import (a newer-only build refuses older)
//   COUNTER_FAIL_CREATE  if defined, its constructor throws (a build that cannot start)
//
// 100600 Bump: counts per session and in total; answers 100601 with
//   u64 session count | u64 total | build label.
// 100602 SlowBump "<ms>": sleeps ms on a blocking thread (run_blocking), then bumps and
//   answers as 100600 does - so a reload can start while the job is in flight.
// State (in gamehost::versioned_state): version 1 is "<total> <n> (<session> <count>)*";
// version 2 the same fields in another order - enough to prove a build reads the other's.
#include <gamehost/plugin.hpp>

#include <chrono>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

std::string u64le(std::uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}

class Counter final : public gamehost::Plugin {
 public:
  Counter(gamehost::Host& h, std::string_view state)
      : Plugin(h), padding_(static_cast<std::size_t>(h.config_int("state_padding_bytes", 0)), 'p') {
#ifdef COUNTER_FAIL_CREATE
    throw std::runtime_error("this build cannot start (COUNTER_FAIL_CREATE)");
#endif
    if (!state.empty()) import_state(state);
    tokens_.push_back(
        handle_bytes(100600, [this](gamehost::Request& req, std::string_view) { bump(req); }));
    tokens_.push_back(
        handle_bytes(100602, [this](gamehost::Request& req, std::string_view payload) {
          const auto ms = std::stoi(std::string(payload.empty() ? "0" : payload));
          run_blocking(
              req, [ms] { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); },
              [this, req] { bump(req); });
        }));
  }

  void on_session_closed(gamehost::SessionId s, gamehost::UserId) override {
    per_session_.erase(s);
  }

  std::string export_state() override {
    std::ostringstream out;
    if (COUNTER_WRITES == 1) {
      out << total_ << ' ' << per_session_.size();
      for (const auto& [s, n] : per_session_) out << ' ' << s << ' ' << n;
    } else {
      out << per_session_.size();
      for (const auto& [s, n] : per_session_) out << ' ' << n << ' ' << s;
      out << ' ' << total_;
    }
    // Ballast, so benchmarks can measure how the reload pause grows with the state's size.
    out << ' ' << padding_;
    return gamehost::versioned_state(COUNTER_WRITES, out.str());
  }

 private:
  void bump(const gamehost::Request& req) {
    const auto mine = ++per_session_[req.session];
    ++total_;
    req.host.send_bytes(req.session, 100601, u64le(mine) + u64le(total_) + COUNTER_BUILD);
  }

  void import_state(std::string_view state) {
    const auto [format, bytes] = gamehost::read_state(state, COUNTER_READS_MIN, 2);
    std::istringstream in{std::string(bytes)};
    std::size_t n = 0;
    if (format == 1) in >> total_;
    in >> n;
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t s = 0;
      std::uint64_t count = 0;
      if (format == 1) {
        in >> s >> count;
      } else {
        in >> count >> s;
      }
      per_session_[s] = count;
    }
    if (format == 2) in >> total_;
    if (!in) throw std::runtime_error("counter state is truncated");
  }

  std::string padding_;
  std::uint64_t total_ = 0;
  std::map<gamehost::SessionId, std::uint64_t> per_session_;
  std::vector<gamehost::Token> tokens_;
};

}  // namespace

GAMEHOST_PLUGIN(Counter,
                "name = counter\n"
                "version = " COUNTER_VERSION
                "\n"
                "ranges = 100600-100699\n"
                "public = 100600-100699\n")
