// Internal to the user plugin: the check shared by nicknames, avatars and ledger texts
// (the SDK's, so every plugin judges players' text alike).
#pragma once

#include <gamehost/text.hpp>

namespace gh_user {
using gamehost::is_clean_text;
}  // namespace gh_user
