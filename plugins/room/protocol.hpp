// Internal to the room plugin: its client message types and their ids, declared once.
// Range 2000-2099 (2080-2099 are error codes, errors.hpp).
#pragma once

#include <gamehost/messages.hpp>

#include "room.pb.h"

#define ROOM_MESSAGES(X)               \
  X(2000, gamehost::room::CreateRoom)  \
  X(2001, gamehost::room::RoomState)   \
  X(2002, gamehost::room::ListRooms)   \
  X(2003, gamehost::room::RoomList)    \
  X(2004, gamehost::room::JoinRoom)    \
  X(2005, gamehost::room::LeaveRoom)   \
  X(2006, gamehost::room::RoomLeft)    \
  X(2007, gamehost::room::SetReady)    \
  X(2008, gamehost::room::KickMember)  \
  X(2009, gamehost::room::QuickMatch)  \
  X(2010, gamehost::room::RoomUpdate)  \
  X(2011, gamehost::room::MatchFound)  \
  X(2012, gamehost::room::ConfirmSeat) \
  X(2013, gamehost::room::SendChat)    \
  X(2014, gamehost::room::GetRoom)
GAMEHOST_MESSAGES(ROOM_MESSAGES)
