// The auth plugin: accounts (username + password, or a guest account per device), logins
// that bind the session to the user through the host, signed tokens for reconnects, logout
// with token revocation, one session per user, and rate-limited failed logins.
//
// Threading: every handler, event and timer runs on the plugin's queue, each session's
// messages in the order sent. The slow parts - argon2id and the database - run with
// run_blocking on the host's blocking threads and continue on the queue; meanwhile the
// session's next messages wait. Work run off the queue touches only what it captured and
// the members set in the constructor (settings_, hasher_); the session registry and the
// failure limiters are touched on the queue only, so nothing here takes a lock.
#include <gamehost/plugin.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "credentials.hpp"
#include "errors.hpp"
#include "jwt.hpp"
#include "protocol.hpp"
#include "rate_limiter.hpp"
#include "sessions.hpp"
#include "settings.hpp"

namespace gh_auth {
namespace {

// 2: each session also carries its token's iat_ms (the logout cutoff); 1 is still read.
constexpr std::uint32_t kStateVersion = 2;

namespace pb = gamehost::auth;
using gamehost::ClientError;
using gamehost::DbError;
using gamehost::Request;

// The IP of "ip:port" or "[ipv6]:port" (the rate limit counts per address, not per port).
std::string ip_of(std::string_view remote) {
  if (remote.starts_with('[')) {
    const auto close = remote.find(']');
    return std::string(remote.substr(1, close == std::string_view::npos ? close : close - 1));
  }
  const auto colon = remote.find(':');
  if (colon != std::string_view::npos && remote.find(':', colon + 1) == std::string_view::npos) {
    return std::string(remote.substr(0, colon));
  }
  return std::string(remote);  // no port, or a bare IPv6 address
}

class AuthPlugin final : public gamehost::Plugin {
 public:
  AuthPlugin(gamehost::Host& host, std::string_view state)
      : Plugin(host),
        settings_(read_settings(host)),
        hasher_(settings_.argon2_ops_limit, settings_.argon2_mem_limit_bytes),
        account_failures_(settings_.max_failures_per_account, settings_.failure_window_ms),
        address_failures_(settings_.max_failures_per_address, settings_.failure_window_ms),
        registrations_(settings_.max_registrations_per_address, settings_.registration_window_ms),
        guest_logins_(settings_.max_guest_logins_per_address, settings_.guest_window_ms),
        binds_(settings_.max_binds_per_address, settings_.guest_window_ms),
        costly_per_session_(settings_.max_guest_or_bind_per_session, settings_.guest_window_ms) {
    const auto handed = gamehost::read_state(state, 1, kStateVersion);
    if (handed.version != 0) sessions_.restore(handed.bytes);
    last_issued_ms_ = static_cast<std::int64_t>(sessions_.latest_issue());

    handle<pb::RegisterRequest>(
        [this](Request& req, const auto& in) { register_account(req, in); });
    handle<pb::LoginRequest>([this](Request& req, const auto& in) { login(req, in); });
    handle<pb::GuestLoginRequest>([this](Request& req, const auto& in) { guest_login(req, in); });
    handle<pb::TokenLoginRequest>([this](Request& req, const auto& in) { token_login(req, in); });
    handle<pb::LogoutRequest>([this](Request& req, const auto&) { logout(req); });
    handle<pb::BindCredentialsRequest>(
        [this](Request& req, const auto& in) { bind_credentials(req, in); });

    cleanup_timer_ = start_timer(settings_.cleanup_interval_ms, settings_.cleanup_interval_ms,
                                 [this] { start_cleanup(); });

    if (settings_.token_secret == kDefaultSecret) {
      host.log_warn("token_secret is the development default: set it (32+ bytes) before ",
                    "running with [server] mode = \"production\"");
    }
  }

  void on_session_closed(gamehost::SessionId session, gamehost::UserId) override {
    sessions_.release(session);
  }

  // Another plugin (or the host) changed who the session is: forget our login of it. Our
  // own bind_user lands here too, possibly after a later login on the same session, so
  // compare with what the host says now rather than with the event's user.
  void on_session_authenticated(gamehost::SessionId session, gamehost::UserId) override {
    const auto login = sessions_.login_of(session);
    if (!login) return;
    const auto info = host().session_info(session);
    if (!info || info->user != login->user) sessions_.release_if(session, *login);
  }

  std::string export_state() override {
    return gamehost::versioned_state(kStateVersion, sessions_.serialize());
  }

 private:
  // ---- Handlers (plugin queue; the slow parts with run_blocking) -----------------------

  // The name and password rules of config, for a new account and for binding a guest.
  void check_credentials_rules(const std::string& name, const std::string& password) const {
    if (const auto problem = username_problem(name, settings_.names)) {
      throw ClientError(err::kInvalidUsername, *problem);
    }
    if (const auto problem = password_problem(password, settings_.passwords)) {
      throw ClientError(err::kWeakPassword, *problem);
    }
  }

  void register_account(const Request& req, const pb::RegisterRequest& in) {
    const auto& name = in.username();
    check_credentials_rules(name, in.password());
    // Each registration costs a password hash and an account: bounded per address.
    const auto address = address_of(req.session);
    if (!address.empty() && registrations_.blocked(address, host().now_ms())) {
      throw ClientError(err::kRateLimited,
                        "too many new accounts from this address, try again later");
    }
    auto attempt = std::make_shared<FailureLimiter::Pending>(registrations_.begin_attempt(address));
    run_blocking(
        req, [this, name, password = in.password()] { return create_account(name, password); },
        [this, req, name, address, attempt](gamehost::UserId user) {
          if (!address.empty()) registrations_.record_failure(address, host().now_ms());
          complete_login(req, user, name, "registered");
        });
  }

  // Blocking thread: the new account's id. Throws ClientError when the name is taken.
  // [auth-create-account]
  gamehost::UserId create_account(const std::string& name, const std::string& password) {
    const auto key = username_key(name);
    if (host().db().query_one("SELECT 1 FROM auth_accounts WHERE username_key = ?", key)) {
      throw ClientError(err::kNameTaken, "username " + name + " is taken");
    }
    const auto hash = hasher_.hash(password);  // slow: no database lease held
    const gamehost::UserId user = host().next_id();
    try {
      host().db().exec(
          "INSERT INTO auth_accounts (user_id, username, username_key, password_hash, "
          "created_at_ms) VALUES (?, ?, ?, ?, ?)",
          user, name, key, hash, host().now_ms());
    } catch (const DbError& e) {
      if (!e.constraint()) throw;
      throw ClientError(err::kNameTaken, "username " + name + " is taken");  // a race
    }
    return user;
  }
  // [auth-create-account]

  // What a password check off the queue found.
  struct PasswordCheck {
    enum class Outcome { kUnknownUser, kWrongPassword, kOk } outcome = Outcome::kUnknownUser;
    gamehost::UserId user = 0;
    std::string name;
  };

  void login(const Request& req, const pb::LoginRequest& in) {
    const auto key = username_key(in.username());
    const auto address = address_of(req.session);
    // A name that breaks the rules cannot exist (no query) and is not a limiter key either:
    // keys stay short. Failures of an account count per address, so that a stranger who
    // knows the name locks out only their own address, never the owner.
    const bool may_exist = !username_problem(in.username(), settings_.names);
    const auto account = may_exist ? key + '\n' + address : std::string();
    refuse_if_limited(account, address);
    // Until its check is done, this attempt counts against both limits.
    auto attempts = std::make_shared<std::pair<FailureLimiter::Pending, FailureLimiter::Pending>>(
        account_failures_.begin_attempt(account), address_failures_.begin_attempt(address));
    run_blocking(
        req,
        [this, key, may_exist, password = in.password()] {
          return check_password(key, may_exist, password);
        },
        [this, req, account, address, attempts](const PasswordCheck& check) {
          switch (check.outcome) {
            case PasswordCheck::Outcome::kUnknownUser:
              record_failure(account, address);
              throw ClientError(err::kUnknownUser, "no account with that username");
            case PasswordCheck::Outcome::kWrongPassword:
              record_failure(account, address);
              throw ClientError(err::kWrongPassword, "wrong password");
            case PasswordCheck::Outcome::kOk:
              break;
          }
          if (!account.empty()) account_failures_.clear(account);
          complete_login(req, check.user, check.name, "password");
        });
  }

  // Guest logins and binds cost an account or a password hash that any client can ask for:
  // refused when the address or the session asked too often; else this one is counted.
  void count_costly(const Request& req, FailureLimiter& per_address, const char* what) {
    const auto now = host().now_ms();
    const auto address = address_of(req.session);
    const auto session = std::to_string(req.session);
    if ((!address.empty() && per_address.blocked(address, now)) ||
        costly_per_session_.blocked(session, now)) {
      throw ClientError(err::kRateLimited,
                        gamehost::concat("too many ", what, " from here, try again later"));
    }
    if (!address.empty()) per_address.record_failure(address, now);
    costly_per_session_.record_failure(session, now);
  }

  // Blocking thread: looks the account up and checks the password (argon2id).
  PasswordCheck check_password(const std::string& key, bool may_exist,
                               const std::string& password) {
    std::optional<gamehost::Row> account;
    if (may_exist) {  // else no query: the name breaks the rules, no account has it
      account = host().db().query_one(
          "SELECT user_id, username, password_hash FROM auth_accounts WHERE username_key = ?", key);
    }
    if (!account || account->is_null(2)) {
      hasher_.verify_dummy(password);  // the same time as a wrong password
      return {};
    }
    const auto hash = account->text(2);
    if (!hasher_.verify(hash, password)) return {PasswordCheck::Outcome::kWrongPassword, 0, {}};
    const auto user = static_cast<gamehost::UserId>(account->int64(0));
    if (hasher_.needs_rehash(hash)) rehash(user, password);
    return {PasswordCheck::Outcome::kOk, user, account->text(1)};
  }

  struct Account {
    gamehost::UserId user = 0;
    std::string name;  // empty for a guest
    const char* how = "";
  };

  void guest_login(const Request& req, const pb::GuestLoginRequest& in) {
    const auto& device = in.device_id();
    if (!valid_device_id(device, settings_.min_device_id_length)) {
      throw ClientError(err::kInvalidDeviceId,
                        gamehost::concat("device id must be ", settings_.min_device_id_length, "-",
                                         kMaxDeviceIdLength, " characters of A-Z a-z 0-9 _ . : -"));
    }
    count_costly(req, guest_logins_, "guest logins");
    run_blocking(
        req, [this, device] { return guest_account(device); },
        [this, req](const Account& account) {
          complete_login(req, account.user, account.name, account.how);
        });
  }

  // Blocking thread: the device's guest account, created when it has none.
  Account guest_account(const std::string& device) {
    constexpr std::string_view kFind =
        "SELECT user_id, username FROM auth_accounts WHERE device_id = ?";
    const char* how = "guest";
    auto db = host().db();
    auto account = db.query_one(kFind, device);
    if (!account) {
      const gamehost::UserId user = host().next_id();
      try {
        db.exec("INSERT INTO auth_accounts (user_id, device_id, created_at_ms) VALUES (?, ?, ?)",
                user, device, host().now_ms());
        how = "guest, new account";
      } catch (const DbError& e) {
        if (!e.constraint()) throw;  // else the same device won a race: use its account
      }
      account = db.query_one(kFind, device);
      if (!account) throw DbError(GH_ERR_FAILED, "guest account missing right after its insert");
    }
    if (!account->is_null(1) && !settings_.device_login_after_bind) {
      throw ClientError(err::kDeviceAccountBound,
                        "this device's account has a username now: log in with it");
    }
    return {static_cast<gamehost::UserId>(account->int64(0)), account->text(1), how};
  }

  void token_login(const Request& req, const pb::TokenLoginRequest& in) {
    const auto address = address_of(req.session);
    const auto now = host().now_ms();
    if (address_failures_.blocked(address, now)) {
      throw ClientError(err::kRateLimited, "too many failed logins, try again later");
    }
    auto token = verify_token(in.token(), settings_.token_secret, now);  // HMAC: cheap
    switch (token.check) {
      case TokenCheck::kOk:
        break;
      case TokenCheck::kExpired:
        throw ClientError(err::kTokenExpired, "token expired, log in again");
      default:
        record_failure({}, address);
        throw ClientError(err::kInvalidToken, "invalid token");
    }
    // Blocking thread: the account's name, or nothing when it is gone; throws when revoked.
    auto look_up = [this, sub = token.claims.sub, jti = token.claims.jti,
                    issued = token.claims.iat_ms] {
      auto db = host().db();
      // Revocations written one row per token by builds before 0002 (pruned at expiry).
      if (db.query_one("SELECT 1 FROM auth_revoked_tokens WHERE jti = ?", jti)) {
        throw ClientError(err::kTokenRevoked, "token revoked, log in again");
      }
      const auto account = db.query_one(
          "SELECT username, tokens_revoked_before_ms FROM auth_accounts WHERE user_id = ?", sub);
      if (account && issued < account->int64(1)) {
        throw ClientError(err::kTokenRevoked, "token revoked, log in again");
      }
      return account ? std::optional(account->text(0)) : std::nullopt;
    };
    run_blocking(req, std::move(look_up),
                 [this, req, address, presented = PresentedToken{token.claims, in.token()}](
                     const std::optional<std::string>& name) {
                   if (!name) {
                     record_failure({}, address);
                     throw ClientError(err::kInvalidToken, "invalid token: no such account");
                   }
                   complete_login(req, presented.claims.sub, *name, "token", presented);
                 });
  }

  // Blocking thread: the one-row-per-token revocation of state version 1 sessions.
  void revoke_by_id(const SessionLogin& login) {
    try {
      host().db().exec("INSERT INTO auth_revoked_tokens (jti, expires_at_ms) VALUES (?, ?)",
                       login.jti, login.expires_at_ms);
    } catch (const DbError& e) {
      if (!e.constraint()) throw;  // already revoked (another session used the token)
    }
  }

  void logout(const Request& req) {
    const auto login = sessions_.login_of(req.session);
    if (!login) {
      finish_logout(req);
      return;
    }
    // Revoke first: with the database down the player stays logged in and may retry.
    run_blocking(
        req,
        // One number per account, not one row per logout: every token of the user issued
        // up to this one (this one included) is revoked; a later login's token is not.
        [this, login = *login] {
          if (login.issued_at_ms == 0) {  // handed over by a build before the cutoff
            revoke_by_id(login);
            return;
          }
          const auto cutoff = static_cast<std::int64_t>(login.issued_at_ms) + 1;
          host().db().exec(
              "UPDATE auth_accounts SET tokens_revoked_before_ms = ? WHERE user_id = ? AND "
              "tokens_revoked_before_ms < ?",
              cutoff, static_cast<std::int64_t>(login.user), cutoff);
        },
        [this, req, login = *login] {
          sessions_.release_if(req.session, login);
          host().log_info("logout: user ", login.user);
          finish_logout(req);
        });
  }

  void finish_logout(const Request& req) {
    host().bind_user(req.session, 0);
    req.reply(pb::LogoutReply{});
  }

  void bind_credentials(const Request& req, const pb::BindCredentialsRequest& in) {
    const auto& name = in.username();
    check_credentials_rules(name, in.password());
    count_costly(req, binds_, "credential binds");
    run_blocking(
        req,
        [this, user = req.user, name, password = in.password()] {
          bind_account(user, name, password);
        },
        [this, req, name] {
          host().log_info("bind credentials: guest user ", req.user, " is now ", name);
          pb::BindCredentialsReply out;
          out.set_user_id(req.user);
          out.set_username(name);
          req.reply(out);
        });
  }

  // Blocking thread: gives guest `user` the name and password. Throws ClientError when the
  // account is not a guest's or the name is taken.
  void bind_account(gamehost::UserId user, const std::string& name, const std::string& password) {
    const auto key = username_key(name);
    {
      auto db = host().db();
      const auto account =
          db.query_one("SELECT username FROM auth_accounts WHERE user_id = ?", user);
      if (!account || !account->is_null(0)) {
        throw ClientError(err::kNotGuest, "only a guest account can bind a username");
      }
      if (db.query_one("SELECT 1 FROM auth_accounts WHERE username_key = ?", key)) {
        throw ClientError(err::kNameTaken, "username " + name + " is taken");
      }
    }
    const auto hash = hasher_.hash(password);  // slow: no database lease held
    std::uint64_t changed = 0;
    try {
      changed = host().db().exec(
          "UPDATE auth_accounts SET username = ?, username_key = ?, password_hash = ? "
          "WHERE user_id = ? AND username IS NULL",
          name, key, hash, user);
    } catch (const DbError& e) {
      if (!e.constraint()) throw;
      throw ClientError(err::kNameTaken, "username " + name + " is taken");
    }
    if (changed == 0) throw ClientError(err::kNotGuest, "only a guest account can bind a username");
  }

  // ---- Shared steps --------------------------------------------------------------------

  struct PresentedToken {
    TokenClaims claims;
    std::string text;
  };

  // Issues (or, for a token login, reuses) the token, applies the duplicate-login policy,
  // binds the session and answers with LoginReply.
  void complete_login(const Request& req, gamehost::UserId user, const std::string& name,
                      std::string_view how, std::optional<PresentedToken> presented = {}) {
    PresentedToken token;
    if (presented) {
      token = std::move(*presented);
    } else {
      // Strictly increasing: a login in the same millisecond as a logout's cutoff is not
      // revoked by it.
      const auto now_ms = std::max(static_cast<std::int64_t>(host().now_ms()), last_issued_ms_ + 1);
      last_issued_ms_ = now_ms;
      const auto now_s = now_ms / 1000;
      token.claims =
          TokenClaims{user, now_s, now_s + static_cast<std::int64_t>(settings_.token_ttl_s),
                      random_jti(), now_ms};
      token.text = sign_token(token.claims, settings_.token_secret);
    }
    const auto expires_at_ms = static_cast<std::uint64_t>(token.claims.exp) * 1000;
    const SessionLogin login{user, token.claims.jti, expires_at_ms,
                             static_cast<std::uint64_t>(token.claims.iat_ms)};

    const auto claim = sessions_.claim(req.session, login, settings_.duplicate_login);
    if (claim.refused) {
      throw ClientError(err::kAlreadyLoggedIn, "this account is already logged in elsewhere");
    }
    if (claim.displaced != 0) {
      host().kick(claim.displaced, err::kLoggedInElsewhere, "logged in from another session");
    }
    try {
      host().bind_user(req.session, user);
    } catch (...) {
      sessions_.release_if(req.session, login);
      throw;
    }
    // bind_user does not say whether the session was still there. If it closed before the
    // claim, its close event has passed and would never release it: do it here.
    if (!host().session_info(req.session)) {
      sessions_.release_if(req.session, login);
      return;
    }
    pb::LoginReply out;
    out.set_user_id(user);
    out.set_token(token.text);
    out.set_expires_at_ms(expires_at_ms);
    out.set_username(name);
    out.set_guest(name.empty());
    req.reply(out);
    host().log_info("login: user ", user, " (", how, ")",
                    claim.displaced != 0 ? ", older session kicked" : "");
  }

  std::string address_of(gamehost::SessionId session) {
    const auto info = host().session_info(session);
    return info ? ip_of(info->remote_address) : std::string();
  }

  void refuse_if_limited(const std::string& account, const std::string& address) {
    const auto now = host().now_ms();
    if ((!account.empty() && account_failures_.blocked(account, now)) ||
        (!address.empty() && address_failures_.blocked(address, now))) {
      throw ClientError(err::kRateLimited, "too many failed logins, try again later");
    }
  }

  void record_failure(const std::string& account, const std::string& address) {
    const auto now = host().now_ms();
    if (!account.empty()) account_failures_.record_failure(account, now);
    if (!address.empty()) address_failures_.record_failure(address, now);
  }

  // Blocking thread. The costs changed since this hash was made: store one with today's
  // costs. Best effort: the login succeeds either way.
  void rehash(gamehost::UserId user, const std::string& password) {
    try {
      host().db().exec("UPDATE auth_accounts SET password_hash = ? WHERE user_id = ?",
                       hasher_.hash(password), user);
    } catch (const std::exception& e) {
      host().log_warn("rehash of user ", user, "'s password failed: ", e.what());
    }
  }

  // ---- Timer (plugin queue) ---------------------------------------------------------------

  // Forgets failures that left their window and deletes revocations of expired tokens
  // (those are refused as expired anyway); the delete runs off the queue.
  void start_cleanup() {
    const auto now = host().now_ms();
    account_failures_.prune(now);
    address_failures_.prune(now);
    registrations_.prune(now);
    guest_logins_.prune(now);
    binds_.prune(now);
    costly_per_session_.prune(now);
    // [auth-cleanup]
    run_blocking(
        [this, now] {
          return host().db().exec("DELETE FROM auth_revoked_tokens WHERE expires_at_ms <= ?", now);
        },
        [this](gamehost::Result<std::uint64_t>& removed) {
          try {
            if (removed.value() != 0) {
              host().log_debug("removed ", removed.value(), " expired token revocations");
            }
          } catch (const DbError& e) {
            host().log_warn("cleanup of expired token revocations failed (retried in ",
                            settings_.cleanup_interval_ms / 1000, " s): ", e.what());
          }
        });
    // [auth-cleanup]
  }

  const Settings settings_;
  const PasswordHasher hasher_;
  FailureLimiter account_failures_;
  FailureLimiter address_failures_;
  FailureLimiter registrations_;       // accounts registered per address (not failures)
  FailureLimiter guest_logins_;        // guest logins per address (attempts, not failures)
  FailureLimiter binds_;               // credential binds per address (attempts)
  FailureLimiter costly_per_session_;  // guest logins and binds per session (attempts)
  SessionRegistry sessions_;
  std::int64_t last_issued_ms_ = 0;  // iat_ms of the newest token issued (see complete_login)
  gamehost::Token cleanup_timer_;
};

}  // namespace
}  // namespace gh_auth

GAMEHOST_PLUGIN(gh_auth::AuthPlugin,
                "name = auth\n"
                "version = 1.0.0\n"
                "ranges = 1000-1099\n"
                "public = 1000, 1002, 1004, 1006\n",
                AUTH_MESSAGES)
