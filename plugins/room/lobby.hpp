// Internal to the room plugin: every room of this build, who sits where, and the rules of
// creating, finding, joining and leaving them. Runs on the plugin's queue only (no lock).
//
// Each request handler answers its sender with exactly one message (or throws
// ClientError, which the SDK answers as an Error frame and which changes nothing) and sends
// the room's other members one RoomUpdate per change.
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "room.hpp"
#include "room_events.pb.h"
#include "room_state.pb.h"
#include "settings.hpp"

namespace gh_room {

class Lobby {
 public:
  Lobby(gamehost::Host& host, const Settings& settings) : host_(host), settings_(settings) {}

  void create(const gamehost::Request& req, const gamehost::room::CreateRoom& in);
  void list(const gamehost::Request& req, const gamehost::room::ListRooms& in) const;
  void join(const gamehost::Request& req, const gamehost::room::JoinRoom& in);
  void leave(const gamehost::Request& req);
  void set_ready(const gamehost::Request& req, const gamehost::room::SetReady& in);
  void kick(const gamehost::Request& req, const gamehost::room::KickMember& in);
  void quick_match(const gamehost::Request& req, const gamehost::room::QuickMatch& in);
  void confirm(const gamehost::Request& req, const gamehost::room::ConfirmSeat& in);
  void chat(const gamehost::Request& req, const gamehost::room::SendChat& in);
  void get(const gamehost::Request& req) const;

  // A member logged in again (a reconnect): back in the seat, sent the whole room.
  void session_back(gamehost::SessionId session, gamehost::UserId user);
  // A member's connection closed: the seat is kept for reconnect_grace_ms.
  void session_lost(gamehost::SessionId session, gamehost::UserId user);
  // The connection no longer plays for the member it did (closed, logged out, or logged in
  // as someone else): as session_lost for that member, if any.
  // `still`: the user now logged in on it (nothing happens when that is the same member).
  void session_gone(gamehost::SessionId session, gamehost::UserId still = 0);
  // The game plugin says the room's game ended: the room waits for ready again.
  void game_over(const gamehost::room::GameOver& over);
  // Ends what is due: unconfirmed reservations, expired grace periods, games that never
  // reported their end.
  void sweep();

  gamehost::room::Snapshot save() const;
  void restore(const gamehost::room::Snapshot& snapshot);

  std::size_t room_count() const { return rooms_.size(); }

 private:
  Room& room_of(gamehost::UserId user);
  const Room* find_room_of(gamehost::UserId user) const;
  Room& open_room(std::string name, std::string game_type, std::uint32_t seats,
                  std::string password, gamehost::UserId owner);
  Seat& seat(Room& room, gamehost::UserId user, gamehost::SessionId session, bool reserved);
  // Takes the member out; tells them (RoomLeft) when tell_member, the others a RoomUpdate
  // (all but `except`; copied to *left_update), passes the ownership on, and closes the
  // room when it is empty (then `room` is destroyed).
  void remove(Room& room, gamehost::UserId user, gamehost::room::LeaveReason reason,
              bool tell_member, gamehost::SessionId except,
              gamehost::room::RoomUpdate* left_update);
  void start_game(Room& room);
  void end_game(Room& room, const std::string& reason);
  void attach(const Room& room, gamehost::SessionId session, gamehost::UserId user);
  void detach(const Room& room, gamehost::SessionId session);
  void broadcast(const Room& room, const gamehost::room::RoomUpdate& update,
                 gamehost::SessionId except = 0);
  const GameSeats& game(const std::string& type) const;

  gamehost::Host& host_;
  const Settings& settings_;
  std::map<std::uint64_t, Room> rooms_;  // by id: ids grow, so this is creation order
  std::unordered_map<gamehost::UserId, std::uint64_t> room_of_user_;
  std::unordered_map<gamehost::SessionId, gamehost::UserId> member_of_session_;
  std::uint64_t next_joined_order_ = 1;
};

}  // namespace gh_room
