// The lane side of the lobby: everything that reads or changes a Room, run on the keyed
// lane of its id (lobby.hpp). Rooms run here in parallel; nothing here touches another
// room, and what other threads need (who sits where, the summaries) goes through the
// Directory.
#include <algorithm>
#include <tuple>
#include <vector>

#include "errors.hpp"
#include "lobby.hpp"
#include "protocol.hpp"
#include "room_events.hpp"

namespace gh_room {
namespace {

namespace pb = gamehost::room;
using gamehost::ClientError;

bool open_for(const Room& room, const std::string& game_type) {
  return room.game_type == game_type && room.phase == pb::PHASE_WAITING && !room.full() &&
         room.password.empty();
}

}  // namespace

Seat& Lobby::member(Room& room, gamehost::UserId user) {
  Seat* s = room.find(user);
  if (s == nullptr) throw ClientError(kErrNotInRoom, "you are not in a room");
  return *s;
}

bool Lobby::seat(Room& room, gamehost::UserId user, gamehost::SessionId session, bool reserved) {
  Seat s;
  s.user = user;
  s.seat = room.free_seat();
  s.reserved = reserved;
  s.session = session;
  s.joined_order = next_joined_order_++;
  if (reserved) s.deadline_ms = host_.now_ms() + settings_.reserve_ms;
  room.members.push_back(s);
  return attach(room, session, user);
}

bool Lobby::attach(const Room& room, gamehost::SessionId session, gamehost::UserId user) {
  if (session == 0) return true;
  directory_.set_member(session, user);
  host_.join_group(room.group(), session);
  host_.key_bind(room.id, session);
  // Set first, checked after: a close or another login the queue handles from now on finds
  // the member and posts its loss here; one that came before is seen now.
  const auto info = host_.session_info(session);
  return info && info->user == user;
}

void Lobby::detach(const Room& room, gamehost::SessionId session, gamehost::UserId user) {
  if (session == 0) return;
  directory_.clear_member(session, user);
  host_.leave_group(room.group(), session);
  host_.key_bind(0, session);
}

void Lobby::broadcast(const Room& room, const pb::RoomUpdate& update, gamehost::SessionId except) {
  host_.send_group(room.group(), update, except);
}

std::uint64_t Lobby::due_ms(const Room& room) const {
  if (room.members.empty()) return 1;  // opened, nobody seated: the sweep closes it
  std::uint64_t due = 0;
  const auto take = [&due](std::uint64_t at) {
    if (at != 0 && (due == 0 || at < due)) due = at;
  };
  if (room.phase == pb::PHASE_PLAYING) take(room.game_started_ms + settings_.max_game_ms);
  for (const auto& m : room.members) {
    if (m.reserved || (m.session == 0 && room.phase == pb::PHASE_WAITING)) take(m.deadline_ms);
  }
  return due;
}

bool Lobby::remove(Room& room, gamehost::UserId user, pb::LeaveReason reason, bool tell_member,
                   gamehost::SessionId except, pb::RoomUpdate* left_update) {
  const auto it = std::find_if(room.members.begin(), room.members.end(),
                               [user](const Seat& s) { return s.user == user; });
  if (it == room.members.end()) return true;
  const auto session = it->session;
  room.members.erase(it);
  directory_.release(user, room.id);
  detach(room, session, user);
  if (tell_member && session != 0) {
    pb::RoomLeft left;
    left.set_room_id(room.id);
    left.set_reason(reason);
    host_.send(session, left);
  }
  if (room.members.empty()) {
    host_.key_close(room.id);
    directory_.erase(room.id);  // `room` is gone from here on
    return false;
  }
  auto update = room.next_update();
  auto* gone = update.mutable_member_left();
  gone->set_user_id(user);
  gone->set_reason(reason);
  broadcast(room, update, except);
  if (left_update != nullptr) *left_update = update;
  if (room.owner != user) return true;
  // The member who joined first takes over; a confirmed member before a reserved one.
  const auto next =
      std::min_element(room.members.begin(), room.members.end(), [](const Seat& a, const Seat& b) {
        return std::tie(a.reserved, a.joined_order) < std::tie(b.reserved, b.joined_order);
      });
  room.owner = next->user;
  auto owner = room.next_update();
  owner.set_owner_changed(room.owner);
  broadcast(room, owner);
  return true;
}

void Lobby::join_on_lane(const gamehost::Request& req, Room& room, const std::string& password) {
  if (const Seat* s = room.find(req.user); s != nullptr) {
    if (s->reserved) {
      throw ClientError(kErrReservedSeat, "confirm the quick-matched seat with ConfirmSeat");
    }
    req.reply(room.state());  // already a member: joining again changes nothing
    return;
  }
  if (room.phase != pb::PHASE_WAITING) throw ClientError(kErrGameRunning, "the room is playing");
  if (!room.password.empty() && password != room.password) {
    throw ClientError(kErrWrongPassword, "wrong room password");
  }
  if (room.full()) throw ClientError(kErrRoomFull, "every seat is taken");
  const bool live = seat(room, req.user, req.session, false);
  auto update = room.next_update();
  *update.mutable_member_joined() = room.find(req.user)->message();
  broadcast(room, update, req.session);
  req.reply(room.state());
  if (!live) session_lost_on_lane(room, req.session, req.user);
}

void Lobby::set_ready_on_lane(const gamehost::Request& req, Room& room, bool ready) {
  Seat& s = member(room, req.user);
  if (s.reserved) throw ClientError(kErrReservedSeat, "confirm the seat first");
  if (room.phase != pb::PHASE_WAITING) throw ClientError(kErrGameRunning, "the room is playing");
  if (s.ready == ready) {
    pb::RoomUpdate same;  // nothing changed: the member as it is, at the current version
    same.set_room_id(room.id);
    same.set_version(room.version);
    *same.mutable_member_changed() = s.message();
    req.reply(same);
    return;
  }
  s.ready = ready;
  auto update = room.next_update();
  *update.mutable_member_changed() = s.message();
  broadcast(room, update, req.session);
  req.reply(update);
  if (room.all_ready()) start_game(room);
}

void Lobby::quick_match_on_lane(const gamehost::Request& req, Room& room,
                                const std::string& game_type,
                                const std::vector<std::uint64_t>& tried) {
  if (const Seat* s = room.find(req.user); s != nullptr) {
    if (!s->reserved) throw ClientError(kErrAlreadyInRoom, "leave your room first");
    pb::MatchFound again;  // asked twice: the same seat, with the time that is left
    again.set_room_id(room.id);
    again.set_seat(s->seat);
    const auto now = host_.now_ms();
    again.set_confirm_within_ms(
        static_cast<std::uint32_t>(s->deadline_ms > now ? s->deadline_ms - now : 0));
    req.reply(again);
    return;
  }
  if (!open_for(room, game_type)) {
    // Filled, started or closed to matching since the queue chose it: the next room.
    directory_.release(req.user, room.id);
    auto next = tried;
    next.push_back(room.id);
    match(req, game_type, std::move(next));
    return;
  }
  const bool live = seat(room, req.user, req.session, true);
  const Seat& s = *room.find(req.user);
  if (room.members.size() > 1) {
    auto update = room.next_update();
    *update.mutable_member_joined() = s.message();
    broadcast(room, update, req.session);
  }
  pb::MatchFound out;
  out.set_room_id(room.id);
  out.set_seat(s.seat);
  out.set_confirm_within_ms(static_cast<std::uint32_t>(settings_.reserve_ms));
  req.reply(out);
  if (!live) session_lost_on_lane(room, req.session, req.user);
}

void Lobby::confirm_on_lane(const gamehost::Request& req, Room& room) {
  Seat* s = room.find(req.user);
  if (s == nullptr) {
    throw ClientError(kErrNoReservation,
                      gamehost::concat("no seat held for you in room ", room.id));
  }
  if (s->reserved) {
    s->reserved = false;
    s->deadline_ms = 0;
    auto update = room.next_update();
    *update.mutable_member_changed() = s->message();
    broadcast(room, update, req.session);
  }
  req.reply(room.state());
}

void Lobby::chat_on_lane(const gamehost::Request& req, Room& room, const std::string& text) {
  Seat& s = member(room, req.user);
  if (s.reserved) throw ClientError(kErrReservedSeat, "confirm the seat first");
  if (!s.chat.take(host_.now_ms(), settings_.chat_burst, settings_.chat_per_minute)) {
    throw ClientError(kErrChatTooFast, "too many chat lines; wait a little");
  }
  pb::RoomUpdate update;  // chat changes no state: the version stays
  update.set_room_id(room.id);
  update.set_version(room.version);
  auto* line = update.mutable_chat();
  line->set_user_id(req.user);
  line->set_text(text);
  broadcast(room, update, req.session);
  req.reply(update);
}

void Lobby::start_game(Room& room) {
  room.phase = pb::PHASE_PLAYING;
  room.game_id = host_.next_id();
  room.game_started_ms = host_.now_ms();
  pb::GameStart start;
  start.set_room_id(room.id);
  start.set_game_id(room.game_id);
  start.set_game_type(room.game_type);
  std::vector<const Seat*> by_seat;
  for (auto& m : room.members) {
    m.ready = false;  // the next game needs a new "ready" from everyone
    by_seat.push_back(&m);
  }
  std::sort(by_seat.begin(), by_seat.end(), [](auto* a, auto* b) { return a->seat < b->seat; });
  for (const auto* m : by_seat) {
    auto* p = start.add_players();
    p->set_seat(m->seat);
    p->set_user_id(m->user);
    p->set_session_id(m->session);
  }
  auto update = room.next_update();
  update.set_game_started(room.game_id);
  broadcast(room, update);  // before the game plugin hears of it, so clients see it first
  host_.publish(kGameStartTopic, start);
  host_.log_info("room ", room.id, " starts ", room.game_type, " game ", room.game_id);
}

bool Lobby::end_game(Room& room, const std::string& reason) {
  const auto game_id = room.game_id;
  room.phase = pb::PHASE_WAITING;
  room.game_id = 0;
  room.game_started_ms = 0;
  auto update = room.next_update();
  update.set_game_over(game_id);
  broadcast(room, update);
  if (!reason.empty()) host_.log_warn("room ", room.id, " game ", game_id, " ended: ", reason);
  // Members who dropped during the game and did not come back in time leave now.
  const auto now = host_.now_ms();
  std::vector<gamehost::UserId> gone;
  for (const auto& m : room.members) {
    if (m.session == 0 && m.deadline_ms != 0 && m.deadline_ms <= now) gone.push_back(m.user);
  }
  for (const auto user : gone) {
    if (!remove(room, user, pb::GRACE_EXPIRED, true, 0, nullptr)) return false;
  }
  return true;
}

void Lobby::session_back_on_lane(Room& room, gamehost::SessionId session, gamehost::UserId user) {
  Seat* s = room.find(user);
  if (s == nullptr || s->session == session) return;
  detach(room, s->session, user);  // a second login of the same user: the older session leaves
  s->session = session;
  if (!s->reserved) s->deadline_ms = 0;
  const bool live = attach(room, session, user);
  auto update = room.next_update();
  *update.mutable_member_changed() = s->message();
  broadcast(room, update, session);
  host_.send(session, room.state());
  if (!live) {
    session_lost_on_lane(room, session, user);
    return;
  }
  if (room.phase == pb::PHASE_WAITING && room.all_ready()) start_game(room);
}

void Lobby::session_lost_on_lane(Room& room, gamehost::SessionId session, gamehost::UserId user) {
  Seat* s = room.find(user);
  if (s == nullptr || s->session != session) return;  // an older session of a user back since
  detach(room, session, user);
  s->session = 0;
  if (!s->reserved) {
    if (settings_.reconnect_grace_ms == 0 && room.phase == pb::PHASE_WAITING) {
      remove(room, user, pb::GRACE_EXPIRED, false, 0, nullptr);
      return;
    }
    s->deadline_ms = host_.now_ms() + settings_.reconnect_grace_ms;
  }
  auto update = room.next_update();
  *update.mutable_member_changed() = s->message();
  broadcast(room, update);
}

void Lobby::sweep_on_lane(Room& room) {
  if (room.members.empty()) {  // its creator's first task never came (lane full)
    host_.key_close(room.id);
    directory_.erase(room.id);
    return;
  }
  const auto now = host_.now_ms();
  if (room.phase == pb::PHASE_PLAYING && now - room.game_started_ms >= settings_.max_game_ms) {
    if (!end_game(room, "no game over within max_game_ms")) return;
  }
  std::vector<std::tuple<gamehost::UserId, pb::LeaveReason>> due;
  for (const auto& m : room.members) {
    if (m.deadline_ms == 0 || m.deadline_ms > now) continue;
    if (m.reserved) {
      due.emplace_back(m.user, pb::RESERVATION_EXPIRED);
    } else if (m.session == 0 && room.phase == pb::PHASE_WAITING) {
      due.emplace_back(m.user, pb::GRACE_EXPIRED);
    }
  }
  for (const auto& [user, reason] : due) {
    if (!remove(room, user, reason, true, 0, nullptr)) return;
  }
}

}  // namespace gh_room
