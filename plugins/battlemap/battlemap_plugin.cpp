// The battlemap plugin: MMO-style maps. Players enter a map (an instance of it with room,
// or a new one), move under server-authoritative rules (speed, bounds, teleports: refused
// with a Correction), and see the players of their 9-grid (aoi/): Appear, Disappear and
// moves come batched, one ViewUpdate per player per tick at most. Chat goes to those in
// view, or (rate-limited) to the whole map. A dropped avatar stays for a grace period and a
// re-login on a new connection puts the player back in place.
//
// Threading: the plugin's queue owns the directory - which user is on which instance with
// which session, how many avatars each instance has, the chat rate limits - and decides
// everything that spans instances (where an Enter goes, when an instance closes). Each
// instance (instance.hpp) is keyed work: its World and avatars are touched only by tasks
// posted with its id, so instances tick in parallel on the host's lanes, and a session's
// messages keep their order (the queue posts them to the lane in the order it handles
// them). Each instance is a drain key. A handover reload keeps every avatar, position and
// view (export_state, battlemap_state.proto).
#include <gamehost/plugin.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <unordered_map>

#include "battlemap_state.pb.h"
#include "errors.hpp"
#include "instance.hpp"
#include "protocol.hpp"
#include "settings.hpp"

namespace gh_battlemap {
namespace {

namespace pb = gamehost::battlemap;
namespace spb = gamehost::battlemap::state;
using gamehost::ClientError;
using gamehost::SessionId;
using gamehost::UserId;

constexpr std::uint32_t kStateVersion = 1;

void require_login(const gamehost::Request& req) {
  if (req.user == 0) throw ClientError(GH_CODE_NOT_AUTHENTICATED, "log in first");
}

// Lines at once, then per_minute: the room plugin's rule for chat.
struct Bucket {
  double tokens = -1;  // -1: full, not used yet
  std::uint64_t at_ms = 0;
  bool take(std::uint64_t now, std::uint32_t burst, std::uint32_t per_minute) {
    if (tokens < 0) tokens = burst;
    tokens = std::min<double>(
        burst, tokens + static_cast<double>(now - std::min(now, at_ms)) * per_minute / 60'000.0);
    at_ms = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }
};

class BattlemapPlugin final : public gamehost::Plugin {
 public:
  BattlemapPlugin(gamehost::Host& host, std::string_view state)
      : Plugin(host), settings_(Settings::read(host)), rng_(host.next_id()) {
    restore(state);
    handle<pb::Enter>([this](gamehost::Request& req, const pb::Enter& in) { enter(req, in); });
    handle<pb::Move>([this](gamehost::Request& req, const pb::Move& in) {
      on_lane(req, [req, in](Instance& inst) { inst.move(req, in); });
    });
    handle<pb::Leave>([this](gamehost::Request& req, const pb::Leave&) {
      require_login(req);
      const auto it = presence_.find(req.user);
      if (it == presence_.end() || it->second.session != req.session) {
        throw ClientError(kErrNotOnMap, "you are not on a map");
      }
      remove(req.user, req.session);
    });
    handle<pb::Say>([this](gamehost::Request& req, const pb::Say& in) {
      (void)check_chat(req, in.text(), false);
      on_lane(req, [req, text = in.text()](Instance& inst) { inst.say(req, text); });
    });
    handle<pb::WorldSay>([this](gamehost::Request& req, const pb::WorldSay& in) {
      auto& p = check_chat(req, in.text(), true);
      const auto& map = settings_.maps[instances_.at(p.instance).map];
      pb::ChatLine line;
      line.set_user_id(req.user);
      line.set_entity_id(p.entity);
      line.set_text(in.text());
      line.set_world(true);
      line.set_map(map.name);
      this->host().send_group(world_group(map), line);
    });
    for (std::size_t m = 0; m < settings_.maps.size(); ++m) {
      const auto ms = settings_.maps[m].tick_ms();
      ticks_.push_back(start_timer(ms, ms, [this, m] { tick(m); }));
    }
    sweep_ = start_timer(settings_.sweep_ms, settings_.sweep_ms, [this] { sweep(); });
  }

  std::string export_state() override {
    // The host has drained keyed work before it calls this: reading the instances here
    // does not race their lanes.
    spb::BattlemapState state;
    for (const auto& [id, slot] : instances_) {
      auto saved = slot.inst->save();
      saved.set_next_entity(slot.next_entity);
      for (auto& a : *saved.mutable_avatars()) {
        const auto it = presence_.find(a.user_id());
        if (it != presence_.end()) a.set_grace_deadline_ms(it->second.deadline_ms);
      }
      *state.add_instances() = std::move(saved);
    }
    return gamehost::versioned_state(kStateVersion, state.SerializeAsString());
  }

  // A logout, or a login as another user, on a player's connection leaves the avatar
  // without a connection, as a close does. A login as a user whose avatar waits (or plays
  // on another connection) puts that player on this connection, in place.
  void on_session_authenticated(SessionId session, UserId user) override {
    const auto was = user_of_session_.find(session);
    if (was != user_of_session_.end() && was->second != user) {
      const auto old_user = was->second;
      const auto& map = settings_.maps[instances_.at(presence_.at(old_user).instance).map];
      host().leave_group(world_group(map), session);
      host().key_bind(0, session);
      drop_connection(old_user);
    }
    if (user == 0) return;
    const auto it = presence_.find(user);
    if (it == presence_.end() || it->second.session == session) return;
    Presence& p = it->second;
    Slot& slot = instances_.at(p.instance);
    const auto& map = settings_.maps[slot.map];
    if (p.session != 0) {  // playing on another connection: that one is off the map now
      const auto old = p.session;
      user_of_session_.erase(old);
      host().key_bind(0, old);
      host().leave_group(world_group(map), old);
      pb::Left left;
      left.set_instance_id(p.instance);
      host().send(old, left);
    }
    p.session = session;
    p.deadline_ms = 0;
    user_of_session_[session] = user;
    host().key_bind(p.instance, session);
    join_world(map, session);
    try {
      post(slot, [user, session](Instance& inst) { inst.attach(user, session); });
    } catch (const ClientError&) {
      host().log_error("instance ", p.instance, ": lane full, user ", user,
                       " not told of the resumed avatar");
    }
  }

  void on_session_closed(SessionId session, UserId) override {
    const auto it = user_of_session_.find(session);
    if (it != user_of_session_.end()) drop_connection(it->second);
  }

 private:
  // Queue-side facts about one instance; the instance itself lives on its lane.
  struct Slot {
    std::shared_ptr<Instance> inst;
    std::size_t map = 0;
    std::uint32_t avatars = 0;  // connected or waiting for a reconnect
    aoi::EntityId next_entity = 1;
  };
  // A user with an avatar on some instance.
  struct Presence {
    std::uint64_t instance = 0;
    aoi::EntityId entity = 0;
    SessionId session = 0;          // 0: disconnected
    std::uint64_t deadline_ms = 0;  // when disconnected: the avatar goes then
    Bucket say, world;
  };

  static std::string world_group(const MapSpec& map) { return "battlemap:world:" + map.name; }
  // World chat reaches the map's group. A session in too many groups already plays on
  // without it rather than being refused the map.
  void join_world(const MapSpec& map, SessionId session) {
    try {
      host().join_group(world_group(map), session);
    } catch (const ClientError& e) {
      host().log_warn("session ", session, " gets no world chat of ", map.name, ": ", e.what());
    }
  }

  // Posts fn(Instance&) to the instance's lane. Throws ClientError(BUSY) when it is full.
  template <class Fn>
  void post(const Slot& slot, Fn fn) {
    post_keyed(slot.inst->id(), [inst = slot.inst, fn = std::move(fn)]() mutable { fn(*inst); });
  }

  // A request of a player on a map, handled on its instance's lane; what fn throws is
  // answered to the sender as a handler's exception is.
  template <class Fn>
  void on_lane(const gamehost::Request& req, Fn fn) {
    require_login(req);
    const auto it = presence_.find(req.user);
    if (it == presence_.end() || it->second.session != req.session) {
      throw ClientError(kErrNotOnMap, "you are not on a map");
    }
    const Slot& slot = instances_.at(it->second.instance);
    post_keyed(slot.inst->id(), [this, req, inst = slot.inst, fn = std::move(fn)]() mutable {
      try {
        fn(*inst);
      } catch (const ClientError& e) {
        host().send_error(req.session, e.code(), req.msg_id, e.what());
      } catch (const std::exception& e) {
        host().log_error("handler of id ", req.msg_id, " threw: ", e.what());
        host().send_error(req.session, GH_CODE_PLUGIN_FAILURE, req.msg_id, "internal error");
      }
    });
  }

  Presence& check_chat(const gamehost::Request& req, const std::string& text, bool world) {
    require_login(req);
    const auto it = presence_.find(req.user);
    if (it == presence_.end() || it->second.session != req.session) {
      throw ClientError(kErrNotOnMap, "you are not on a map");
    }
    if (text.empty() || text.size() > settings_.chat_max_length) {
      throw ClientError(kErrBadChat, gamehost::concat("a chat line is 1 to ",
                                                      settings_.chat_max_length, " bytes"));
    }
    Presence& p = it->second;
    const auto now = host().now_ms();
    const bool ok =
        world ? p.world.take(now, settings_.world_chat_burst, settings_.world_chat_per_minute)
              : p.say.take(now, settings_.chat_burst, settings_.chat_per_minute);
    if (!ok) {
      throw ClientError(
          kErrChatRateLimited,
          world ? gamehost::concat("at most ", settings_.world_chat_per_minute,
                                   " world chat lines a minute")
                : gamehost::concat("at most ", settings_.chat_per_minute, " chat lines a minute"));
    }
    return p;
  }

  void enter(const gamehost::Request& req, const pb::Enter& in) {
    require_login(req);
    if (const auto it = presence_.find(req.user); it != presence_.end()) {
      if (it->second.session == req.session) {
        throw ClientError(kErrAlreadyOnMap, "you are on a map already: leave it first");
      }
      // The avatar waits for this player (or plays on another connection): resume it here.
      on_session_authenticated(req.session, req.user);
      return;
    }
    const MapSpec* map = settings_.find_map(in.map());
    if (map == nullptr) throw ClientError(kErrUnknownMap, "no map named " + in.map());
    const auto map_index = static_cast<std::size_t>(map - settings_.maps.data());
    // The fullest instance of the map with room keeps players together.
    Slot* best = nullptr;
    for (auto& [id, slot] : instances_) {
      if (slot.map == map_index && slot.avatars < map->max_players &&
          (best == nullptr || slot.avatars > best->avatars)) {
        best = &slot;
      }
    }
    bool opened = false;
    if (best == nullptr) {
      if (instances_.size() >= settings_.max_instances) {
        throw ClientError(kErrMapFull, "every instance of " + map->name + " is full");
      }
      const auto id = host().next_id();
      // During a drain reload this build leaves new instances to the next one.
      if (!host().try_key_open(id)) throw ClientError(GH_CODE_BUSY, "the map is restarting");
      Slot slot;
      slot.inst = std::make_shared<Instance>(host(), id, *map, settings_.rules(*map));
      slot.map = map_index;
      best = &instances_.emplace(id, std::move(slot)).first->second;
      opened = true;
    }
    const auto entity = best->next_entity;
    const auto spawn = spawn_point(*map);
    try {
      post(*best, [user = req.user, session = req.session, entity, spawn](Instance& inst) {
        inst.enter(user, session, entity, spawn);
      });
    } catch (...) {
      if (opened) close(best->inst->id());
      throw;
    }
    ++best->next_entity;
    ++best->avatars;
    Presence p;
    p.instance = best->inst->id();
    p.entity = entity;
    p.session = req.session;
    presence_[req.user] = p;
    user_of_session_[req.session] = req.user;
    host().key_bind(p.instance, req.session);
    join_world(*map, req.session);
  }

  aoi::Vec2 spawn_point(const MapSpec& map) {
    std::uniform_real_distribution<float> x(map.spawn.x0, map.spawn.x1);
    std::uniform_real_distribution<float> y(map.spawn.y0, map.spawn.y1);
    return {map.spawn.x1 > map.spawn.x0 ? x(rng_) : map.spawn.x0,
            map.spawn.y1 > map.spawn.y0 ? y(rng_) : map.spawn.y0};
  }

  // The player's connection is gone (closed, logged out): the avatar waits for the grace
  // period, or goes at once without one.
  void drop_connection(UserId user) {
    Presence& p = presence_.at(user);
    user_of_session_.erase(p.session);
    p.session = 0;
    if (settings_.reconnect_grace_ms == 0) {
      remove(user, 0);
      return;
    }
    p.deadline_ms = host().now_ms() + settings_.reconnect_grace_ms;
    try {
      post(instances_.at(p.instance), [user](Instance& inst) { inst.detach(user); });
    } catch (const ClientError&) {
      // The lane is full: the instance goes on sending to a closed connection, which the
      // host drops; the avatar waits all the same.
    }
  }

  // The avatar leaves its instance (Leave, grace over); `reply_to` gets Left. The
  // instance closes with its last avatar.
  void remove(UserId user, SessionId reply_to) {
    const auto it = presence_.find(user);
    Slot& slot = instances_.at(it->second.instance);
    post(slot, [user, reply_to](Instance& inst) { inst.leave(user, reply_to); });
    const auto session = it->second.session;
    if (session != 0) {
      user_of_session_.erase(session);
      host().key_bind(0, session);
      host().leave_group(world_group(settings_.maps[slot.map]), session);
    }
    presence_.erase(it);
    if (--slot.avatars == 0) close(slot.inst->id());
  }

  void close(std::uint64_t id) {
    instances_.erase(id);  // queued tasks keep the instance alive until they have run
    host().key_close(id);  // a drained old build may unload after its last instance
  }

  void tick(std::size_t map) {
    for (auto& [id, slot] : instances_) {
      if (slot.map != map) continue;
      try {
        post(slot, [](Instance& inst) { inst.tick(); });
      } catch (const ClientError&) {
        // The lane is full: this tick is skipped; the next one tells what changed since.
        host().log_warn("instance ", id, ": lane full, tick skipped");
      }
    }
  }

  void sweep() {
    const auto now = host().now_ms();
    std::vector<UserId> gone;
    for (const auto& [user, p] : presence_) {
      if (p.session == 0 && p.deadline_ms <= now) gone.push_back(user);
    }
    for (const auto user : gone) {
      try {
        remove(user, 0);
      } catch (const ClientError&) {
        // The lane is full: the next sweep tries again.
      }
    }
  }

  // The instances the previous build handed over, with every avatar where it was.
  void restore(std::string_view state) {
    const auto [version, bytes] = gamehost::read_state(state, kStateVersion, kStateVersion);
    if (version == 0) return;
    spb::BattlemapState saved;
    if (!saved.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      throw gamehost::StateVersionError("battlemap state version 1 does not decode");
    }
    const auto now = host().now_ms();
    std::size_t avatars = 0;
    for (const auto& s : saved.instances()) {
      const MapSpec* map = settings_.find_map(s.map());
      if (map == nullptr || s.map().empty()) {
        // The old build goes on serving: dropping players silently is worse.
        throw gamehost::StateVersionError("battlemap: instance " + std::to_string(s.id()) +
                                          " is on map " + s.map() + ", which is not configured");
      }
      Slot slot;
      slot.inst = Instance::restore(host(), *map, settings_.rules(*map), s);
      slot.map = static_cast<std::size_t>(map - settings_.maps.data());
      slot.next_entity = s.next_entity();
      slot.avatars = static_cast<std::uint32_t>(s.avatars_size());
      host().key_open(s.id());
      for (const auto& a : s.avatars()) {
        Presence p;
        p.instance = s.id();
        p.entity = a.entity_id();
        p.session = a.session_id();
        p.deadline_ms = a.grace_deadline_ms();
        // A connection that closed while the builds changed hands counts as dropped now.
        if (p.session != 0 && !host().session_info(p.session)) {
          slot.inst->detach(a.user_id());  // no lane work exists yet: safe here
          p.session = 0;
          p.deadline_ms = now + settings_.reconnect_grace_ms;
        }
        if (p.session != 0) {
          user_of_session_[p.session] = a.user_id();
          host().key_bind(s.id(), p.session);
        }
        presence_[a.user_id()] = p;
        ++avatars;
      }
      instances_.emplace(s.id(), std::move(slot));
    }
    host().log_info("battlemap: ", instances_.size(), " instance(s), ", avatars,
                    " avatar(s) handed over");
  }

  const Settings settings_;
  std::mt19937_64 rng_;  // spawn points
  std::map<std::uint64_t, Slot> instances_;
  std::unordered_map<UserId, Presence> presence_;
  std::unordered_map<SessionId, UserId> user_of_session_;
  std::vector<gamehost::Token> ticks_;
  gamehost::Token sweep_;
};

}  // namespace
}  // namespace gh_battlemap

GAMEHOST_PLUGIN(gh_battlemap::BattlemapPlugin,
                "name = battlemap\n"
                "version = 1.0.0\n"
                "ranges = 3000-3099\n",
                BATTLEMAP_MESSAGES)
