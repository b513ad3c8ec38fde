// Internal to the room plugin: its [plugins.room.settings], read once when it is created.
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace gh_room {

// The seats a room of one game type may have, and what CreateRoom{seats = 0} and quick
// match use.
struct GameSeats {
  std::uint32_t min = 0;
  std::uint32_t max = 0;
  std::uint32_t preferred = 0;  // the smallest count: a quick-matched room starts soonest
};

struct Settings {
  // games = "doudizhu:3, race:2-8": each game type rooms may be created for, with its
  // seat count or range. The game plugin of a type subscribes to room's GameStart.
  std::map<std::string, GameSeats, std::less<>> games;
  std::uint32_t max_rooms = 20'000;
  std::uint32_t max_name_length = 32;  // bytes; "" is replaced by the game type
  std::uint32_t max_password_length = 32;
  std::uint32_t chat_max_length = 200;        // bytes of one chat line
  std::uint32_t chat_burst = 5;               // lines at once...
  std::uint32_t chat_per_minute = 30;         // ...then this many per minute
  std::uint64_t reconnect_grace_ms = 30'000;  // a dropped member keeps the seat this long
  std::uint64_t reserve_ms = 5'000;       // a quick-matched seat waits this long for ConfirmSeat
  std::uint64_t max_game_ms = 7'200'000;  // 2 h: a game that never reports its end is ended
  std::uint64_t sweep_ms = 250;           // how often deadlines are checked

  // Throws ConfigError / std::invalid_argument naming the setting, so the host refuses the
  // plugin with that text instead of running with a surprising value.
  static Settings read(gamehost::Host& host);
};

// "doudizhu:3, race:2-8" -> the games map; throws std::invalid_argument saying what
// part is wrong.
std::map<std::string, GameSeats, std::less<>> parse_games(std::string_view text);

}  // namespace gh_room
