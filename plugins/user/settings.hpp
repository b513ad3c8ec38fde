// Internal to the user plugin: its [plugins.user.settings], read once when it is created
// and constant afterwards (so blocking work reads them without locks).
#pragma once

#include <gamehost/plugin.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace gh_user {

struct Settings {
  std::int64_t starting_coins = 0;                   // coins of a new profile (a "welcome" credit)
  std::int64_t max_coin_change = 1'000'000'000'000;  // the largest credit, debit or transfer
  std::int64_t nickname_max_length = 24;             // bytes of UTF-8, 1-255
  std::int64_t experience_per_level = 1000;          // level = 1 + experience / this

  // Throws std::invalid_argument naming the setting when one is out of range, so the host
  // refuses the plugin with that text instead of running with a surprising value.
  static Settings read(gamehost::Host& host) {
    Settings s;
    s.starting_coins = integer(host, "starting_coins", s.starting_coins);
    s.max_coin_change = integer(host, "max_coin_change", s.max_coin_change);
    s.nickname_max_length = integer(host, "nickname_max_length", s.nickname_max_length);
    s.experience_per_level = integer(host, "experience_per_level", s.experience_per_level);
    require(s.max_coin_change >= 1, "max_coin_change", s.max_coin_change, "at least 1");
    require(s.starting_coins >= 0 && s.starting_coins <= s.max_coin_change, "starting_coins",
            s.starting_coins, "between 0 and max_coin_change");
    require(s.nickname_max_length >= 1 && s.nickname_max_length <= 255, "nickname_max_length",
            s.nickname_max_length, "between 1 and 255");
    require(s.experience_per_level >= 1, "experience_per_level", s.experience_per_level,
            "at least 1");
    return s;
  }

 private:
  // An integer setting; a whole floating-point value (TOML's 1e12) is accepted too. A
  // value of another type refuses the plugin with its config line (gamehost::ConfigError).
  // [user-setting-integer]
  static std::int64_t integer(gamehost::Host& host, const std::string& key, std::int64_t fallback) {
    const auto exact = host.setting<std::int64_t>(key);
    if (!exact.wrong_type()) return exact.value_or(fallback);
    const auto real = host.setting<double>(key);
    if (!real.present()) throw gamehost::ConfigError(exact.problem() + " (must be an integer)");
    const double value = real.value();
    if (value != std::floor(value) || std::abs(value) > 9.0e18) {
      throw gamehost::ConfigError(
          gamehost::concat(exact.origin().empty() ? "" : exact.origin() + ": ",
                           "[plugins.user.settings] ", key, " = ", value, ": must be an integer"));
    }
    return static_cast<std::int64_t>(value);
  }
  // [user-setting-integer]
  static void require(bool ok, const char* key, std::int64_t value, const char* rule) {
    if (!ok) {
      throw std::invalid_argument(
          gamehost::concat("[plugins.user.settings] ", key, " = ", value, ": must be ", rule));
    }
  }
};

}  // namespace gh_user
