#include "directory.hpp"

#include <algorithm>

namespace gh_room {

namespace pb = gamehost::room;

namespace {

bool is_open(const pb::RoomSummary& s, std::size_t pending = 0) {
  return s.phase() == pb::PHASE_WAITING && s.taken() + pending < s.seats() && !s.has_password();
}

void erase_user(std::vector<gamehost::UserId>& users, gamehost::UserId user) {
  std::erase(users, user);
}

}  // namespace

bool Directory::insert(std::unique_ptr<Room> room, bool over_limit) {
  std::lock_guard lock(mutex_);
  if (rooms_.size() >= max_rooms_ && !over_limit) return false;
  const auto id = room->id;
  auto summary = room->summary();
  rooms_.insert_or_assign(id, Entry{std::move(room), std::move(summary), 1, {}});
  return true;
}

void Directory::erase(std::uint64_t id) {
  std::unique_ptr<Room> gone;  // destroyed after the lock is released
  std::lock_guard lock(mutex_);
  const auto it = rooms_.find(id);
  if (it == rooms_.end()) return;
  gone = std::move(it->second.room);
  rooms_.erase(it);
}

Room* Directory::find(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  const auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : it->second.room.get();
}

void Directory::publish(const Room& room, std::uint64_t due_ms) {
  auto summary = room.summary();  // built outside the lock: only this lane changes the room
  std::lock_guard lock(mutex_);
  const auto it = rooms_.find(room.id);
  if (it == rooms_.end()) return;
  it->second.summary = std::move(summary);
  it->second.due_ms = due_ms;
  for (const auto& m : room.members) erase_user(it->second.pending, m.user);
}

Directory::Claim Directory::claim(gamehost::UserId user, std::uint64_t room) {
  std::lock_guard lock(mutex_);
  const auto [it, added] = room_of_user_.emplace(user, room);
  if (added) {
    if (const auto r = rooms_.find(room); r != rooms_.end()) r->second.pending.push_back(user);
    return Claim::added;
  }
  return it->second == room ? Claim::held : Claim::refused;
}

void Directory::release(gamehost::UserId user, std::uint64_t room) {
  std::lock_guard lock(mutex_);
  const auto it = room_of_user_.find(user);
  if (it != room_of_user_.end() && it->second == room) room_of_user_.erase(it);
  if (const auto r = rooms_.find(room); r != rooms_.end()) erase_user(r->second.pending, user);
}

std::optional<std::uint64_t> Directory::room_of(gamehost::UserId user) const {
  std::lock_guard lock(mutex_);
  const auto it = room_of_user_.find(user);
  if (it == room_of_user_.end()) return std::nullopt;
  return it->second;
}

void Directory::set_member(gamehost::SessionId session, gamehost::UserId user) {
  std::lock_guard lock(mutex_);
  member_of_session_[session] = user;
}

void Directory::clear_member(gamehost::SessionId session, gamehost::UserId user) {
  std::lock_guard lock(mutex_);
  const auto it = member_of_session_.find(session);
  if (it != member_of_session_.end() && it->second == user) member_of_session_.erase(it);
}

gamehost::UserId Directory::member_of(gamehost::SessionId session) const {
  std::lock_guard lock(mutex_);
  const auto it = member_of_session_.find(session);
  return it == member_of_session_.end() ? 0 : it->second;
}

std::vector<pb::RoomSummary> Directory::list(std::uint64_t after, const std::string& game_type,
                                             bool open_only, std::uint32_t page,
                                             std::uint64_t* next) const {
  std::vector<pb::RoomSummary> out;
  *next = 0;
  std::lock_guard lock(mutex_);
  for (auto it = rooms_.upper_bound(after); it != rooms_.end(); ++it) {
    const auto& s = it->second.summary;
    if (!game_type.empty() && s.game_type() != game_type) continue;
    if (open_only && !is_open(s)) continue;
    if (out.size() == page) {
      *next = out.back().room_id();
      break;
    }
    out.push_back(s);
  }
  return out;
}

std::uint64_t Directory::best_open(const std::string& game_type,
                                   const std::vector<std::uint64_t>& skip) const {
  std::lock_guard lock(mutex_);
  std::uint64_t best = 0;
  std::size_t best_taken = 0;
  for (const auto& [id, entry] : rooms_) {
    const auto& s = entry.summary;
    if (s.game_type() != game_type || !is_open(s, entry.pending.size())) continue;
    if (std::find(skip.begin(), skip.end(), id) != skip.end()) continue;
    const std::size_t taken = s.taken() + entry.pending.size();
    if (best == 0 || taken > best_taken) {
      best = id;
      best_taken = taken;
    }
  }
  return best;
}

std::vector<std::uint64_t> Directory::due(std::uint64_t now_ms) const {
  std::vector<std::uint64_t> out;
  std::lock_guard lock(mutex_);
  for (const auto& [id, entry] : rooms_) {
    if (entry.due_ms != 0 && entry.due_ms <= now_ms) out.push_back(id);
  }
  return out;
}

std::size_t Directory::size() const {
  std::lock_guard lock(mutex_);
  return rooms_.size();
}

}  // namespace gh_room
