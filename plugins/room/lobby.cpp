// The queue side of the lobby: checks, claims, routing to the rooms' lanes, the session
// events, the sweep, and the handover state. lobby_lane.cpp has what runs on a room's lane.
#include <gamehost/text.hpp>

#include <algorithm>
#include <exception>

#include "errors.hpp"
#include "lobby.hpp"
#include "protocol.hpp"
#include "room_events.hpp"

namespace gh_room {
namespace {

namespace pb = gamehost::room;
using gamehost::ClientError;
using gamehost::concat;
using Claim = Directory::Claim;

constexpr std::uint32_t kDefaultPageSize = 20;
constexpr std::uint32_t kMaxPageSize = 50;
// A quick match whose room filled or started before its lane ran tries this many rooms in
// all before it opens one of its own.
constexpr std::size_t kMatchAttempts = 3;

void check_text(const std::string& text, std::uint32_t max, const char* what) {
  if (text.size() > max)
    throw ClientError(kErrBadText, concat(what, " is longer than ", max, " bytes"));
  if (!gamehost::is_clean_text(text)) {
    throw ClientError(kErrBadText, concat(what, " is not clean UTF-8 text"));
  }
}

ClientError missing_room(std::uint32_t code, std::uint64_t id) {
  switch (code) {
    case kErrNoSuchRoom:
      return ClientError(code, concat("no room ", id));
    case kErrNoReservation:
      return ClientError(code, concat("no seat held for you in room ", id));
    default:
      return ClientError(kErrNotInRoom, "you are not in a room");
  }
}

}  // namespace

Lobby::Lobby(gamehost::Plugin& plugin, const Settings& settings)
    : plugin_(plugin), host_(plugin.host()), settings_(settings), directory_(settings.max_rooms) {}

const GameSeats& Lobby::game(const std::string& type) const {
  const auto it = settings_.games.find(type);
  if (it == settings_.games.end()) {
    throw ClientError(kErrUnknownGameType, concat("no game type \"", type, "\" on this server"));
  }
  return it->second;
}

std::uint64_t Lobby::room_of(gamehost::UserId user) const {
  const auto room = directory_.room_of(user);
  if (!room) throw ClientError(kErrNotInRoom, "you are not in a room");
  return *room;
}

// ---- Routing to a room's lane -------------------------------------------------------------

void Lobby::run_request(const gamehost::Request& req, std::uint64_t id,
                        const std::function<void(Room*)>& fn) {
  try {
    fn(directory_.find(id));
  } catch (const ClientError& e) {
    req.host.send_error(req.session, e.code(), req.msg_id, e.what());
  } catch (const std::exception& e) {
    host_.log_error("room ", id, ": request ", req.msg_id, " failed: ", e.what());
    req.host.send_error(req.session, GH_CODE_PLUGIN_FAILURE, req.msg_id, "internal error");
  }
  // A user the request did not leave seated here (a refused join, a leave, a kick of
  // oneself is refused) no longer belongs to the room; what it changed is published.
  Room* room = directory_.find(id);
  if (room == nullptr || room->find(req.user) == nullptr) directory_.release(req.user, id);
  if (room != nullptr) directory_.publish(*room, due_ms(*room));
}

void Lobby::on_room(const gamehost::Request& req, std::uint64_t id, std::uint32_t missing,
                    LaneFn fn) {
  plugin_.post_keyed(id, [this, req, id, missing, fn = std::move(fn)] {
    run_request(req, id, [&](Room* room) {
      if (room == nullptr) throw missing_room(missing, id);
      fn(*room);
    });
  });
}

void Lobby::on_room(std::uint64_t id, const char* what, LaneFn fn) {
  try {
    plugin_.post_keyed(id, [this, id, fn = std::move(fn)] {
      Room* room = directory_.find(id);
      if (room == nullptr) return;
      fn(*room);
      room = directory_.find(id);
      if (room != nullptr) directory_.publish(*room, due_ms(*room));
    });
  } catch (const std::exception& e) {
    // The room's lane is full: the next sweep or event tries again where it can.
    host_.log_warn("room ", id, ": ", what, " not run: ", e.what());
  }
}

std::uint64_t Lobby::open_room(std::string name, std::string game_type, std::uint32_t seats,
                               std::string password, gamehost::UserId owner) {
  const auto id = host_.next_id();
  // A draining old build opens no rooms (its sessions are all in rooms; this is a guard).
  if (!host_.try_key_open(id)) {
    throw ClientError(GH_CODE_BUSY, "the room service is switching builds; try again");
  }
  auto room = std::make_unique<Room>();
  room->id = id;
  room->name = std::move(name);
  room->game_type = std::move(game_type);
  room->seats = seats;
  room->password = std::move(password);
  room->owner = owner;
  room->version = 1;  // its key (opened above) keeps it on this build during a drain reload
  if (!directory_.insert(std::move(room))) {
    host_.key_close(id);
    throw ClientError(kErrTooManyRooms, "the server has as many rooms as it allows; try later");
  }
  return id;
}

void Lobby::abandon_room(std::uint64_t id) {
  // Not erased here: a quick match may have been sent to it meanwhile. Empty, it is due
  // for the sweep, which closes it on its lane unless someone sits in it by then.
  host_.log_debug("room ", id, ": opened, its first task not posted");
}

// ---- Requests -----------------------------------------------------------------------------

void Lobby::create(const gamehost::Request& req, const pb::CreateRoom& in) {
  if (directory_.room_of(req.user)) throw ClientError(kErrAlreadyInRoom, "leave your room first");
  const auto& g = game(in.game_type());
  const auto seats = in.seats() == 0 ? g.preferred : in.seats();
  if (seats < g.min || seats > g.max) {
    throw ClientError(kErrBadSeats, concat(in.game_type(), " rooms have ", g.min,
                                           g.max == g.min ? "" : concat("-", g.max), " seats"));
  }
  check_text(in.name(), settings_.max_name_length, "the room name");
  check_text(in.password(), settings_.max_password_length, "the password");
  const auto id = open_room(in.name().empty() ? in.game_type() : in.name(), in.game_type(), seats,
                            in.password(), req.user);
  if (directory_.claim(req.user, id) != Claim::added) {
    abandon_room(id);  // a quick match retried on a lane seated the user meanwhile
    throw ClientError(kErrAlreadyInRoom, "leave your room first");
  }
  try {
    on_room(req, id, kErrNoSuchRoom, [this, req](Room& room) {
      const bool live = seat(room, req.user, req.session, false);
      req.reply(room.state());
      if (!live) session_lost_on_lane(room, req.session, req.user);
    });
  } catch (...) {
    directory_.release(req.user, id);
    abandon_room(id);
    throw;
  }
}

void Lobby::list(const gamehost::Request& req, const pb::ListRooms& in) const {
  const auto page = in.page_size() == 0 ? kDefaultPageSize : std::min(in.page_size(), kMaxPageSize);
  std::uint64_t next = 0;
  pb::RoomList out;
  for (auto& summary :
       directory_.list(in.after_room_id(), in.game_type(), in.open_only(), page, &next)) {
    *out.add_rooms() = std::move(summary);
  }
  if (next != 0) out.set_next_after_room_id(next);
  req.reply(out);
}

void Lobby::join(const gamehost::Request& req, const pb::JoinRoom& in) {
  const auto id = in.room_id();
  if (directory_.find(id) == nullptr) throw ClientError(kErrNoSuchRoom, concat("no room ", id));
  const auto claim = directory_.claim(req.user, id);
  if (claim == Claim::refused) throw ClientError(kErrAlreadyInRoom, "leave your room first");
  try {
    on_room(req, id, kErrNoSuchRoom, [this, req, password = in.password()](Room& room) {
      join_on_lane(req, room, password);
    });
  } catch (...) {
    if (claim == Claim::added) directory_.release(req.user, id);
    throw;
  }
}

void Lobby::leave(const gamehost::Request& req) {
  on_room(req, room_of(req.user), kErrNotInRoom, [this, req](Room& room) {
    member(room, req.user);
    if (room.phase != pb::PHASE_WAITING) {
      throw ClientError(kErrGameRunning, "the game is running; it plays for you if you go");
    }
    pb::RoomLeft out;
    out.set_room_id(room.id);
    out.set_reason(pb::LEFT);
    remove(room, req.user, pb::LEFT, false, req.session, nullptr);  // `room` may be gone
    req.reply(out);
  });
}

void Lobby::set_ready(const gamehost::Request& req, const pb::SetReady& in) {
  on_room(req, room_of(req.user), kErrNotInRoom,
          [this, req, ready = in.ready()](Room& room) { set_ready_on_lane(req, room, ready); });
}

void Lobby::kick(const gamehost::Request& req, const pb::KickMember& in) {
  on_room(req, room_of(req.user), kErrNotInRoom, [this, req, target = in.user_id()](Room& room) {
    member(room, req.user);
    if (room.owner != req.user) throw ClientError(kErrNotOwner, "only the room's owner may kick");
    if (room.phase != pb::PHASE_WAITING) throw ClientError(kErrGameRunning, "the room is playing");
    if (target == req.user || room.find(target) == nullptr) {
      throw ClientError(kErrNotAMember, concat("user ", target, " is not another member"));
    }
    pb::RoomUpdate left;
    remove(room, target, pb::KICKED, true, req.session, &left);
    req.reply(left);  // the owner stays, so the room does too
  });
}

void Lobby::quick_match(const gamehost::Request& req, const pb::QuickMatch& in) {
  game(in.game_type());
  if (const auto current = directory_.room_of(req.user)) {
    // Asked again (the same seat) or already seated: that room's lane knows which.
    plugin_.post_keyed(*current, [this, req, id = *current, type = in.game_type()] {
      run_request(req, id, [&](Room* room) {
        if (room == nullptr) {
          directory_.release(req.user, id);
          match(req, type, {id});
          return;
        }
        quick_match_on_lane(req, *room, type, {});
      });
    });
    return;
  }
  match(req, in.game_type(), {});
}

void Lobby::match(const gamehost::Request& req, const std::string& game_type,
                  std::vector<std::uint64_t> tried) {
  std::uint64_t id = tried.size() < kMatchAttempts ? directory_.best_open(game_type, tried) : 0;
  bool opened = false;
  if (id == 0) {
    // The fullest open room starts soonest; with none, a new room (the matcher owns it).
    id = open_room(game_type, game_type, game(game_type).preferred, "", req.user);
    opened = true;
  }
  const auto claim = directory_.claim(req.user, id);
  if (claim == Claim::refused) {
    if (opened) abandon_room(id);
    throw ClientError(kErrAlreadyInRoom, "leave your room first");
  }
  try {
    plugin_.post_keyed(id, [this, req, id, game_type, tried = std::move(tried)]() mutable {
      run_request(req, id, [&](Room* room) {
        if (room == nullptr) {  // it closed before this lane ran: the next one
          directory_.release(req.user, id);
          tried.push_back(id);
          match(req, game_type, std::move(tried));
          return;
        }
        quick_match_on_lane(req, *room, game_type, tried);
      });
    });
  } catch (...) {
    if (claim == Claim::added) directory_.release(req.user, id);
    if (opened) abandon_room(id);
    throw;
  }
}

void Lobby::confirm(const gamehost::Request& req, const pb::ConfirmSeat& in) {
  const auto id = in.room_id();
  if (directory_.room_of(req.user) != id) {
    throw ClientError(kErrNoReservation, concat("no seat held for you in room ", id));
  }
  on_room(req, id, kErrNoReservation, [this, req](Room& room) { confirm_on_lane(req, room); });
}

void Lobby::chat(const gamehost::Request& req, const pb::SendChat& in) {
  if (in.text().empty()) throw ClientError(kErrBadText, "the chat line is empty");
  check_text(in.text(), settings_.chat_max_length, "the chat line");
  on_room(req, room_of(req.user), kErrNotInRoom,
          [this, req, text = in.text()](Room& room) { chat_on_lane(req, room, text); });
}

void Lobby::get(const gamehost::Request& req) {
  on_room(req, room_of(req.user), kErrNotInRoom, [req](Room& room) {
    member(room, req.user);
    req.reply(room.state());
  });
}

// ---- Sessions, games, the sweep -------------------------------------------------------------

void Lobby::session_authenticated(gamehost::SessionId session, gamehost::UserId user) {
  const auto was = directory_.member_of(session);
  const auto back = [this, session, user] {
    if (user == 0) return;
    if (const auto id = directory_.room_of(user)) {
      on_room(*id, "reconnect",
              [this, session, user](Room& room) { session_back_on_lane(room, session, user); });
    }
  };
  if (was == 0 || was == user) {
    back();
    return;
  }
  // A logout, or a login as another user, on a member's connection: that member loses it
  // first, then the new user (if in a room) gets it - in this order, as the two may sit in
  // different rooms whose lanes run in parallel.
  const auto id = directory_.room_of(was);
  if (!id) {
    back();
    return;
  }
  on_room(*id, "session change", [this, session, was, back](Room& room) {
    session_lost_on_lane(room, session, was);
    back();
  });
}

void Lobby::session_closed(gamehost::SessionId session, gamehost::UserId user) {
  // The user the session played for: the member whose seat it held, if any.
  if (user == 0) return;
  if (const auto id = directory_.room_of(user)) {
    on_room(*id, "disconnect",
            [this, session, user](Room& room) { session_lost_on_lane(room, session, user); });
  }
}

void Lobby::game_over(const pb::GameOver& over) {
  if (over.game_id() == 0 || directory_.find(over.room_id()) == nullptr) {
    host_.log_debug("game over for room ", over.room_id(), " game ", over.game_id(),
                    ": no such room");
    return;
  }
  on_room(over.room_id(), "game over", [this, over](Room& room) {
    if (room.game_id != over.game_id()) {
      host_.log_debug("game over for room ", room.id, " game ", over.game_id(),
                      ": no such game running");
      return;
    }
    end_game(room, over.reason());
  });
}

void Lobby::sweep() {
  for (const auto id : directory_.due(host_.now_ms())) {
    on_room(id, "sweep", [this](Room& room) { sweep_on_lane(room); });
  }
}

// ---- Handover state -------------------------------------------------------------------------

pb::Snapshot Lobby::save() const {
  pb::Snapshot out;
  out.set_next_joined_order(next_joined_order_.load());
  directory_.for_each([&](const Room& room) {
    auto* r = out.add_rooms();
    r->set_room_id(room.id);
    r->set_name(room.name);
    r->set_game_type(room.game_type);
    r->set_seats(room.seats);
    r->set_password(room.password);
    r->set_owner_user_id(room.owner);
    r->set_phase(static_cast<std::uint32_t>(room.phase));
    r->set_game_id(room.game_id);
    r->set_version(room.version);
    r->set_game_started_ms(room.game_started_ms);
    for (const auto& m : room.members) {
      auto* s = r->add_members();
      s->set_user_id(m.user);
      s->set_seat(m.seat);
      s->set_ready(m.ready);
      s->set_reserved(m.reserved);
      s->set_session_id(m.session);
      s->set_deadline_ms(m.deadline_ms);
      s->set_joined_order(m.joined_order);
    }
  });
  return out;
}

void Lobby::restore(const pb::Snapshot& snapshot) {
  // In the constructor: no lane runs yet, so the rooms are filled here.
  next_joined_order_ = std::max<std::uint64_t>(1, snapshot.next_joined_order());
  const auto now = host_.now_ms();
  for (const auto& r : snapshot.rooms()) {
    auto owned = std::make_unique<Room>();
    Room& room = *owned;
    room.id = r.room_id();
    room.name = r.name();
    room.game_type = r.game_type();
    room.seats = r.seats();
    room.password = r.password();
    room.owner = r.owner_user_id();
    room.phase = r.phase() == pb::PHASE_PLAYING ? pb::PHASE_PLAYING : pb::PHASE_WAITING;
    room.game_id = r.game_id();
    room.version = r.version();
    room.game_started_ms = r.game_started_ms();
    host_.key_open(room.id);
    for (const auto& saved : r.members()) {
      Seat s;
      s.user = saved.user_id();
      s.seat = saved.seat();
      s.ready = saved.ready();
      s.reserved = saved.reserved();
      s.session = saved.session_id();
      s.deadline_ms = saved.deadline_ms();
      s.joined_order = saved.joined_order();
      // A session that closed while the builds changed hands is treated as dropped now.
      if (s.session != 0 && !host_.session_info(s.session)) {
        s.session = 0;
        if (!s.reserved) s.deadline_ms = now + settings_.reconnect_grace_ms;
      }
      room.members.push_back(s);
      directory_.claim(s.user, room.id);
      attach(room, s.session, s.user);
    }
    directory_.insert(std::move(owned), true);
    directory_.publish(room, due_ms(room));
  }
}

}  // namespace gh_room
