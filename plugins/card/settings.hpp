// Internal to the card plugin: its [plugins.card.settings], read once when it is created.
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace gh_card {

struct Settings {
  std::string game_type = "doudizhu";     // the room game type this plugin plays
  std::uint64_t turn_ms = 20'000;         // then the server acts for the seat on turn
  std::int64_t stake = 10;                // coins per point of score
  int max_redeals = 3;                    // all-pass deals before the first bidder must take it
  std::uint64_t settle_retry_ms = 2'000;  // after the user plugin was busy or down
  int settle_attempts = 10;
  // Games stored unsettled (every attempt failed) are settled again this often; 0 = never.
  std::uint64_t resettle_interval_ms = 60'000;
  // Tests only: a fixed shuffle. Refused in production ([server] mode).
  std::optional<std::uint64_t> shuffle_seed;

  static Settings read(gamehost::Host& host) {
    Settings s;
    s.game_type = host.setting<std::string>("game_type").value_or(s.game_type);
    s.turn_ms = host.setting<std::uint64_t>("turn_ms").value_or(s.turn_ms);
    s.stake = host.setting<std::int64_t>("stake").value_or(s.stake);
    s.max_redeals = host.setting<int>("max_redeals").value_or(s.max_redeals);
    s.settle_retry_ms = host.setting<std::uint64_t>("settle_retry_ms").value_or(s.settle_retry_ms);
    s.settle_attempts = host.setting<int>("settle_attempts").value_or(s.settle_attempts);
    s.resettle_interval_ms =
        host.setting<std::uint64_t>("resettle_interval_ms").value_or(s.resettle_interval_ms);
    const auto seed = host.setting<std::uint64_t>("shuffle_seed");
    if (seed.wrong_type()) throw gamehost::ConfigError(seed.problem());
    if (seed.present()) s.shuffle_seed = seed.value();
    require(s.turn_ms >= 1000 && s.turn_ms <= 600'000, "turn_ms", "between 1000 and 600000");
    require(s.stake >= 1 && s.stake <= 1'000'000'000, "stake", "between 1 and 1000000000");
    require(s.max_redeals >= 0 && s.max_redeals <= 100, "max_redeals", "between 0 and 100");
    require(s.settle_attempts >= 1, "settle_attempts", "at least 1");
    require(s.settle_retry_ms >= 10, "settle_retry_ms", "at least 10");
    require(s.resettle_interval_ms == 0 || s.resettle_interval_ms >= 100, "resettle_interval_ms",
            "0 (never) or at least 100");
    if (s.shuffle_seed && host.info().production) {
      throw std::invalid_argument(
          "[plugins.card.settings] shuffle_seed makes every deal predictable: not in production");
    }
    return s;
  }

 private:
  static void require(bool ok, const char* key, const char* rule) {
    if (!ok) {
      throw std::invalid_argument(
          gamehost::concat("[plugins.card.settings] ", key, ": must be ", rule));
    }
  }
};

}  // namespace gh_card
