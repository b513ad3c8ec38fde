#include "profile_store.hpp"

#include <limits>

#include "errors.hpp"
#include "text.hpp"

namespace gh_user {
namespace {

namespace pb = gamehost::user;

std::int64_t sql_id(UserId id) {
  return static_cast<std::int64_t>(id);
}

}  // namespace

std::optional<ProfileRow> ProfileStore::find(UserId user) {
  auto db = host_.db();
  return find(db, user);
}

std::optional<ProfileRow> ProfileStore::find(gamehost::Db& db, UserId user) {
  const auto row = db.query_one(
      "SELECT nickname, avatar, level, experience, created_at_ms FROM user_profiles "
      "WHERE user_id = ?",
      sql_id(user));
  if (!row) return std::nullopt;
  return ProfileRow{user,          row->text(0),  row->text(1),
                    row->int64(2), row->int64(3), static_cast<std::uint64_t>(row->int64(4))};
}

ProfileRow ProfileStore::ensure(UserId user) {
  auto db = host_.db();
  if (auto found = find(db, user)) return *found;

  ProfileRow fresh{user, default_nickname(user), "", 1, 0, host_.now_ms()};
  std::optional<std::pair<CoinRequest, CoinOutcome>> welcome;
  bool created = false;
  {
    auto tx = db.begin();
    if (auto found = find(db, user)) return *found;
    try {
      db.exec(
          "INSERT INTO user_profiles (user_id, nickname, avatar, level, experience, "
          "created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
          sql_id(user), fresh.nickname, fresh.avatar, fresh.level, fresh.experience,
          fresh.created_at_ms);
      created = true;
    } catch (const gamehost::DbError& e) {
      if (!e.constraint()) throw;  // a constraint: created meanwhile on another node
    }
    if (created) {
      welcome = coins_.open_account(db, user, settings_.starting_coins);
      tx.commit();
    }
  }
  if (!created) {
    if (auto found = find(db, user)) return *found;
    throw std::runtime_error(gamehost::concat("profile of user ", user, " is neither new nor old"));
  }
  host_.log_info("profile created for user ", user, " (", fresh.nickname, ")");
  if (welcome) coins_.log_change(welcome->first, welcome->second);
  return fresh;
}

ProfileRow ProfileStore::update(UserId user, const std::optional<std::string>& nickname,
                                const std::optional<std::string>& avatar) {
  if (nickname) check_nickname(*nickname);
  if (avatar) check_avatar(*avatar);
  auto profile = ensure(user);
  if (!nickname && !avatar) return profile;
  auto db = host_.db();
  db.exec(
      "UPDATE user_profiles SET nickname = COALESCE(?, nickname), avatar = COALESCE(?, avatar) "
      "WHERE user_id = ?",
      nickname, avatar, sql_id(user));
  if (nickname) profile.nickname = *nickname;
  if (avatar) profile.avatar = *avatar;
  return profile;
}

ProfileRow ProfileStore::add_experience(UserId user, std::int64_t amount) {
  if (user == 0) throw Refusal(pb::ERROR_INVALID_REQUEST, "user id 0");
  if (amount <= 0) {
    throw Refusal(pb::ERROR_INVALID_AMOUNT, gamehost::concat("experience ", amount, " is not > 0"));
  }
  auto db = host_.db();
  auto tx = db.begin();
  const auto before = find(db, user);
  if (!before)
    throw Refusal(pb::ERROR_UNKNOWN_USER, gamehost::concat("user ", user, " has no profile"));
  // Relative, so concurrent additions (from other nodes) add up; the bound keeps
  // experience and the level computed from it inside int64.
  const auto changed = db.exec(
      "UPDATE user_profiles SET experience = experience + ? WHERE user_id = ? AND experience <= ?",
      amount, sql_id(user), std::numeric_limits<std::int64_t>::max() - 1 - amount);
  if (changed == 0) {
    throw Refusal(pb::ERROR_INVALID_AMOUNT,
                  gamehost::concat("experience of user ", user, " would overflow"));
  }
  auto after = find(db, user).value();
  after.level = level_for(after.experience);
  db.exec("UPDATE user_profiles SET level = ? WHERE user_id = ?", after.level, sql_id(user));
  tx.commit();
  if (after.level > before->level) {
    host_.log_info("user ", user, " reached level ", after.level, " (experience ", after.experience,
                   ")");
  }
  return after;
}

void ProfileStore::check_nickname(std::string_view nickname) const {
  const auto max = static_cast<std::size_t>(settings_.nickname_max_length);
  if (nickname.empty() || nickname.size() > max || !is_clean_text(nickname)) {
    throw Refusal(
        pb::ERROR_INVALID_NICKNAME,
        gamehost::concat("nickname must be 1-", max, " bytes of UTF-8 without control characters"));
  }
}

void ProfileStore::check_avatar(std::string_view avatar) const {
  if (avatar.size() > kMaxAvatarBytes || !is_clean_text(avatar)) {
    throw Refusal(pb::ERROR_INVALID_AVATAR,
                  gamehost::concat("avatar must be up to ", kMaxAvatarBytes,
                                   " bytes of UTF-8 without control characters"));
  }
}

std::string ProfileStore::default_nickname(UserId user) {
  const auto digits = std::to_string(user);
  return "player" + digits.substr(digits.size() > 6 ? digits.size() - 6 : 0);
}

}  // namespace gh_user
