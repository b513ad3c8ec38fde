// The echo example's message ids and error codes, declared once: handle<>, reply, send and
// the tests take the ids from here. Everything lies in the plugin's range 90000-90099.
#pragma once

#include <gamehost/messages.hpp>

#include <cstdint>

#include "echo.pb.h"

// [echo-messages]
#define ECHO_MESSAGES(X)                \
  X(90000, gamehost::echo::EchoRequest) \
  X(90001, gamehost::echo::EchoReply)   \
  X(90002, gamehost::echo::JoinGroup)   \
  X(90003, gamehost::echo::GroupJoined) \
  X(90004, gamehost::echo::Shout)       \
  X(90005, gamehost::echo::ShoutHeard)  \
  X(90006, gamehost::echo::LeaveGroup)  \
  X(90007, gamehost::echo::GroupLeft)   \
  X(90010, gamehost::echo::WhoAmI)      \
  X(90011, gamehost::echo::YouAre)
GAMEHOST_MESSAGES(ECHO_MESSAGES)

namespace gamehost::echo {
// Error codes of this plugin, inside its own id range.
inline constexpr std::uint32_t kErrBadGroupName = 90090;
inline constexpr std::uint32_t kErrNotInGroup = 90091;
}  // namespace gamehost::echo
// [echo-messages]
