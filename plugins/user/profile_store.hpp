// Internal to the user plugin: player profiles (nickname, avatar, level, experience).
//
// A profile is created the first time it is needed - when a session logs in, or when its
// user asks for it first - together with the user's coin account and starting coins, in
// one transaction; creating it again finds it and changes nothing.
//
// Thread-safety: no state of its own beyond constants; the plugin calls it from the host's
// blocking threads, several at once (creating one profile twice at once finds the first).
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "coin_book.hpp"
#include "settings.hpp"

namespace gh_user {

struct ProfileRow {
  UserId user = 0;
  std::string nickname;
  std::string avatar;
  std::int64_t level = 1;
  std::int64_t experience = 0;
  std::uint64_t created_at_ms = 0;
};

class ProfileStore {
 public:
  static constexpr std::size_t kMaxAvatarBytes = 256;

  ProfileStore(gamehost::Host& host, const Settings& settings, CoinBook& coins)
      : host_(host), settings_(settings), coins_(coins) {}

  // The profile, or nothing when the user has none.
  std::optional<ProfileRow> find(UserId user);
  // The profile, created first (with coin account and starting coins) when missing.
  ProfileRow ensure(UserId user);
  // Sets what is given; throws Refusal (ERROR_INVALID_NICKNAME / _AVATAR) before any write.
  ProfileRow update(UserId user, const std::optional<std::string>& nickname,
                    const std::optional<std::string>& avatar);
  // Adds experience and recomputes the level. Throws Refusal: ERROR_INVALID_REQUEST for
  // user 0, ERROR_INVALID_AMOUNT for amount <= 0 (or an overflow), ERROR_UNKNOWN_USER.
  ProfileRow add_experience(UserId user, std::int64_t amount);

  void check_nickname(std::string_view nickname) const;
  void check_avatar(std::string_view avatar) const;
  std::int64_t level_for(std::int64_t experience) const {
    return 1 + experience / settings_.experience_per_level;
  }
  // "player" and the last six digits of the user id.
  static std::string default_nickname(UserId user);

 private:
  std::optional<ProfileRow> find(gamehost::Db& db, UserId user);

  gamehost::Host& host_;
  const Settings& settings_;
  CoinBook& coins_;
};

}  // namespace gh_user
