#include "sessions.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace gh_auth {

SessionRegistry::Claim SessionRegistry::claim(gamehost::SessionId session,
                                              const SessionLogin& login, DuplicateLogin policy) {
  Claim result;
  const auto other = users_.find(login.user);
  if (other != users_.end() && other->second != session) {
    if (policy == DuplicateLogin::kRefuseNew) {
      result.refused = true;
      return result;
    }
    result.displaced = other->second;
    sessions_.erase(other->second);
    users_.erase(other);
  }
  // The session may have been logged in as someone else: that user is no longer here.
  if (const auto mine = sessions_.find(session); mine != sessions_.end()) {
    users_.erase(mine->second.user);
  }
  sessions_[session] = login;
  users_[login.user] = session;
  return result;
}

std::optional<SessionLogin> SessionRegistry::release(gamehost::SessionId session) {
  const auto it = sessions_.find(session);
  if (it == sessions_.end()) return std::nullopt;
  auto login = std::move(it->second);
  sessions_.erase(it);
  users_.erase(login.user);
  return login;
}

void SessionRegistry::release_if(gamehost::SessionId session, const SessionLogin& login) {
  const auto it = sessions_.find(session);
  if (it == sessions_.end() || it->second != login) return;
  users_.erase(login.user);
  sessions_.erase(it);
}

std::optional<SessionLogin> SessionRegistry::login_of(gamehost::SessionId session) const {
  const auto it = sessions_.find(session);
  if (it == sessions_.end()) return std::nullopt;
  return it->second;
}

std::optional<gamehost::SessionId> SessionRegistry::session_of(gamehost::UserId user) const {
  const auto it = users_.find(user);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

std::size_t SessionRegistry::size() const {
  return sessions_.size();
}

// [[session, user, jti, expires_at_ms, issued_at_ms], ...] (state version 2; version 1 rows
// have no issued_at_ms: restored as 0, and their logout revokes by token id as 1 did).
std::string SessionRegistry::serialize() const {
  auto rows = nlohmann::json::array();
  for (const auto& [session, login] : sessions_) {
    rows.push_back({session, login.user, login.jti, login.expires_at_ms, login.issued_at_ms});
  }
  return rows.dump();
}

void SessionRegistry::restore(std::string_view bytes) {
  const auto rows = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!rows.is_array()) throw std::runtime_error("auth: handed-over session table is not an array");
  std::map<gamehost::SessionId, SessionLogin> sessions;
  std::unordered_map<gamehost::UserId, gamehost::SessionId> users;
  for (const auto& row : rows) {
    if (!row.is_array() || (row.size() != 4 && row.size() != 5) || !row[0].is_number_unsigned() ||
        !row[1].is_number_unsigned() || !row[2].is_string() || !row[3].is_number_unsigned() ||
        (row.size() == 5 && !row[4].is_number_unsigned())) {
      throw std::runtime_error("auth: handed-over session table has a malformed row");
    }
    const auto session = row[0].get<gamehost::SessionId>();
    SessionLogin login{row[1].get<gamehost::UserId>(), row[2].get<std::string>(),
                       row[3].get<std::uint64_t>(),
                       row.size() == 5 ? row[4].get<std::uint64_t>() : std::uint64_t{0}};
    if (!users.emplace(login.user, session).second) {
      throw std::runtime_error("auth: handed-over session table has a user twice");
    }
    sessions.emplace(session, std::move(login));
  }
  sessions_ = std::move(sessions);
  users_ = std::move(users);
}

}  // namespace gh_auth
