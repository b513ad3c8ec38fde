// Internal to the room plugin: one room and its members, as the lobby keeps them.
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "room.pb.h"

namespace gh_room {

// A player's chat allowance: `burst` lines at once, refilled at `per_minute`.
class ChatBudget {
 public:
  bool take(std::uint64_t now_ms, std::uint32_t burst, std::uint32_t per_minute) {
    if (last_ms_ == 0) tokens_ = burst;
    const double refill = static_cast<double>(now_ms - last_ms_) * per_minute / 60'000.0;
    tokens_ = std::min<double>(burst, tokens_ + (last_ms_ == 0 ? 0 : refill));
    last_ms_ = now_ms;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double tokens_ = 0;
  std::uint64_t last_ms_ = 0;
};

struct Seat {
  gamehost::UserId user = 0;
  std::uint32_t seat = 0;
  bool ready = false;
  bool reserved = false;            // quick-matched, waiting for ConfirmSeat
  gamehost::SessionId session = 0;  // 0 while the member's connection is down
  std::uint64_t deadline_ms = 0;    // reservation end, or grace end while disconnected
  std::uint64_t joined_order = 0;   // who joined first: the next owner
  ChatBudget chat;

  gamehost::room::Member message() const {
    gamehost::room::Member m;
    m.set_user_id(user);
    m.set_seat(seat);
    m.set_ready(ready);
    m.set_connected(session != 0);
    m.set_reserved(reserved);
    return m;
  }
};

struct Room {
  std::uint64_t id = 0;
  std::string name;
  std::string game_type;
  std::uint32_t seats = 0;
  std::string password;  // "" = open; kept in memory only, rooms do not outlive the host
  gamehost::UserId owner = 0;
  gamehost::room::Phase phase = gamehost::room::PHASE_WAITING;
  std::uint64_t game_id = 0;
  std::uint64_t game_started_ms = 0;
  std::uint64_t version = 0;
  std::vector<Seat> members;  // in the order they joined

  // The host group of the room's connected members: every change is sent to it.
  std::string group() const { return "room:" + std::to_string(id); }

  Seat* find(gamehost::UserId user) {
    for (auto& m : members) {
      if (m.user == user) return &m;
    }
    return nullptr;
  }
  const Seat* find(gamehost::UserId user) const {
    for (const auto& m : members) {
      if (m.user == user) return &m;
    }
    return nullptr;
  }
  bool full() const { return members.size() >= seats; }
  // The lowest seat number nobody holds.
  std::uint32_t free_seat() const {
    for (std::uint32_t s = 0;; ++s) {
      bool taken = false;
      for (const auto& m : members) taken = taken || m.seat == s;
      if (!taken) return s;
    }
  }
  // Every seat filled by a confirmed, connected, ready member.
  bool all_ready() const {
    if (members.size() != seats) return false;
    for (const auto& m : members) {
      if (!m.ready || m.reserved || m.session == 0) return false;
    }
    return true;
  }

  gamehost::room::RoomState state() const {
    gamehost::room::RoomState s;
    s.set_room_id(id);
    s.set_name(name);
    s.set_game_type(game_type);
    s.set_seats(seats);
    s.set_has_password(!password.empty());
    s.set_owner_user_id(owner);
    s.set_phase(phase);
    s.set_game_id(game_id);
    s.set_version(version);
    for (const auto& m : members) *s.add_members() = m.message();
    return s;
  }
  gamehost::room::RoomSummary summary() const {
    gamehost::room::RoomSummary s;
    s.set_room_id(id);
    s.set_name(name);
    s.set_game_type(game_type);
    s.set_seats(seats);
    s.set_taken(static_cast<std::uint32_t>(members.size()));
    s.set_has_password(!password.empty());
    s.set_phase(phase);
    return s;
  }
  // A new RoomUpdate of this room, with the version the change produces.
  gamehost::room::RoomUpdate next_update() {
    gamehost::room::RoomUpdate u;
    u.set_room_id(id);
    u.set_version(++version);
    return u;
  }
};

}  // namespace gh_room
