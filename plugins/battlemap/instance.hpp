// Internal to the battlemap plugin: one running instance of a map - its World, its avatars
// and their movement bookkeeping. Every member function runs on the instance's keyed lane
// (post_keyed with the instance id), never on the plugin's queue, except restore() and
// save(), which the plugin calls while no keyed work can run (its constructor, before any
// task is posted; export_state, after the host has drained keyed work).
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "aoi/movement.hpp"
#include "aoi/world.hpp"
#include "battlemap.pb.h"
#include "battlemap_state.pb.h"
#include "settings.hpp"

namespace gh_battlemap {

class Instance {
 public:
  Instance(gamehost::Host& host, std::uint64_t id, const MapSpec& map, aoi::MoveRules rules);
  // Throws StateVersionError when the saved avatars do not fit the map.
  static std::unique_ptr<Instance> restore(gamehost::Host& host, const MapSpec& map,
                                           aoi::MoveRules rules,
                                           const gamehost::battlemap::state::Instance& saved);
  gamehost::battlemap::state::Instance save() const;

  std::uint64_t id() const { return id_; }
  const std::string& map_name() const { return map_.name; }

  // A new avatar at `spawn`; its client (session) gets Entered.
  void enter(gamehost::UserId user, gamehost::SessionId session, aoi::EntityId entity,
             aoi::Vec2 spawn);
  // The avatar leaves the map; `reply_to` (if not 0) gets Left.
  void leave(gamehost::UserId user, gamehost::SessionId reply_to);
  // Judges a move; a refusal sends the sender a Correction, then throws its ClientError.
  void move(const gamehost::Request& req, const gamehost::battlemap::Move& move);
  // Say to everyone who sees the speaker, and the speaker.
  void say(const gamehost::Request& req, const std::string& text);
  // The avatar's connection is gone: it stays where it is, seen by others, told nothing.
  void detach(gamehost::UserId user);
  // The avatar's player is back on `session`: Entered{resumed}, and the next ViewUpdate
  // tells it everyone it sees.
  void attach(gamehost::UserId user, gamehost::SessionId session);
  // One tick: every client whose view changed gets its one ViewUpdate.
  void tick();

  std::size_t avatars() const { return avatars_.size(); }

 private:
  struct Avatar {
    gamehost::UserId user = 0;
    gamehost::SessionId session = 0;  // 0 while disconnected
    aoi::Motion motion;
  };

  Avatar* find(gamehost::UserId user, gamehost::SessionId session);
  void send_entered(const Avatar& a, aoi::EntityId entity, bool resumed);

  gamehost::Host& host_;
  const std::uint64_t id_;
  const MapSpec map_;
  const aoi::MoveRules rules_;
  aoi::World world_;
  std::uint64_t tick_ = 0;
  std::unordered_map<aoi::EntityId, Avatar> avatars_;
  std::unordered_map<gamehost::UserId, aoi::EntityId> by_user_;
  std::string wire_;  // the ViewUpdate being sent, reused by tick()
};

}  // namespace gh_battlemap
