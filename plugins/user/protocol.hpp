// Internal to the user plugin: its client message types and their ids, declared once
// (handle<>, reply and the tests take the ids from here). Range 1100-1199.
#pragma once

#include <gamehost/messages.hpp>

#include "user.pb.h"

#define USER_MESSAGES(X)                      \
  X(1100, gamehost::user::GetProfile)         \
  X(1101, gamehost::user::Profile)            \
  X(1102, gamehost::user::UpdateProfile)      \
  X(1103, gamehost::user::UpdateProfileReply) \
  X(1104, gamehost::user::GetPublicProfile)   \
  X(1105, gamehost::user::PublicProfile)      \
  X(1106, gamehost::user::GetBalance)         \
  X(1107, gamehost::user::Balance)            \
  X(1108, gamehost::user::GetLedger)          \
  X(1109, gamehost::user::Ledger)
GAMEHOST_MESSAGES(USER_MESSAGES)
