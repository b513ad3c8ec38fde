// Internal to the auth plugin: which session each logged-in user plays on, and the token
// each session logged in with (what its logout revokes). Used only on the plugin's queue
// (handlers, continuations of their database work, session events): no lock.
// Invariant: a user has at most one session here, and a session at most one user.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <gamehost/plugin.hpp>

namespace gh_auth {

enum class DuplicateLogin {
  kKickOld,    // the newer login wins; the older session is kicked
  kRefuseNew,  // the newer login is refused while the older session is open
};

struct SessionLogin {
  gamehost::UserId user = 0;
  std::string jti;  // the token's id
  std::uint64_t expires_at_ms = 0;
  std::uint64_t issued_at_ms = 0;  // the token's iat_ms: what a logout revokes up to
  bool operator==(const SessionLogin&) const = default;
};

class SessionRegistry {
 public:
  struct Claim {
    bool refused = false;               // refuse_new and the user plays on another session
    gamehost::SessionId displaced = 0;  // kick_old: the older session to kick (0: none)
  };

  // Records that `session` is now logged in as login.user. Logging in again on the same
  // session (as the same or another user) is always allowed.
  Claim claim(gamehost::SessionId session, const SessionLogin& login, DuplicateLogin policy);
  // Forgets the session (logout, close); returns what it was logged in as.
  std::optional<SessionLogin> release(gamehost::SessionId session);
  // Forgets the session only if it is still logged in as exactly `login` (undo of a claim).
  void release_if(gamehost::SessionId session, const SessionLogin& login);

  std::optional<SessionLogin> login_of(gamehost::SessionId session) const;
  std::optional<gamehost::SessionId> session_of(gamehost::UserId user) const;
  std::size_t size() const;

  // For a live reload: the sessions table as bytes, and back (throws std::runtime_error on
  // bytes it cannot read).
  std::string serialize() const;
  void restore(std::string_view bytes);
  // The latest issued_at_ms of the sessions held (0 when none).
  std::uint64_t latest_issue() const {
    std::uint64_t latest = 0;
    for (const auto& [session, login] : sessions_) latest = std::max(latest, login.issued_at_ms);
    return latest;
  }

 private:
  std::map<gamehost::SessionId, SessionLogin> sessions_;
  std::unordered_map<gamehost::UserId, gamehost::SessionId> users_;
};

}  // namespace gh_auth
