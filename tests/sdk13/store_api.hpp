// The store plugin's methods for other plugins, declared once: store serves them and its
// callers (asker) call them, so the two cannot disagree on a name or a type.
#pragma once

#include <gamehost/plugin.hpp>

#include "sdk13.pb.h"

namespace sdk13::store_api {

// [store-method]
// The value stored under a key (Got.found is false when there is none).
inline constexpr gamehost::Method<gamehost::sdk13::Get, gamehost::sdk13::Got> kGet{"get"};
// [store-method]

}  // namespace sdk13::store_api
