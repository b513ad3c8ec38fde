#include "engine/track.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace gh_racemap {
namespace {

constexpr std::uint32_t kMaxCheckpoints = 256;
constexpr std::uint32_t kMaxLaps = 100;
constexpr std::uint64_t kMaxMs = 24ull * 3600 * 1000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    const auto start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

template <class T>
bool number(std::string_view s, T& out) {
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end && !s.empty();
}

bool ms_value(std::string_view s, std::uint64_t& out) {
  return number(s, out) && out <= kMaxMs;
}

// "X,Y,R" or "X,Y,Z,R", optionally "@MIN_MS".
bool parse_checkpoint(std::string_view s, Checkpoint& cp) {
  const auto at = s.find('@');
  if (at != std::string_view::npos) {
    if (!ms_value(s.substr(at + 1), cp.min_ms) || cp.min_ms == 0) return false;
    s = s.substr(0, at);
  }
  const auto parts = split(s, ',');
  if (parts.size() != 3 && parts.size() != 4) return false;
  double v[4] = {};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!number(parts[i], v[i]) || !std::isfinite(v[i])) return false;
  }
  cp.at = parts.size() == 3 ? Vec3{v[0], v[1], 0} : Vec3{v[0], v[1], v[2]};
  cp.radius = parts.size() == 3 ? v[2] : v[3];
  return cp.radius > 0;
}

std::string parse_one(std::string_view text, Track& t) {
  const auto tokens = words(text);
  if (tokens.empty()) return "an empty track";
  t.name = std::string(tokens[0]);
  if (!valid_track_name(t.name)) {
    return "\"" + t.name + "\": a track name is 1-64 characters of a-z A-Z 0-9 _ - .";
  }
  const auto where = [&](std::string_view token, std::string_view why) {
    return "track " + t.name + ": \"" + std::string(token) + "\": " + std::string(why);
  };
  bool in_checkpoints = false;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const auto token = tokens[i];
    const auto eq = token.find('=');
    if (eq == std::string_view::npos) {
      if (!in_checkpoints) return where(token, "expected key=value");
      Checkpoint cp;
      if (!parse_checkpoint(token, cp))
        return where(token, "a checkpoint is X,Y,R or X,Y,Z,R[@MS], R > 0");
      t.checkpoints.push_back(cp);
      continue;
    }
    const auto key = token.substr(0, eq);
    const auto value = token.substr(eq + 1);
    in_checkpoints = false;
    if (key == "cp") {
      Checkpoint cp;
      if (!parse_checkpoint(value, cp))
        return where(token, "a checkpoint is X,Y,R or X,Y,Z,R[@MS], R > 0");
      t.checkpoints.push_back(cp);
      in_checkpoints = true;
    } else if (key == "laps") {
      if (!number(value, t.laps) || t.laps < 1 || t.laps > kMaxLaps) {
        return where(token, "laps must be 1-100");
      }
    } else if (key == "countdown_ms") {
      if (!ms_value(value, t.countdown_ms)) return where(token, "not a time in ms");
    } else if (key == "min_gap_ms") {
      if (!ms_value(value, t.min_gap_ms)) return where(token, "not a time in ms");
    } else if (key == "limit_ms") {
      if (!ms_value(value, t.time_limit_ms) || t.time_limit_ms < 1000) {
        return where(token, "the time limit is 1000 ms to 24 h");
      }
    } else if (key == "max_speed") {
      if (!number(value, t.max_speed) || !std::isfinite(t.max_speed) || t.max_speed < 0) {
        return where(token, "max_speed is a number >= 0 (0: no check)");
      }
    } else {
      return where(token, "unknown key (laps, countdown_ms, min_gap_ms, limit_ms, max_speed, cp)");
    }
  }
  if (t.checkpoints.empty()) return "track " + t.name + ": no checkpoints (cp=X,Y,R ...)";
  if (t.checkpoints.size() > kMaxCheckpoints)
    return "track " + t.name + ": more than 256 checkpoints";
  return {};
}

void append_number(std::string& out, double v) {
  char buf[64];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? ptr : buf);
}

}  // namespace

double distance(const Vec3& a, const Vec3& b) {
  const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

bool finite(const Vec3& v) {
  return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}

std::uint64_t Track::min_ms_to(std::uint32_t index, bool first) const {
  const Checkpoint& cp = checkpoints.at(index);
  std::uint64_t least = cp.min_ms != 0 ? cp.min_ms : min_gap_ms;
  if (max_speed > 0 && !first) {
    const auto& previous = checkpoints[(index + checkpoint_count() - 1) % checkpoint_count()];
    // The straight line between the two circles is the shortest way a car can have come.
    const double gap = std::max(0.0, distance(previous.at, cp.at) - previous.radius - cp.radius);
    const auto by_speed = static_cast<std::uint64_t>(std::floor(gap / max_speed * 1000.0));
    least = std::max(least, by_speed);
  }
  return least;
}

bool valid_track_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

ParsedTracks parse_tracks(std::string_view text) {
  ParsedTracks out;
  for (const auto part : split(text, ';')) {
    if (trim(part).empty()) continue;
    Track t;
    if (auto error = parse_one(part, t); !error.empty()) {
      out.error = std::move(error);
      out.tracks.clear();
      return out;
    }
    for (const auto& other : out.tracks) {
      if (other.name == t.name) {
        out.error = "track " + t.name + " is listed twice";
        out.tracks.clear();
        return out;
      }
    }
    out.tracks.push_back(std::move(t));
  }
  if (out.tracks.empty()) out.error = "no tracks";
  return out;
}

std::string format_track(const Track& t) {
  std::string out = t.name;
  out += " laps=" + std::to_string(t.laps);
  out += " countdown_ms=" + std::to_string(t.countdown_ms);
  out += " min_gap_ms=" + std::to_string(t.min_gap_ms);
  out += " limit_ms=" + std::to_string(t.time_limit_ms);
  out += " max_speed=";
  append_number(out, t.max_speed);
  for (const auto& cp : t.checkpoints) {
    out += " cp=";
    append_number(out, cp.at.x);
    out += ',';
    append_number(out, cp.at.y);
    out += ',';
    append_number(out, cp.at.z);
    out += ',';
    append_number(out, cp.radius);
    if (cp.min_ms != 0) out += "@" + std::to_string(cp.min_ms);
  }
  return out;
}

}  // namespace gh_racemap
