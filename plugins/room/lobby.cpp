#include "lobby.hpp"

#include <gamehost/text.hpp>

#include <algorithm>
#include <tuple>
#include <vector>

#include "errors.hpp"
#include "protocol.hpp"
#include "room_events.hpp"

namespace gh_room {
namespace {

namespace pb = gamehost::room;
using gamehost::ClientError;
using gamehost::concat;

constexpr std::uint32_t kDefaultPageSize = 20;
constexpr std::uint32_t kMaxPageSize = 50;

void check_text(const std::string& text, std::uint32_t max, const char* what) {
  if (text.size() > max)
    throw ClientError(kErrBadText, concat(what, " is longer than ", max, " bytes"));
  if (!gamehost::is_clean_text(text)) {
    throw ClientError(kErrBadText, concat(what, " is not clean UTF-8 text"));
  }
}

}  // namespace

const GameSeats& Lobby::game(const std::string& type) const {
  const auto it = settings_.games.find(type);
  if (it == settings_.games.end()) {
    throw ClientError(kErrUnknownGameType, concat("no game type \"", type, "\" on this server"));
  }
  return it->second;
}

const Room* Lobby::find_room_of(gamehost::UserId user) const {
  const auto it = room_of_user_.find(user);
  return it == room_of_user_.end() ? nullptr : &rooms_.at(it->second);
}

Room& Lobby::room_of(gamehost::UserId user) {
  const auto it = room_of_user_.find(user);
  if (it == room_of_user_.end()) throw ClientError(kErrNotInRoom, "you are not in a room");
  return rooms_.at(it->second);
}

Room& Lobby::open_room(std::string name, std::string game_type, std::uint32_t seats,
                       std::string password, gamehost::UserId owner) {
  if (rooms_.size() >= settings_.max_rooms) {
    throw ClientError(kErrTooManyRooms, "the server has as many rooms as it allows; try later");
  }
  const auto id = host_.next_id();
  // A draining old build opens no rooms (its sessions are all in rooms; this is a guard).
  if (!host_.try_key_open(id)) {
    throw ClientError(GH_CODE_BUSY, "the room service is switching builds; try again");
  }
  Room& room = rooms_[id];
  room.id = id;
  room.name = std::move(name);
  room.game_type = std::move(game_type);
  room.seats = seats;
  room.password = std::move(password);
  room.owner = owner;
  room.version = 1;  // its key (opened above) keeps it on this build during a drain reload
  return room;
}

Seat& Lobby::seat(Room& room, gamehost::UserId user, gamehost::SessionId session, bool reserved) {
  Seat s;
  s.user = user;
  s.seat = room.free_seat();
  s.reserved = reserved;
  s.session = session;
  s.joined_order = next_joined_order_++;
  if (reserved) s.deadline_ms = host_.now_ms() + settings_.reserve_ms;
  room.members.push_back(s);
  room_of_user_[user] = room.id;
  attach(room, session, user);
  return room.members.back();
}

void Lobby::attach(const Room& room, gamehost::SessionId session, gamehost::UserId user) {
  if (session == 0) return;
  member_of_session_[session] = user;
  host_.join_group(room.group(), session);
  host_.key_bind(room.id, session);
}

void Lobby::detach(const Room& room, gamehost::SessionId session) {
  if (session == 0) return;
  member_of_session_.erase(session);
  host_.leave_group(room.group(), session);
  host_.key_bind(0, session);
}

void Lobby::broadcast(const Room& room, const pb::RoomUpdate& update, gamehost::SessionId except) {
  host_.send_group(room.group(), update, except);
}

void Lobby::remove(Room& room, gamehost::UserId user, pb::LeaveReason reason, bool tell_member,
                   gamehost::SessionId except, pb::RoomUpdate* left_update) {
  const auto it = std::find_if(room.members.begin(), room.members.end(),
                               [user](const Seat& s) { return s.user == user; });
  if (it == room.members.end()) return;
  const auto session = it->session;
  room.members.erase(it);
  room_of_user_.erase(user);
  detach(room, session);
  if (tell_member && session != 0) {
    pb::RoomLeft left;
    left.set_room_id(room.id);
    left.set_reason(reason);
    host_.send(session, left);
  }
  if (room.members.empty()) {
    host_.key_close(room.id);
    rooms_.erase(room.id);  // `room` is gone from here on
    return;
  }
  auto update = room.next_update();
  auto* gone = update.mutable_member_left();
  gone->set_user_id(user);
  gone->set_reason(reason);
  broadcast(room, update, except);
  if (left_update != nullptr) *left_update = update;
  if (room.owner != user) return;
  // The member who joined first takes over; a confirmed member before a reserved one.
  const auto next =
      std::min_element(room.members.begin(), room.members.end(), [](const Seat& a, const Seat& b) {
        return std::tie(a.reserved, a.joined_order) < std::tie(b.reserved, b.joined_order);
      });
  room.owner = next->user;
  auto owner = room.next_update();
  owner.set_owner_changed(room.owner);
  broadcast(room, owner);
}

void Lobby::create(const gamehost::Request& req, const pb::CreateRoom& in) {
  if (find_room_of(req.user) != nullptr) {
    throw ClientError(kErrAlreadyInRoom, "leave your room first");
  }
  const auto& g = game(in.game_type());
  const auto seats = in.seats() == 0 ? g.preferred : in.seats();
  if (seats < g.min || seats > g.max) {
    throw ClientError(kErrBadSeats, concat(in.game_type(), " rooms have ", g.min,
                                           g.max == g.min ? "" : concat("-", g.max), " seats"));
  }
  check_text(in.name(), settings_.max_name_length, "the room name");
  check_text(in.password(), settings_.max_password_length, "the password");
  Room& room = open_room(in.name().empty() ? in.game_type() : in.name(), in.game_type(), seats,
                         in.password(), req.user);
  seat(room, req.user, req.session, false);
  req.reply(room.state());
}

void Lobby::list(const gamehost::Request& req, const pb::ListRooms& in) const {
  const auto page = in.page_size() == 0 ? kDefaultPageSize : std::min(in.page_size(), kMaxPageSize);
  pb::RoomList out;
  for (auto it = rooms_.upper_bound(in.after_room_id()); it != rooms_.end(); ++it) {
    const Room& room = it->second;
    if (!in.game_type().empty() && room.game_type != in.game_type()) continue;
    if (in.open_only() &&
        (room.phase != pb::PHASE_WAITING || room.full() || !room.password.empty())) {
      continue;
    }
    if (static_cast<std::uint32_t>(out.rooms_size()) == page) {
      out.set_next_after_room_id(out.rooms(out.rooms_size() - 1).room_id());
      break;
    }
    *out.add_rooms() = room.summary();
  }
  req.reply(out);
}

void Lobby::join(const gamehost::Request& req, const pb::JoinRoom& in) {
  const auto it = rooms_.find(in.room_id());
  if (it == rooms_.end()) throw ClientError(kErrNoSuchRoom, concat("no room ", in.room_id()));
  Room& room = it->second;
  if (const Room* current = find_room_of(req.user); current != nullptr) {
    if (current != &room) throw ClientError(kErrAlreadyInRoom, "leave your room first");
    if (room.find(req.user)->reserved) {
      throw ClientError(kErrReservedSeat, "confirm the quick-matched seat with ConfirmSeat");
    }
    req.reply(room.state());  // already a member: joining again changes nothing
    return;
  }
  if (room.phase != pb::PHASE_WAITING) throw ClientError(kErrGameRunning, "the room is playing");
  if (!room.password.empty() && in.password() != room.password) {
    throw ClientError(kErrWrongPassword, "wrong room password");
  }
  if (room.full()) throw ClientError(kErrRoomFull, "every seat is taken");
  const Seat& s = seat(room, req.user, req.session, false);
  auto update = room.next_update();
  *update.mutable_member_joined() = s.message();
  broadcast(room, update, req.session);
  req.reply(room.state());
}

void Lobby::leave(const gamehost::Request& req) {
  Room& room = room_of(req.user);
  if (room.phase != pb::PHASE_WAITING) {
    throw ClientError(kErrGameRunning, "the game is running; it plays for you if you go");
  }
  pb::RoomLeft out;
  out.set_room_id(room.id);
  out.set_reason(pb::LEFT);
  remove(room, req.user, pb::LEFT, false, req.session, nullptr);
  req.reply(out);
}

void Lobby::set_ready(const gamehost::Request& req, const pb::SetReady& in) {
  Room& room = room_of(req.user);
  Seat& s = *room.find(req.user);
  if (s.reserved) throw ClientError(kErrReservedSeat, "confirm the seat first");
  if (room.phase != pb::PHASE_WAITING) throw ClientError(kErrGameRunning, "the room is playing");
  if (s.ready == in.ready()) {
    pb::RoomUpdate same;  // nothing changed: the member as it is, at the current version
    same.set_room_id(room.id);
    same.set_version(room.version);
    *same.mutable_member_changed() = s.message();
    req.reply(same);
    return;
  }
  s.ready = in.ready();
  auto update = room.next_update();
  *update.mutable_member_changed() = s.message();
  broadcast(room, update, req.session);
  req.reply(update);
  if (room.all_ready()) start_game(room);
}

void Lobby::kick(const gamehost::Request& req, const pb::KickMember& in) {
  Room& room = room_of(req.user);
  if (room.owner != req.user) throw ClientError(kErrNotOwner, "only the room's owner may kick");
  if (room.phase != pb::PHASE_WAITING) throw ClientError(kErrGameRunning, "the room is playing");
  if (in.user_id() == req.user || room.find(in.user_id()) == nullptr) {
    throw ClientError(kErrNotAMember, concat("user ", in.user_id(), " is not another member"));
  }
  pb::RoomUpdate left;
  remove(room, in.user_id(), pb::KICKED, true, req.session, &left);
  req.reply(left);  // the owner stays, so the room does too
}

void Lobby::quick_match(const gamehost::Request& req, const pb::QuickMatch& in) {
  if (const Room* current = find_room_of(req.user); current != nullptr) {
    const Seat& s = *current->find(req.user);
    if (!s.reserved) throw ClientError(kErrAlreadyInRoom, "leave your room first");
    pb::MatchFound again;  // asked twice: the same seat, with the time that is left
    again.set_room_id(current->id);
    again.set_seat(s.seat);
    const auto now = host_.now_ms();
    again.set_confirm_within_ms(
        static_cast<std::uint32_t>(s.deadline_ms > now ? s.deadline_ms - now : 0));
    req.reply(again);
    return;
  }
  const auto& g = game(in.game_type());
  // The fullest open room of the type starts soonest; among equals the oldest.
  Room* best = nullptr;
  for (auto& [id, room] : rooms_) {
    if (room.game_type != in.game_type() || room.phase != pb::PHASE_WAITING || room.full() ||
        !room.password.empty()) {
      continue;
    }
    if (best == nullptr || room.members.size() > best->members.size()) best = &room;
  }
  if (best == nullptr) best = &open_room(in.game_type(), in.game_type(), g.preferred, "", req.user);
  const Seat& s = seat(*best, req.user, req.session, true);
  if (best->members.size() > 1) {
    auto update = best->next_update();
    *update.mutable_member_joined() = s.message();
    broadcast(*best, update, req.session);
  }
  pb::MatchFound out;
  out.set_room_id(best->id);
  out.set_seat(s.seat);
  out.set_confirm_within_ms(static_cast<std::uint32_t>(settings_.reserve_ms));
  req.reply(out);
}

void Lobby::confirm(const gamehost::Request& req, const pb::ConfirmSeat& in) {
  const auto it = room_of_user_.find(req.user);
  if (it == room_of_user_.end() || it->second != in.room_id()) {
    throw ClientError(kErrNoReservation, concat("no seat held for you in room ", in.room_id()));
  }
  Room& room = rooms_.at(it->second);
  Seat& s = *room.find(req.user);
  if (s.reserved) {
    s.reserved = false;
    s.deadline_ms = 0;
    auto update = room.next_update();
    *update.mutable_member_changed() = s.message();
    broadcast(room, update, req.session);
  }
  req.reply(room.state());
}

void Lobby::chat(const gamehost::Request& req, const pb::SendChat& in) {
  Room& room = room_of(req.user);
  Seat& s = *room.find(req.user);
  if (s.reserved) throw ClientError(kErrReservedSeat, "confirm the seat first");
  if (in.text().empty()) throw ClientError(kErrBadText, "the chat line is empty");
  check_text(in.text(), settings_.chat_max_length, "the chat line");
  if (!s.chat.take(host_.now_ms(), settings_.chat_burst, settings_.chat_per_minute)) {
    throw ClientError(kErrChatTooFast, "too many chat lines; wait a little");
  }
  pb::RoomUpdate update;  // chat changes no state: the version stays
  update.set_room_id(room.id);
  update.set_version(room.version);
  auto* line = update.mutable_chat();
  line->set_user_id(req.user);
  line->set_text(in.text());
  broadcast(room, update, req.session);
  req.reply(update);
}

void Lobby::get(const gamehost::Request& req) const {
  const Room* room = find_room_of(req.user);
  if (room == nullptr) throw ClientError(kErrNotInRoom, "you are not in a room");
  req.reply(room->state());
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

void Lobby::end_game(Room& room, const std::string& reason) {
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
  const auto id = room.id;
  std::vector<gamehost::UserId> gone;
  for (const auto& m : room.members) {
    if (m.session == 0 && m.deadline_ms != 0 && m.deadline_ms <= now) gone.push_back(m.user);
  }
  for (const auto user : gone) {
    const auto it = rooms_.find(id);
    if (it == rooms_.end()) return;
    remove(it->second, user, pb::GRACE_EXPIRED, true, 0, nullptr);
  }
}

void Lobby::game_over(const pb::GameOver& over) {
  const auto it = rooms_.find(over.room_id());
  if (it == rooms_.end() || it->second.game_id != over.game_id() || over.game_id() == 0) {
    host_.log_debug("game over for room ", over.room_id(), " game ", over.game_id(),
                    ": no such game running");
    return;
  }
  end_game(it->second, over.reason());
}

void Lobby::session_back(gamehost::SessionId session, gamehost::UserId user) {
  const auto it = room_of_user_.find(user);
  if (it == room_of_user_.end()) return;
  Room& room = rooms_.at(it->second);
  Seat& s = *room.find(user);
  if (s.session == session) return;
  detach(room, s.session);  // a second login of the same user: the older session leaves
  s.session = session;
  if (!s.reserved) s.deadline_ms = 0;
  attach(room, session, user);
  auto update = room.next_update();
  *update.mutable_member_changed() = s.message();
  broadcast(room, update, session);
  host_.send(session, room.state());
  if (room.phase == pb::PHASE_WAITING && room.all_ready()) start_game(room);
}

void Lobby::session_gone(gamehost::SessionId session, gamehost::UserId still) {
  const auto it = member_of_session_.find(session);
  if (it == member_of_session_.end() || it->second == still) return;
  const auto user = it->second;
  // A logout keeps the connection open: it leaves the room's group and key here (a closed
  // one has left them already).
  if (const auto room = room_of_user_.find(user); room != room_of_user_.end()) {
    detach(rooms_.at(room->second), session);
  }
  session_lost(session, user);
}

void Lobby::session_lost(gamehost::SessionId session, gamehost::UserId user) {
  const auto it = room_of_user_.find(user);
  if (it == room_of_user_.end()) return;
  Room& room = rooms_.at(it->second);
  Seat& s = *room.find(user);
  if (s.session != session) return;  // an older session of a user who logged in again
  member_of_session_.erase(session);
  s.session = 0;
  if (!s.reserved) {
    if (settings_.reconnect_grace_ms == 0 && room.phase == pb::PHASE_WAITING) {
      remove(room, user, pb::GRACE_EXPIRED, false, 0, nullptr);
      return;
    }
    s.deadline_ms = host_.now_ms() + settings_.reconnect_grace_ms;
  }
  auto update = room.next_update();
  *update.mutable_member_changed() = s.message();
  broadcast(room, update);
}

void Lobby::sweep() {
  const auto now = host_.now_ms();
  std::vector<std::tuple<std::uint64_t, gamehost::UserId, pb::LeaveReason>> due;
  std::vector<std::uint64_t> overtime;
  for (const auto& [id, room] : rooms_) {
    if (room.phase == pb::PHASE_PLAYING && now - room.game_started_ms >= settings_.max_game_ms) {
      overtime.push_back(id);
    }
    for (const auto& m : room.members) {
      if (m.deadline_ms == 0 || m.deadline_ms > now) continue;
      if (m.reserved) {
        due.emplace_back(id, m.user, pb::RESERVATION_EXPIRED);
      } else if (m.session == 0 && room.phase == pb::PHASE_WAITING) {
        due.emplace_back(id, m.user, pb::GRACE_EXPIRED);
      }
    }
  }
  for (const auto& [id, user, reason] : due) {
    const auto it = rooms_.find(id);
    if (it != rooms_.end()) remove(it->second, user, reason, true, 0, nullptr);
  }
  for (const auto id : overtime) {
    const auto it = rooms_.find(id);
    if (it != rooms_.end()) end_game(it->second, "no game over within max_game_ms");
  }
}

pb::Snapshot Lobby::save() const {
  pb::Snapshot out;
  out.set_next_joined_order(next_joined_order_);
  for (const auto& [id, room] : rooms_) {
    auto* r = out.add_rooms();
    r->set_room_id(id);
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
  }
  return out;
}

void Lobby::restore(const pb::Snapshot& snapshot) {
  next_joined_order_ = std::max<std::uint64_t>(1, snapshot.next_joined_order());
  const auto now = host_.now_ms();
  for (const auto& r : snapshot.rooms()) {
    Room& room = rooms_[r.room_id()];
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
      room_of_user_[s.user] = room.id;
      attach(room, s.session, s.user);
    }
  }
}

}  // namespace gh_room
