// Internal to the room plugin: the rules of creating, finding, joining and leaving rooms.
//
// Threading: each room runs on the keyed lane of its id - rooms in parallel across the
// host's workers, in order within a room. The public methods run on the plugin's queue:
// a request handler checks what it can there, claims the user's room in the Directory (so a
// session's pipelined requests follow it into the room it is joining), and posts the rest
// to that room's lane. The private *_on_lane methods run on the lane of the room they are
// given and are the only code that reads or changes a Room.
//
// Each request is answered with exactly one message: its reply, or an Error frame (a
// ClientError thrown on the queue or on the lane), and a refusal changes nothing. The
// room's other members get one RoomUpdate per change.
#pragma once

#include <gamehost/plugin.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "directory.hpp"
#include "room.hpp"
#include "room_events.pb.h"
#include "room_state.pb.h"
#include "settings.hpp"

namespace gh_room {

class Lobby {
 public:
  Lobby(gamehost::Plugin& plugin, const Settings& settings);

  // ---- Client requests (on the queue) ----------------------------------------------------
  void create(const gamehost::Request& req, const gamehost::room::CreateRoom& in);
  void list(const gamehost::Request& req, const gamehost::room::ListRooms& in) const;
  void join(const gamehost::Request& req, const gamehost::room::JoinRoom& in);
  void leave(const gamehost::Request& req);
  void set_ready(const gamehost::Request& req, const gamehost::room::SetReady& in);
  void kick(const gamehost::Request& req, const gamehost::room::KickMember& in);
  void quick_match(const gamehost::Request& req, const gamehost::room::QuickMatch& in);
  void confirm(const gamehost::Request& req, const gamehost::room::ConfirmSeat& in);
  void chat(const gamehost::Request& req, const gamehost::room::SendChat& in);
  void get(const gamehost::Request& req);

  // ---- What the host and the game plugins tell (on the queue) ----------------------------
  // `session` now plays for `user` (0: logged out). A member it played for until now loses
  // the connection; a member `user` is gets it back (a reconnect: the whole room is sent).
  void session_authenticated(gamehost::SessionId session, gamehost::UserId user);
  // The member the session played for keeps the seat for reconnect_grace_ms.
  void session_closed(gamehost::SessionId session, gamehost::UserId user);
  // The game plugin says the room's game ended: the room waits for ready again.
  void game_over(const gamehost::room::GameOver& over);
  // Ends what is due in each room that published a due time: unconfirmed reservations,
  // expired grace periods, games that never reported their end.
  void sweep();

  // For export_state, which runs while no lane does; and for the constructor.
  gamehost::room::Snapshot save() const;
  void restore(const gamehost::room::Snapshot& snapshot);
  std::size_t room_count() const { return directory_.size(); }

 private:
  using LaneFn = std::function<void(Room&)>;

  // ---- Queue side ------------------------------------------------------------------------
  // The room the user sits in (or is joining), else ClientError(kErrNotInRoom).
  std::uint64_t room_of(gamehost::UserId user) const;
  // On the lane of `id`: runs fn with the room (nullptr when it is gone), answers a failure
  // to the sender, releases the user from the room when the request left them no member of
  // it (a refused join, a leave), and publishes what changed.
  void run_request(const gamehost::Request& req, std::uint64_t id,
                   const std::function<void(Room*)>& fn);
  // Runs fn on the lane of room `id` with that room; when it is gone by then, answers
  // `missing` instead. A ClientError from fn is answered to the sender. Afterwards a user
  // who is no member of the room is released from it (a refused join, a leave), and the
  // room publishes its summary. Throws ClientError(BUSY) when the lane is full; the caller
  // then undoes its claim.
  void on_room(const gamehost::Request& req, std::uint64_t id, std::uint32_t missing, LaneFn fn);
  // The same for work no client waits for (session events, game over, the sweep): a full
  // lane is logged, as is any failure.
  void on_room(std::uint64_t id, const char* what, LaneFn fn);
  // Opens an empty room, owned by `owner`; throws kErrTooManyRooms or BUSY (a draining
  // build opens no rooms). The caller claims a seat in it for its user at once.
  std::uint64_t open_room(std::string name, std::string game_type, std::uint32_t seats,
                          std::string password, gamehost::UserId owner);
  // A room opened whose first task could not be posted: left to the sweep, which closes
  // it while it is empty.
  void abandon_room(std::uint64_t id);
  // Quick match's next room after `tried` (0: none): an open room of the game type, claimed
  // for the user, or a new one; posted to its lane. Used on the queue and on lanes.
  void match(const gamehost::Request& req, const std::string& game_type,
             std::vector<std::uint64_t> tried);

  // ---- Lane side (on the lane of `room`) --------------------------------------------------
  // The member `user` of the room, else ClientError(kErrNotInRoom).
  static Seat& member(Room& room, gamehost::UserId user);
  void join_on_lane(const gamehost::Request& req, Room& room, const std::string& password);
  void set_ready_on_lane(const gamehost::Request& req, Room& room, bool ready);
  void confirm_on_lane(const gamehost::Request& req, Room& room);
  void chat_on_lane(const gamehost::Request& req, Room& room, const std::string& text);
  void quick_match_on_lane(const gamehost::Request& req, Room& room, const std::string& game_type,
                           const std::vector<std::uint64_t>& tried);
  void session_back_on_lane(Room& room, gamehost::SessionId session, gamehost::UserId user);
  void session_lost_on_lane(Room& room, gamehost::SessionId session, gamehost::UserId user);
  void sweep_on_lane(Room& room);
  // Seats the user (reserved: quick-matched, to be confirmed) in the lowest free seat and
  // attaches the session; returns attach's answer (false: the caller, once it has answered,
  // treats the member as dropped).
  bool seat(Room& room, gamehost::UserId user, gamehost::SessionId session, bool reserved);
  // Takes the member out; tells them (RoomLeft) when tell_member, the others a RoomUpdate
  // (all but `except`; copied to *left_update), passes the ownership on, and closes the
  // room when it is empty. False when the room closed (`room` is destroyed then).
  bool remove(Room& room, gamehost::UserId user, gamehost::room::LeaveReason reason,
              bool tell_member, gamehost::SessionId except,
              gamehost::room::RoomUpdate* left_update);
  void start_game(Room& room);
  // False when the room closed (its last members' grace ran out during the game).
  bool end_game(Room& room, const std::string& reason);
  // Joins the session to the room's group and drain key. False when the session no longer
  // plays for `user` (it closed or logged in as someone else before this lane ran): the
  // caller then treats the member as dropped.
  bool attach(const Room& room, gamehost::SessionId session, gamehost::UserId user);
  // The session leaves the room's group and key (and the directory, if it still plays for
  // `user` there).
  void detach(const Room& room, gamehost::SessionId session, gamehost::UserId user);
  void broadcast(const Room& room, const gamehost::room::RoomUpdate& update,
                 gamehost::SessionId except = 0);
  // When the room next needs the sweep (0: never): the earliest reservation end, grace end
  // of a member who dropped while waiting, or the game's max_game_ms.
  std::uint64_t due_ms(const Room& room) const;

  const GameSeats& game(const std::string& type) const;

  gamehost::Plugin& plugin_;
  gamehost::Host& host_;
  const Settings& settings_;
  Directory directory_;
  std::atomic<std::uint64_t> next_joined_order_{1};
};

}  // namespace gh_room
