// Internal to the auth plugin: its message types and their ids, declared once (handle<>,
// reply and the tests take the ids from here). All inside the plugin's range 1000-1099.
#pragma once

#include <gamehost/messages.hpp>

#include "auth.pb.h"

// LoginReply (1001) answers all four login requests.
#define AUTH_MESSAGES(X)                          \
  X(1000, gamehost::auth::RegisterRequest)        \
  X(1001, gamehost::auth::LoginReply)             \
  X(1002, gamehost::auth::LoginRequest)           \
  X(1004, gamehost::auth::GuestLoginRequest)      \
  X(1006, gamehost::auth::TokenLoginRequest)      \
  X(1010, gamehost::auth::LogoutRequest)          \
  X(1011, gamehost::auth::LogoutReply)            \
  X(1012, gamehost::auth::BindCredentialsRequest) \
  X(1013, gamehost::auth::BindCredentialsReply)
GAMEHOST_MESSAGES(AUTH_MESSAGES)
