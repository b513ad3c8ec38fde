#include "settings.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace gh_battlemap {
namespace {

constexpr const char* kDefaultMaps = "field:1000x1000:cell=50:speed=10:tick=10";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad(std::string_view entry, std::string_view why) {
  throw std::invalid_argument(
      gamehost::concat("[plugins.battlemap.settings] maps: \"", entry, "\": ", why));
}

// Splits at every `sep`, trimmed.
std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = text.find(sep);
    out.push_back(trim(text.substr(0, at)));
    if (at == std::string_view::npos) return out;
    text = text.substr(at + 1);
  }
}

float number(std::string_view text, std::string_view entry, std::string_view what) {
  float v = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v) || v < 0) {
    bad(entry, gamehost::concat(what, " \"", text, "\" is not a number of 0 or more"));
  }
  return v;
}

std::uint32_t whole(std::string_view text, std::string_view entry, std::string_view what,
                    std::uint32_t min, std::uint32_t max) {
  std::uint32_t v = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < min || v > max) {
    bad(entry, gamehost::concat(what, " must be a whole number from ", min, " to ", max));
  }
  return v;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

MapSpec parse_map(std::string_view entry) {
  const auto parts = split(entry, ':');
  MapSpec m;
  if (!valid_name(parts[0])) {
    bad(entry, "a map name is 1-32 characters of a-z, 0-9, _ and -, then :WIDTHxHEIGHT");
  }
  m.name = std::string(parts[0]);
  if (parts.size() < 2) bad(entry, "the size is missing (\"" + m.name + ":1000x1000\")");
  const auto x = parts[1].find('x');
  if (x == std::string_view::npos) bad(entry, "the size is WIDTHxHEIGHT, e.g. 1000x1000");
  m.width = number(trim(parts[1].substr(0, x)), entry, "the width");
  m.height = number(trim(parts[1].substr(x + 1)), entry, "the height");
  if (m.width <= 0 || m.height <= 0) bad(entry, "width and height must be above 0");
  m.spawn = SpawnArea{0, 0, m.width, m.height};
  for (std::size_t i = 2; i < parts.size(); ++i) {
    const auto eq = parts[i].find('=');
    if (eq == std::string_view::npos)
      bad(entry, gamehost::concat("\"", parts[i], "\" is not KEY=VALUE"));
    const auto key = trim(parts[i].substr(0, eq));
    const auto value = trim(parts[i].substr(eq + 1));
    if (key == "cell") {
      m.cell = number(value, entry, "cell");
    } else if (key == "spawn") {
      const auto c = split(value, ',');
      if (c.size() != 4) bad(entry, "spawn is X0,Y0,X1,Y1");
      m.spawn = SpawnArea{number(c[0], entry, "spawn"), number(c[1], entry, "spawn"),
                          number(c[2], entry, "spawn"), number(c[3], entry, "spawn")};
    } else if (key == "speed") {
      m.speed = number(value, entry, "speed");
    } else if (key == "tick") {
      m.tick_hz = whole(value, entry, "tick (Hz)", 1, 60);
    } else if (key == "margin") {
      m.margin = number(value, entry, "margin");
    } else if (key == "players") {
      m.max_players = whole(value, entry, "players", 1, 100'000);
    } else if (key == "teleport") {
      m.teleport = number(value, entry, "teleport");
    } else {
      bad(entry, gamehost::concat("unknown key \"", key,
                                  "\" (cell, spawn, speed, tick, margin, players, teleport)"));
    }
  }
  if (m.cell <= 0) bad(entry, "cell must be above 0");
  if (m.speed <= 0) bad(entry, "speed must be above 0");
  const auto& s = m.spawn;
  if (s.x0 > s.x1 || s.y0 > s.y1 || s.x1 > m.width || s.y1 > m.height) {
    bad(entry, "the spawn area must lie on the map, X0 <= X1 and Y0 <= Y1");
  }
  return m;
}

template <class T>
T read_number(gamehost::Host& host, const std::string& key, T fallback, T min, T max) {
  const auto value = host.setting<T>(key).value_or(fallback);
  if (!(value >= min && value <= max)) {
    throw std::invalid_argument(gamehost::concat("[plugins.battlemap.settings] ", key, " = ", value,
                                                 ": must be between ", min, " and ", max));
  }
  return value;
}

}  // namespace

std::vector<MapSpec> parse_maps(std::string_view text) {
  std::vector<MapSpec> maps;
  for (const auto entry : split(text, ';')) {
    if (entry.empty()) continue;
    auto m = parse_map(entry);
    for (const auto& other : maps) {
      if (other.name == m.name) bad(entry, "the map is listed twice");
    }
    maps.push_back(std::move(m));
  }
  if (maps.empty()) {
    throw std::invalid_argument("[plugins.battlemap.settings] maps: no map is given");
  }
  return maps;
}

const MapSpec* Settings::find_map(std::string_view name) const {
  if (name.empty()) return &maps.front();
  for (const auto& m : maps) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

aoi::MoveRules Settings::rules(const MapSpec& map) const {
  return aoi::MoveRules{map.speed, static_cast<float>(speed_tolerance), max_credit_ms,
                        map.teleport};
}

Settings Settings::read(gamehost::Host& host) {
  Settings s;
  s.maps = parse_maps(host.setting<std::string>("maps").value_or(kDefaultMaps));
  s.max_players = read_number<std::uint32_t>(host, "max_players", s.max_players, 1, 100'000);
  s.max_instances =
      read_number<std::uint32_t>(host, "max_instances", s.max_instances, 1, 1'000'000);
  s.speed_tolerance = read_number<double>(host, "speed_tolerance", s.speed_tolerance, 0, 10);
  s.aoi_margin = read_number<double>(host, "aoi_margin", s.aoi_margin, 0, 1e6);
  s.max_credit_ms = read_number<std::uint64_t>(host, "max_credit_ms", s.max_credit_ms, 50, 60'000);
  s.reconnect_grace_ms = read_number<std::uint64_t>(host, "reconnect_grace_ms",
                                                    s.reconnect_grace_ms, 0, 24ULL * 3600 * 1000);
  s.chat_max_length =
      read_number<std::uint32_t>(host, "chat_max_length", s.chat_max_length, 1, 4096);
  s.chat_burst = read_number<std::uint32_t>(host, "chat_burst", s.chat_burst, 1, 1000);
  s.chat_per_minute =
      read_number<std::uint32_t>(host, "chat_per_minute", s.chat_per_minute, 1, 6000);
  s.world_chat_burst =
      read_number<std::uint32_t>(host, "world_chat_burst", s.world_chat_burst, 1, 1000);
  s.world_chat_per_minute =
      read_number<std::uint32_t>(host, "world_chat_per_minute", s.world_chat_per_minute, 1, 6000);
  s.sweep_ms = read_number<std::uint64_t>(host, "sweep_ms", s.sweep_ms, 10, 10'000);
  for (auto& m : s.maps) {
    if (m.margin < 0) m.margin = static_cast<float>(s.aoi_margin);
    if (m.max_players == 0) m.max_players = s.max_players;
    if (!aoi::Grid::valid(m.width, m.height, m.cell, m.margin)) {
      throw std::invalid_argument(gamehost::concat(
          "[plugins.battlemap.settings] map ", m.name, ": ", m.width, "x", m.height,
          " with cell=", m.cell, " and margin=", m.margin, " does not fit: at most ",
          aoi::Grid::kMaxCells, " cells, and the margin at most half a cell"));
    }
  }
  return s;
}

}  // namespace gh_battlemap
