#include "settings.hpp"

#include <charconv>
#include <stdexcept>

namespace gh_room {
namespace {

constexpr std::uint32_t kMaxSeats = 64;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::uint32_t seat_count(std::string_view text, std::string_view entry) {
  std::uint32_t n = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || ptr != end || n < 1 || n > kMaxSeats) {
    throw std::invalid_argument(gamehost::concat("[plugins.room.settings] games: \"", entry,
                                                 "\": seats must be a number from 1 to ",
                                                 kMaxSeats));
  }
  return n;
}

bool valid_type_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

template <class T>
T read_uint(gamehost::Host& host, const std::string& key, T fallback, T min, T max) {
  const auto value = host.setting<T>(key).value_or(fallback);
  if (value < min || value > max) {
    throw std::invalid_argument(gamehost::concat("[plugins.room.settings] ", key, " = ", value,
                                                 ": must be between ", min, " and ", max));
  }
  return value;
}

}  // namespace

std::map<std::string, GameSeats, std::less<>> parse_games(std::string_view text) {
  std::map<std::string, GameSeats, std::less<>> games;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto entry = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (entry.empty()) continue;
    const auto colon = entry.find(':');
    const auto name = trim(entry.substr(0, colon));
    if (!valid_type_name(name)) {
      throw std::invalid_argument(gamehost::concat(
          "[plugins.room.settings] games: \"", entry,
          "\": a game type is 1-32 characters of a-z, 0-9, _ and -, then :SEATS or :MIN-MAX"));
    }
    if (colon == std::string_view::npos) {
      throw std::invalid_argument(gamehost::concat("[plugins.room.settings] games: \"", entry,
                                                   "\": the seat count is missing (\"", name,
                                                   ":3\")"));
    }
    const auto seats = trim(entry.substr(colon + 1));
    const auto dash = seats.find('-');
    GameSeats g;
    g.min = seat_count(trim(seats.substr(0, dash)), entry);
    g.max =
        dash == std::string_view::npos ? g.min : seat_count(trim(seats.substr(dash + 1)), entry);
    if (g.max < g.min) {
      throw std::invalid_argument(gamehost::concat("[plugins.room.settings] games: \"", entry,
                                                   "\": the range ends below its start"));
    }
    g.preferred = g.min;
    if (!games.emplace(std::string(name), g).second) {
      throw std::invalid_argument(
          gamehost::concat("[plugins.room.settings] games: \"", name, "\" is listed twice"));
    }
  }
  return games;
}

Settings Settings::read(gamehost::Host& host) {
  Settings s;
  s.games = parse_games(host.setting<std::string>("games").value_or("doudizhu:3"));
  s.max_rooms = read_uint<std::uint32_t>(host, "max_rooms", s.max_rooms, 1, 10'000'000);
  s.max_name_length = read_uint<std::uint32_t>(host, "max_name_length", s.max_name_length, 1, 255);
  s.max_password_length =
      read_uint<std::uint32_t>(host, "max_password_length", s.max_password_length, 1, 255);
  s.chat_max_length = read_uint<std::uint32_t>(host, "chat_max_length", s.chat_max_length, 1, 4096);
  s.chat_burst = read_uint<std::uint32_t>(host, "chat_burst", s.chat_burst, 1, 1000);
  s.chat_per_minute = read_uint<std::uint32_t>(host, "chat_per_minute", s.chat_per_minute, 1, 6000);
  s.reconnect_grace_ms = read_uint<std::uint64_t>(host, "reconnect_grace_ms", s.reconnect_grace_ms,
                                                  0, 24ULL * 3600 * 1000);
  s.reserve_ms = read_uint<std::uint64_t>(host, "reserve_ms", s.reserve_ms, 100, 600'000);
  s.max_game_ms =
      read_uint<std::uint64_t>(host, "max_game_ms", s.max_game_ms, 1000, 7ULL * 24 * 3600 * 1000);
  s.sweep_ms = read_uint<std::uint64_t>(host, "sweep_ms", s.sweep_ms, 10, 10'000);
  return s;
}

}  // namespace gh_room
