// Internal to the user plugin: the exception that refuses a request with one of the error
// codes of user.proto's ErrorCode enum (the one list of them, which calling plugins compile
// too). All inside the plugin's range 1100-1199.
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <string>

#include "user.pb.h"

namespace gh_user {

// A request refused for a reason its sender should know (not a failure of the plugin).
// From a client handler it becomes an Error frame with the code; a call handler puts the
// code in the result's `error` field instead. Thrown inside a transaction, it rolls it back.
class Refusal : public gamehost::ClientError {
 public:
  Refusal(gamehost::user::ErrorCode code, const std::string& text)
      : ClientError(static_cast<std::uint32_t>(code), text) {}
};

}  // namespace gh_user
