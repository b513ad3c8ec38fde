// Internal to the room plugin: what must be found across rooms - every room by id, the
// room each user sits in, the member each session plays for, and a summary of each room
// for listing and quick match. Guarded by one mutex: rooms run on their own keyed lanes
// (key = room id) and in parallel, while lookups come from the plugin's queue and from
// other rooms' lanes.
//
// A Room's contents belong to its lane: only code running on the lane of room.id reads or
// changes them, without this lock. The directory holds the Room (a stable address) and
// changes its own maps under the lock; a room is inserted by the lane that creates it and
// erased by its own lane, so a pointer found on that lane stays valid while it runs.
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "room.hpp"
#include "room.pb.h"

namespace gh_room {

class Directory {
 public:
  explicit Directory(std::uint32_t max_rooms) : max_rooms_(max_rooms) {}

  // Adds a room; false when max_rooms are open (unless `over_limit`: rooms handed over by
  // a reload). Nothing may touch the room's contents until a task is posted to its lane.
  // It is due for the sweep at once, so a room whose first task could not be posted (its
  // lane was full) is closed by the sweep if nobody joins it.
  bool insert(std::unique_ptr<Room> room, bool over_limit = false);
  // Removes the room (its lane's last act on it: the Room is destroyed).
  void erase(std::uint64_t id);
  // The room of `id`, for its own lane; nullptr if there is none.
  Room* find(std::uint64_t id) const;
  // Publishes what list and quick match see of the room, and when it next needs a sweep
  // (0 = nothing due); its members are no longer pending. Called on the room's lane after
  // each change.
  void publish(const Room& room, std::uint64_t due_ms);

  enum class Claim {
    refused,  // the user sits in (or is joining) another room: nothing changed
    added,    // the user now belongs to `room`
    held,     // the user did already
  };
  // Seats `user` in `room` for the directory, before the room's lane seats them: the
  // user's next requests are routed there, and quick match counts the seat as taken
  // (pending) until the lane has published the room with the user seated, or released it.
  Claim claim(gamehost::UserId user, std::uint64_t room);
  // The user no longer sits in `room` (nothing if they sit elsewhere).
  void release(gamehost::UserId user, std::uint64_t room);
  std::optional<std::uint64_t> room_of(gamehost::UserId user) const;

  void set_member(gamehost::SessionId session, gamehost::UserId user);
  // Forgets the session's member if it is still `user` (the session may play for another
  // user in another room by now).
  void clear_member(gamehost::SessionId session, gamehost::UserId user);
  // The member the session plays for, 0 if none.
  gamehost::UserId member_of(gamehost::SessionId session) const;

  // One page of summaries after `after` (ids in creation order), filtered as ListRooms
  // asks; `next` is set to the last id when more may follow.
  std::vector<gamehost::room::RoomSummary> list(std::uint64_t after, const std::string& game_type,
                                                bool open_only, std::uint32_t page,
                                                std::uint64_t* next) const;
  // The open room of `game_type` quick match should try first: the fullest (pending seats
  // counted), the oldest among equals; rooms in `skip` are passed over. 0 if there is none.
  std::uint64_t best_open(const std::string& game_type,
                          const std::vector<std::uint64_t>& skip) const;
  // The rooms with something due at `now_ms` (a reservation, a grace period, a game
  // overtime).
  std::vector<std::uint64_t> due(std::uint64_t now_ms) const;
  std::size_t size() const;

  // For export_state, when no lane runs: calls fn(room) for every room, in id order.
  template <class Fn>
  void for_each(Fn fn) const {
    std::lock_guard lock(mutex_);
    for (const auto& [id, entry] : rooms_) fn(*entry.room);
  }

 private:
  struct Entry {
    std::unique_ptr<Room> room;
    gamehost::room::RoomSummary summary;
    std::uint64_t due_ms = 0;
    std::vector<gamehost::UserId> pending;  // claimed, not yet seated by the lane
  };

  mutable std::mutex mutex_;
  const std::uint32_t max_rooms_;
  std::map<std::uint64_t, Entry> rooms_;  // by id: ids grow, so this is creation order
  std::unordered_map<gamehost::UserId, std::uint64_t> room_of_user_;
  std::unordered_map<gamehost::SessionId, gamehost::UserId> member_of_session_;
};

}  // namespace gh_room
