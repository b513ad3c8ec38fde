// The auth plugin as a player sees it, against the SDK's fake host and a real in-memory
// SQLite database with the plugin's migrations.
#include <gtest/gtest.h>
#include <gamehost/plugin.hpp>
#include <gamehost/testing.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "auth.pb.h"
#include "errors.hpp"
#include "jwt.hpp"
#include "protocol.hpp"

namespace {

using gamehost::testing::FakeHost;
namespace pb = gamehost::auth;
namespace err = gh_auth::err;
// The ids, from the plugin's one list (protocol.hpp).
namespace msg {
constexpr auto kRegister = gamehost::message_id_v<pb::RegisterRequest>;
constexpr auto kLoginReply = gamehost::message_id_v<pb::LoginReply>;
constexpr auto kLogin = gamehost::message_id_v<pb::LoginRequest>;
constexpr auto kGuestLogin = gamehost::message_id_v<pb::GuestLoginRequest>;
constexpr auto kTokenLogin = gamehost::message_id_v<pb::TokenLoginRequest>;
constexpr auto kLogout = gamehost::message_id_v<pb::LogoutRequest>;
constexpr auto kLogoutReply = gamehost::message_id_v<pb::LogoutReply>;
constexpr auto kBindCredentials = gamehost::message_id_v<pb::BindCredentialsRequest>;
constexpr auto kBindCredentialsReply = gamehost::message_id_v<pb::BindCredentialsReply>;
}  // namespace msg

constexpr const char* kSecretEnv = "GAMEHOST_AUTH_PLUGIN_TEST_SECRET";
constexpr std::uint64_t kDayMs = 86'400'000;

pb::RegisterRequest register_request(const std::string& name, const std::string& password) {
  pb::RegisterRequest r;
  r.set_username(name);
  r.set_password(password);
  return r;
}
pb::LoginRequest login_request(const std::string& name, const std::string& password) {
  pb::LoginRequest r;
  r.set_username(name);
  r.set_password(password);
  return r;
}
pb::GuestLoginRequest guest_request(const std::string& device) {
  pb::GuestLoginRequest r;
  r.set_device_id(device);
  return r;
}
pb::TokenLoginRequest token_request(const std::string& token) {
  pb::TokenLoginRequest r;
  r.set_token(token);
  return r;
}
pb::BindCredentialsRequest bind_request(const std::string& name, const std::string& password) {
  pb::BindCredentialsRequest r;
  r.set_username(name);
  r.set_password(password);
  return r;
}

nlohmann::json token_payload(const std::string& token) {
  const auto a = token.find('.');
  const auto b = token.find('.', a + 1);
  return nlohmann::json::parse(*gh_auth::base64url_decode(token.substr(a + 1, b - a - 1)));
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv(kSecretEnv);
    host.apply_migrations(AUTH_MIGRATIONS_DIR);
    host.grant_bind_user();
    // The lowest argon2id costs libsodium allows: the tests are about behaviour, not cost.
    host.set_setting("argon2_ops_limit", std::int64_t{1});
    host.set_setting("argon2_mem_limit_kib", std::int64_t{8});
    host.set_setting("token_secret_env", std::string(kSecretEnv));
    host.load(gamehost_plugin_v1());
  }
  void TearDown() override { ::unsetenv(kSecretEnv); }

  void reload_with(const std::string& key, FakeHost::Setting value) {
    host.set_setting(key, std::move(value));
    host.load(gamehost_plugin_v1());
  }

  // Sends a request; returns the error code the session was answered with (0: none).
  // Keyed handlers answer failures with an Error frame after deliver() returns ok.
  std::uint32_t send(gh_session_id s, std::uint32_t id, const google::protobuf::MessageLite& m) {
    const auto before = host.errors(s).size();
    const auto outcome = host.deliver(s, id, m);
    if (!outcome.ok()) return outcome.error_code;
    return host.errors(s).size() > before ? host.errors(s).back().code : 0;
  }
  pb::LoginReply login_ok(gh_session_id s, std::uint32_t id,
                          const google::protobuf::MessageLite& m) {
    const auto sent_before = host.count_sent(s, msg::kLoginReply);
    EXPECT_EQ(send(s, id, m), 0u);
    EXPECT_EQ(host.count_sent(s, msg::kLoginReply), sent_before + 1);
    return host.last_sent<pb::LoginReply>(s, msg::kLoginReply);
  }
  pb::LoginReply register_ok(gh_session_id s, const std::string& name,
                             const std::string& password = "secret123") {
    return login_ok(s, msg::kRegister, register_request(name, password));
  }
  std::string error_text(gh_session_id s) const { return host.errors(s).back().text; }

  FakeHost host;
};

// ---- Register and login -------------------------------------------------------------------

TEST_F(AuthTest, RegisterLogsInAndPasswordLoginGetsATokenForTheUser) {
  const auto s1 = host.connect();
  const auto registered = register_ok(s1, "Alice");
  EXPECT_NE(registered.user_id(), 0u);
  EXPECT_EQ(host.user_of(s1), registered.user_id());
  EXPECT_EQ(registered.username(), "Alice");
  EXPECT_FALSE(registered.guest());
  host.disconnect(s1);

  const auto s2 = host.connect();
  const auto reply = login_ok(s2, msg::kLogin, login_request("Alice", "secret123"));
  EXPECT_EQ(reply.user_id(), registered.user_id());
  EXPECT_EQ(host.user_of(s2), reply.user_id());
  const auto claims = token_payload(reply.token());
  EXPECT_EQ(claims["sub"], std::to_string(reply.user_id()));
  EXPECT_EQ(claims["iat"], host.now() / 1000);
  EXPECT_EQ(claims["exp"], host.now() / 1000 + 86400);
  EXPECT_EQ(reply.expires_at_ms(), (host.now() / 1000 + 86400) * 1000);
  EXPECT_TRUE(host.logged("login: user " + std::to_string(reply.user_id()) + " (password)"));
}

TEST_F(AuthTest, StoredPasswordIsAnArgon2idHashAndNeverLogged) {
  const auto s = host.connect();
  const auto reply = register_ok(s, "alice", "secret123");
  const auto hash =
      host.sql_value("SELECT password_hash FROM auth_accounts WHERE username = 'alice'");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_EQ(host.sql_value("SELECT username_key FROM auth_accounts"), "alice");
  for (const auto& line : host.logs()) {
    EXPECT_EQ(line.text.find("secret123"), std::string::npos) << line.text;
    EXPECT_EQ(line.text.find(reply.token()), std::string::npos) << line.text;
  }
}

TEST_F(AuthTest, UsernameRulesGiveInvalidUsername) {
  const auto s = host.connect();
  for (const std::string& bad : std::vector<std::string>{"ab", std::string(33, 'a'), "bad name",
                                                         "bad-name", "", "n\xc3\xa4me"}) {
    EXPECT_EQ(send(s, msg::kRegister, register_request(bad, "secret123")), err::kInvalidUsername)
        << bad;
  }
  EXPECT_NE(error_text(s).find("letters"), std::string::npos);
  EXPECT_EQ(host.user_of(s), 0u);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_accounts"), "0");
}

TEST_F(AuthTest, UsernameLengthsComeFromSettings) {
  host.set_setting("username_min_length", std::int64_t{5});
  reload_with("username_max_length", std::int64_t{6});
  const auto s = host.connect();
  EXPECT_EQ(send(s, msg::kRegister, register_request("abcd", "secret123")), err::kInvalidUsername);
  EXPECT_NE(error_text(s).find("5-6"), std::string::npos) << error_text(s);
  EXPECT_EQ(send(s, msg::kRegister, register_request("abcdefg", "secret123")),
            err::kInvalidUsername);
  register_ok(s, "abcdef");
}

TEST_F(AuthTest, PasswordRulesGiveWeakPassword) {
  const auto s = host.connect();
  for (const std::string& bad :
       std::vector<std::string>{"abc123", "abcdefgh", "12345678", std::string(128, 'a') + "1"}) {
    EXPECT_EQ(send(s, msg::kRegister, register_request("alice", bad)), err::kWeakPassword) << bad;
  }
  register_ok(s, "alice", std::string(127, 'a') + "1");  // exactly the maximum
}

TEST_F(AuthTest, PasswordRulesComeFromSettings) {
  host.set_setting("password_min_length", std::int64_t{4});
  reload_with("password_require_mixed", false);
  const auto s = host.connect();
  EXPECT_EQ(send(s, msg::kRegister, register_request("alice", "abc")), err::kWeakPassword);
  register_ok(s, "alice", "abcd");
}

TEST_F(AuthTest, NameTakenIgnoresCase) {
  const auto s1 = host.connect();
  register_ok(s1, "Alice");
  const auto s2 = host.connect();
  EXPECT_EQ(send(s2, msg::kRegister, register_request("aLICE", "secret123")), err::kNameTaken);
  EXPECT_EQ(host.user_of(s2), 0u);
  // ...and login finds the account whatever the case, answering with its own spelling.
  const auto reply = login_ok(s2, msg::kLogin, login_request("ALICE", "secret123"));
  EXPECT_EQ(reply.username(), "Alice");
}

TEST_F(AuthTest, UnknownUserAndWrongPassword) {
  const auto s = host.connect();
  register_ok(s, "alice");
  host.disconnect(s);
  const auto s2 = host.connect();
  EXPECT_EQ(send(s2, msg::kLogin, login_request("bob", "secret123")), err::kUnknownUser);
  EXPECT_EQ(send(s2, msg::kLogin, login_request("a", "secret123")), err::kUnknownUser);
  EXPECT_EQ(send(s2, msg::kLogin, login_request("alice", "secret124")), err::kWrongPassword);
  EXPECT_EQ(host.user_of(s2), 0u);
  EXPECT_EQ(host.count_sent(s2, msg::kLoginReply), 0u);
}

TEST_F(AuthTest, GarbagePayloadIsMalformed) {
  const auto s = host.connect();
  EXPECT_EQ(host.deliver(s, msg::kLogin, std::string("\xff\xff\xff", 3)).error_code,
            static_cast<std::uint32_t>(GH_CODE_MALFORMED));
}

// ---- Guest accounts ------------------------------------------------------------------------

TEST_F(AuthTest, GuestLoginTwiceWithOneDeviceIsOneAccount) {
  const auto s1 = host.connect();
  const auto first = login_ok(s1, msg::kGuestLogin, guest_request("device-1:A.b_c-0123"));
  EXPECT_TRUE(first.guest());
  EXPECT_EQ(first.username(), "");
  EXPECT_EQ(host.user_of(s1), first.user_id());
  host.disconnect(s1);

  const auto s2 = host.connect();
  EXPECT_EQ(login_ok(s2, msg::kGuestLogin, guest_request("device-1:A.b_c-0123")).user_id(),
            first.user_id());
  const auto s3 = host.connect();
  EXPECT_NE(login_ok(s3, msg::kGuestLogin, guest_request("device-1:a.b_c-0123")).user_id(),
            first.user_id());  // device ids are case-sensitive
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_accounts"), "2");
}

TEST_F(AuthTest, InvalidDeviceId) {
  const auto s = host.connect();
  for (const std::string& bad : std::vector<std::string>{
           "", std::string(15, 'd'), std::string(129, 'd'), "dev ice-0123456789",
           "dev/ice-0123456789", "d\xc3\xa4-0123456789ab"}) {
    EXPECT_EQ(send(s, msg::kGuestLogin, guest_request(bad)), err::kInvalidDeviceId) << bad;
  }
  EXPECT_EQ(login_ok(s, msg::kGuestLogin, guest_request(std::string(128, 'd'))).guest(), true);
}

TEST_F(AuthTest, BindCredentialsTurnsAGuestIntoANamedAccount) {
  const auto s1 = host.connect();
  const auto guest = login_ok(s1, msg::kGuestLogin, guest_request("phone-1-0123456789"));
  ASSERT_EQ(send(s1, msg::kBindCredentials, bind_request("Gary", "secret123")), 0u);
  const auto bound = host.last_sent<pb::BindCredentialsReply>(s1, msg::kBindCredentialsReply);
  EXPECT_EQ(bound.username(), "Gary");
  EXPECT_EQ(bound.user_id(), guest.user_id());
  host.disconnect(s1);

  const auto s2 = host.connect();
  const auto named = login_ok(s2, msg::kLogin, login_request("gary", "secret123"));
  EXPECT_EQ(named.user_id(), guest.user_id());
  EXPECT_FALSE(named.guest());
  EXPECT_EQ(named.username(), "Gary");
  host.disconnect(s2);
  // The device id alone no longer opens the account: it has a name and a password now.
  const auto s3 = host.connect();
  EXPECT_EQ(send(s3, msg::kGuestLogin, guest_request("phone-1-0123456789")),
            err::kDeviceAccountBound);
  EXPECT_EQ(host.user_of(s3), 0u);
}

TEST_F(AuthTest, WithDeviceLoginAfterBindTheDeviceStillOpensTheNamedAccount) {
  reload_with("device_login_after_bind", true);
  const auto s1 = host.connect();
  const auto guest = login_ok(s1, msg::kGuestLogin, guest_request("phone-1-0123456789"));
  ASSERT_EQ(send(s1, msg::kBindCredentials, bind_request("Gary", "secret123")), 0u);
  host.disconnect(s1);
  const auto s2 = host.connect();
  const auto again = login_ok(s2, msg::kGuestLogin, guest_request("phone-1-0123456789"));
  EXPECT_EQ(again.user_id(), guest.user_id());
  EXPECT_FALSE(again.guest());
  // ...which can no longer bind another name.
  EXPECT_EQ(send(s2, msg::kBindCredentials, bind_request("Gary2", "secret123")), err::kNotGuest);
}

TEST_F(AuthTest, DeviceIdMinimumLengthComesFromSettings) {
  const auto s = host.connect();
  EXPECT_EQ(send(s, msg::kGuestLogin, guest_request("short-id")), err::kInvalidDeviceId);
  EXPECT_NE(error_text(s).find("16-128"), std::string::npos) << error_text(s);
  reload_with("min_device_id_length", std::int64_t{8});
  const auto s2 = host.connect();
  EXPECT_TRUE(login_ok(s2, msg::kGuestLogin, guest_request("short-id")).guest());
}

// Guest logins (an account each) and binds (an argon2id hash each) are bounded per address
// and per session; other addresses are not affected.
TEST_F(AuthTest, GuestLoginFloodsAreRefusedPerAddress) {
  host.set_setting("max_guest_logins_per_address", std::int64_t{3});
  reload_with("guest_window_s", std::int64_t{60});
  for (int i = 0; i < 3; ++i) {
    const auto s = host.connect("10.0.0.9:" + std::to_string(5000 + i));
    login_ok(s, msg::kGuestLogin, guest_request("flood-device-" + std::to_string(1000 + i)));
  }
  const auto late = host.connect("10.0.0.9:6000");
  EXPECT_EQ(send(late, msg::kGuestLogin, guest_request("flood-device-9999")), err::kRateLimited);
  const auto other = host.connect("10.0.0.10:6000");
  login_ok(other, msg::kGuestLogin, guest_request("flood-device-8888"));
  host.advance(60'000);
  login_ok(late, msg::kGuestLogin, guest_request("flood-device-9999"));
}

TEST_F(AuthTest, OneSessionAskingForGuestsAndBindsAgainAndAgainIsRefused) {
  // Default: 5 guest logins or binds per session per window.
  const auto s = host.connect("10.0.0.11:5000");
  for (int i = 0; i < 5; ++i) {
    login_ok(s, msg::kGuestLogin, guest_request("same-session-dev" + std::to_string(i)));
  }
  EXPECT_EQ(send(s, msg::kGuestLogin, guest_request("same-session-dev9")), err::kRateLimited);
  EXPECT_EQ(send(s, msg::kBindCredentials, bind_request("Hank", "secret123")), err::kRateLimited);
}

TEST_F(AuthTest, BindFloodsAreRefusedPerAddress) {
  reload_with("max_binds_per_address", std::int64_t{2});
  for (int i = 0; i < 2; ++i) {
    const auto s = host.connect("10.0.0.12:" + std::to_string(5000 + i));
    login_ok(s, msg::kGuestLogin, guest_request("bind-device-" + std::to_string(1000 + i)));
    EXPECT_EQ(send(s, msg::kBindCredentials, bind_request("name" + std::to_string(i), "secret123")),
              0u);
  }
  const auto s = host.connect("10.0.0.12:6000");
  login_ok(s, msg::kGuestLogin, guest_request("bind-device-2000"));
  EXPECT_EQ(send(s, msg::kBindCredentials, bind_request("name9", "secret123")), err::kRateLimited);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_accounts WHERE username IS NOT NULL"), "2");
}

// A stranger who knows a player's name and guesses wrong passwords locks out only their
// own address; the owner, elsewhere, still logs in.
TEST_F(AuthTest, WrongPasswordsFromOneAddressDoNotLockTheOwnerOut) {
  const auto owner = host.connect("10.0.0.1:4000");
  register_ok(owner, "alice");
  host.disconnect(owner);
  const auto stranger = host.connect("10.0.0.66:4000");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(send(stranger, msg::kLogin, login_request("alice", "wrong1234")),
              err::kWrongPassword);
  }
  EXPECT_EQ(send(stranger, msg::kLogin, login_request("alice", "secret123")), err::kRateLimited);
  const auto back = host.connect("10.0.0.1:4001");
  login_ok(back, msg::kLogin, login_request("alice", "secret123"));
}

TEST_F(AuthTest, BindCredentialsRefusals) {
  const auto named = host.connect();
  register_ok(named, "alice");
  EXPECT_EQ(send(named, msg::kBindCredentials, bind_request("alice2", "secret123")),
            err::kNotGuest);

  const auto guest = host.connect();
  login_ok(guest, msg::kGuestLogin, guest_request("phone-2-0123456789"));
  EXPECT_EQ(send(guest, msg::kBindCredentials, bind_request("ALICE", "secret123")),
            err::kNameTaken);
  EXPECT_EQ(send(guest, msg::kBindCredentials, bind_request("g", "secret123")),
            err::kInvalidUsername);
  EXPECT_EQ(send(guest, msg::kBindCredentials, bind_request("gary", "weak")), err::kWeakPassword);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_accounts WHERE username IS NULL"), "1");
}

// ---- Tokens ----------------------------------------------------------------------------------

TEST_F(AuthTest, TokenLoginReconnects) {
  const auto s1 = host.connect();
  const auto first = register_ok(s1, "alice");
  host.disconnect(s1);
  host.advance(3'600'000);
  const auto s2 = host.connect();
  const auto reply = login_ok(s2, msg::kTokenLogin, token_request(first.token()));
  EXPECT_EQ(reply.user_id(), first.user_id());
  EXPECT_EQ(reply.username(), "alice");
  EXPECT_EQ(reply.token(), first.token());  // the same token: no silent extension
  EXPECT_EQ(reply.expires_at_ms(), first.expires_at_ms());
  EXPECT_EQ(host.user_of(s2), first.user_id());
}

TEST_F(AuthTest, ExpiredTokenIsRefused) {
  const auto s1 = host.connect();
  const auto first = register_ok(s1, "alice");
  host.disconnect(s1);
  host.advance(kDayMs + 1000);
  const auto s2 = host.connect();
  EXPECT_EQ(send(s2, msg::kTokenLogin, token_request(first.token())), err::kTokenExpired);
  EXPECT_EQ(host.user_of(s2), 0u);
}

TEST_F(AuthTest, TokenTtlComesFromSettings) {
  reload_with("token_ttl_s", std::int64_t{600});
  const auto s1 = host.connect();
  const auto first = register_ok(s1, "alice");
  EXPECT_EQ(first.expires_at_ms(), (host.now() / 1000 + 600) * 1000);
  host.advance(600'000);
  EXPECT_EQ(send(s1, msg::kTokenLogin, token_request(first.token())), err::kTokenExpired);
}

TEST_F(AuthTest, TamperedOrForeignTokensAreInvalid) {
  const auto s = host.connect();
  const auto first = register_ok(s, "alice");
  auto tampered = first.token();
  tampered[tampered.find('.') + 3] ^= 1;  // a payload character
  auto bad_signature = first.token();
  bad_signature.back() = bad_signature.back() == 'A' ? 'B' : 'A';
  const auto foreign =
      gh_auth::sign_token({first.user_id(), static_cast<std::int64_t>(host.now() / 1000),
                           static_cast<std::int64_t>(host.now() / 1000 + 60), "abc"},
                          "some other secret, at least 32 bytes long");
  for (const auto& token :
       {tampered, bad_signature, foreign, std::string("garbage"), std::string()}) {
    EXPECT_EQ(send(s, msg::kTokenLogin, token_request(token)), err::kInvalidToken) << token;
  }
}

TEST_F(AuthTest, TokenOfAVanishedAccountIsInvalid) {
  const auto s = host.connect();
  const auto first = register_ok(s, "alice");
  host.sql("DELETE FROM auth_accounts");
  EXPECT_EQ(send(s, msg::kTokenLogin, token_request(first.token())), err::kInvalidToken);
}

TEST_F(AuthTest, LogoutUnbindsAndRevokesTheToken) {
  const auto s1 = host.connect();
  const auto first = register_ok(s1, "alice");
  ASSERT_EQ(send(s1, msg::kLogout, pb::LogoutRequest{}), 0u);
  EXPECT_EQ(host.count_sent(s1, msg::kLogoutReply), 1u);
  EXPECT_EQ(host.user_of(s1), 0u);
  // Revoked by the account's cutoff, not by a row per token.
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_revoked_tokens"), "0");
  EXPECT_NE(host.sql_value("SELECT tokens_revoked_before_ms FROM auth_accounts"), "0");

  const auto s2 = host.connect();
  EXPECT_EQ(send(s2, msg::kTokenLogin, token_request(first.token())), err::kTokenRevoked);
  // A fresh login gets a fresh token that works.
  const auto second = login_ok(s2, msg::kLogin, login_request("alice", "secret123"));
  EXPECT_NE(second.token(), first.token());
  const auto s3 = host.connect();
  login_ok(s3, msg::kTokenLogin, token_request(second.token()));
}

TEST_F(AuthTest, LogoutsDoNotGrowTheDatabaseAndRevokeOlderTokensOfTheUser) {
  const auto s = host.connect();
  const auto oldest = register_ok(s, "alice");
  std::string last;
  for (int i = 0; i < 200; ++i) {  // the same millisecond throughout: the manual clock
    ASSERT_EQ(send(s, msg::kLogout, pb::LogoutRequest{}), 0u);
    last = login_ok(s, msg::kLogin, login_request("alice", "secret123")).token();
  }
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_revoked_tokens"), "0");
  // The newest token works, every older one is revoked.
  const auto other = host.connect();
  EXPECT_EQ(send(other, msg::kTokenLogin, token_request(oldest.token())), err::kTokenRevoked);
  login_ok(other, msg::kTokenLogin, token_request(last));
}

TEST_F(AuthTest, ASessionHandedOverByTheOldStateFormatIsRevokedByItsTokenId) {
  const auto s = host.connect();
  const auto first = register_ok(s, "alice");
  // What an older build exported: rows without the token's issue time.
  const auto rows = "[[" + std::to_string(s) + "," + std::to_string(first.user_id()) + ",\"" +
                    "jti-from-v1\"," + std::to_string(first.expires_at_ms()) + "]]";
  host.load(gamehost_plugin_v1(), gamehost::versioned_state(1, rows));
  ASSERT_EQ(send(s, msg::kLogout, pb::LogoutRequest{}), 0u);
  EXPECT_EQ(host.sql_value("SELECT jti FROM auth_revoked_tokens"), "jti-from-v1");
}

TEST_F(AuthTest, ExpiredRevocationsAreCleanedUp) {
  // Rows written by builds before the cutoff (state version 1) are pruned at expiry.
  reload_with("token_ttl_s", std::int64_t{3600});
  host.sql("INSERT INTO auth_revoked_tokens (jti, expires_at_ms) VALUES ('old', " +
           std::to_string(host.now() + 3'600'000) + ")");
  host.advance(1'800'000);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_revoked_tokens"), "1");
  host.advance(1'800'000 + 600'000);  // past the token's expiry, and one cleanup interval
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_revoked_tokens"), "0");
}

// ---- One session per user --------------------------------------------------------------------

TEST_F(AuthTest, SecondLoginKicksTheOlderSession) {
  const auto s1 = host.connect();
  const auto first = register_ok(s1, "alice");
  const auto s2 = host.connect();
  login_ok(s2, msg::kLogin, login_request("alice", "secret123"));
  EXPECT_EQ(host.kick_code(s1), err::kLoggedInElsewhere);
  EXPECT_FALSE(host.is_open(s1));
  EXPECT_TRUE(host.is_open(s2));
  EXPECT_EQ(host.user_of(s2), first.user_id());
  // The kicked session's close does not log the newer one out of the registry.
  const auto s3 = host.connect();
  login_ok(s3, msg::kTokenLogin, token_request(first.token()));
  EXPECT_EQ(host.kick_code(s2), err::kLoggedInElsewhere);
}

TEST_F(AuthTest, SameSessionMayLogInAgain) {
  const auto s = host.connect();
  register_ok(s, "alice");
  login_ok(s, msg::kLogin, login_request("alice", "secret123"));
  EXPECT_TRUE(host.is_open(s));
  EXPECT_FALSE(host.was_kicked(s));
}

TEST_F(AuthTest, RefuseNewPolicyRefusesTheSecondLogin) {
  reload_with("duplicate_login", std::string("refuse_new"));
  const auto s1 = host.connect();
  const auto first = register_ok(s1, "alice");
  const auto s2 = host.connect();
  EXPECT_EQ(send(s2, msg::kLogin, login_request("alice", "secret123")), err::kAlreadyLoggedIn);
  EXPECT_EQ(send(s2, msg::kTokenLogin, token_request(first.token())), err::kAlreadyLoggedIn);
  EXPECT_EQ(host.user_of(s2), 0u);
  EXPECT_TRUE(host.is_open(s1));
  EXPECT_EQ(host.user_of(s1), first.user_id());
  host.disconnect(s1);  // once the older session is gone, the new login is fine
  login_ok(s2, msg::kLogin, login_request("alice", "secret123"));
}

TEST_F(AuthTest, LogoutFreesTheUserForAnotherSession) {
  reload_with("duplicate_login", std::string("refuse_new"));
  const auto s1 = host.connect();
  register_ok(s1, "alice");
  send(s1, msg::kLogout, pb::LogoutRequest{});
  const auto s2 = host.connect();
  login_ok(s2, msg::kLogin, login_request("alice", "secret123"));
}

TEST_F(AuthTest, SessionsSurviveALiveReload) {
  reload_with("duplicate_login", std::string("refuse_new"));
  const auto s1 = host.connect();
  const auto first = register_ok(s1, "alice");
  host.reload();
  const auto s2 = host.connect();
  EXPECT_EQ(send(s2, msg::kLogin, login_request("alice", "secret123")), err::kAlreadyLoggedIn);
  // The session's token is remembered too: its logout still revokes it.
  ASSERT_EQ(send(s1, msg::kLogout, pb::LogoutRequest{}), 0u);
  EXPECT_EQ(send(s2, msg::kTokenLogin, token_request(first.token())), err::kTokenRevoked);
}

TEST_F(AuthTest, KickOldSurvivesALiveReload) {
  const auto s1 = host.connect();
  register_ok(s1, "alice");
  host.reload();
  const auto s2 = host.connect();
  login_ok(s2, msg::kLogin, login_request("alice", "secret123"));
  EXPECT_EQ(host.kick_code(s1), err::kLoggedInElsewhere);
}

// ---- Rate limits -----------------------------------------------------------------------------

TEST_F(AuthTest, FailedLoginsPerAccountAreLimitedUntilTheWindowPasses) {
  const auto s = host.connect("10.0.0.1:4000");
  register_ok(s, "alice");
  host.disconnect(s);
  const auto s2 = host.connect("10.0.0.2:4000");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(send(s2, msg::kLogin, login_request("alice", "wrong1234")), err::kWrongPassword);
  }
  // Even the right password is refused now, before any hashing; other accounts are not.
  EXPECT_EQ(send(s2, msg::kLogin, login_request("Alice", "secret123")), err::kRateLimited);
  EXPECT_EQ(send(s2, msg::kLogin, login_request("bob", "secret123")), err::kUnknownUser);
  host.advance(300'000);
  login_ok(s2, msg::kLogin, login_request("alice", "secret123"));
}

// Password checks run off the plugin's queue; those still running count against the limit,
// so five sessions of one address guessing at once get no more tries than one session
// guessing in turn.
TEST_F(AuthTest, GuessesInFlightFromManySessionsCountAgainstTheLimit) {
  const auto owner = host.connect("10.0.0.1:4000");
  register_ok(owner, "alice");
  host.disconnect(owner);
  host.hold_blocking_jobs();
  std::vector<gh_session_id> guessers;
  for (int i = 0; i < 5; ++i) {
    guessers.push_back(host.connect("10.0.1.1:" + std::to_string(4000 + i)));
    EXPECT_EQ(send(guessers.back(), msg::kLogin, login_request("alice", "wrong1234")), 0u);
  }
  EXPECT_EQ(host.pending_blocking_jobs(), 5u);
  const auto late = host.connect("10.0.1.1:5000");
  EXPECT_EQ(send(late, msg::kLogin, login_request("alice", "secret123")), err::kRateLimited);
  EXPECT_EQ(host.pending_blocking_jobs(), 5u);  // refused before any hashing
  host.run_blocking_jobs();
  for (const auto s : guessers) EXPECT_EQ(host.errors(s).back().code, err::kWrongPassword);
  EXPECT_EQ(send(late, msg::kLogin, login_request("alice", "secret123")), err::kRateLimited);
}

// One session's requests are answered in the order sent, though each login waits for its
// password check and the logout for its revocation, all off the plugin's queue.
TEST_F(AuthTest, OneSessionsLoginAndLogoutKeepTheirOrderAroundBlockingWork) {
  const auto s = host.connect();
  register_ok(s, "alice");
  host.clear_sent();
  host.hold_blocking_jobs();
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(send(s, msg::kLogout, pb::LogoutRequest{}), 0u);
    EXPECT_EQ(send(s, msg::kLogin, login_request("alice", "secret123")), 0u);
  }
  EXPECT_EQ(send(s, msg::kLogout, pb::LogoutRequest{}), 0u);
  EXPECT_EQ(host.pending_blocking_jobs(), 1u);  // the rest wait behind the first
  EXPECT_TRUE(host.sent(s).empty());
  while (host.pending_blocking_jobs() > 0) host.run_blocking_jobs(1);
  std::vector<std::uint32_t> ids;
  for (const auto& frame : host.sent(s)) ids.push_back(frame.msg_id);
  const std::vector<std::uint32_t> expected{msg::kLogoutReply, msg::kLoginReply,  msg::kLogoutReply,
                                            msg::kLoginReply,  msg::kLogoutReply, msg::kLoginReply,
                                            msg::kLogoutReply};
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(host.user_of(s), 0u);  // the last request was a logout
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_revoked_tokens"), "0");
}

TEST_F(AuthTest, SuccessClearsTheAccountsFailures) {
  const auto s = host.connect();
  register_ok(s, "alice");
  for (int i = 0; i < 4; ++i) send(s, msg::kLogin, login_request("alice", "wrong1234"));
  login_ok(s, msg::kLogin, login_request("alice", "secret123"));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(send(s, msg::kLogin, login_request("alice", "wrong1234")), err::kWrongPassword);
  }
}

TEST_F(AuthTest, FailedLoginsPerAddressAreLimited) {
  host.set_setting("max_failures_per_address", std::int64_t{3});
  reload_with("failure_window_s", std::int64_t{60});
  const auto a = host.connect("192.0.2.7:1000");
  for (const char* name : {"u1", "u2x", "u3x"}) {
    EXPECT_EQ(send(a, msg::kLogin, login_request(name, "secret123")), err::kUnknownUser);
  }
  // Another port of the same address is the same address; so are bad tokens.
  const auto b = host.connect("192.0.2.7:2000");
  EXPECT_EQ(send(b, msg::kLogin, login_request("u4x", "secret123")), err::kRateLimited);
  EXPECT_EQ(send(b, msg::kTokenLogin, token_request("garbage")), err::kRateLimited);
  const auto other = host.connect("[2001:db8::1]:2000");
  EXPECT_EQ(send(other, msg::kLogin, login_request("u4x", "secret123")), err::kUnknownUser);
  host.advance(60'000);
  EXPECT_EQ(send(b, msg::kLogin, login_request("u4x", "secret123")), err::kUnknownUser);
}

TEST_F(AuthTest, RegistrationsPerAddressAreLimitedUntilTheWindowPasses) {
  host.set_setting("max_registrations_per_address", std::int64_t{2});
  reload_with("registration_window_s", std::int64_t{3600});
  const auto a = host.connect("198.51.100.9:1000");
  register_ok(a, "first");
  const auto b = host.connect("198.51.100.9:1001");
  register_ok(b, "second");
  const auto c = host.connect("198.51.100.9:1002");
  pb::RegisterRequest third;
  third.set_username("third");
  third.set_password("secret123");
  EXPECT_EQ(send(c, msg::kRegister, third), err::kRateLimited);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM auth_accounts"), "2");  // nothing hashed or stored
  const auto elsewhere = host.connect("203.0.113.5:1000");
  register_ok(elsewhere, "third");  // another address is not limited
  host.advance(3'600'000);
  const auto later = host.connect("198.51.100.9:1003");
  register_ok(later, "fourth");
}

TEST_F(AuthTest, BadTokensCountAgainstTheAddress) {
  reload_with("max_failures_per_address", std::int64_t{2});
  const auto s = host.connect();
  EXPECT_EQ(send(s, msg::kTokenLogin, token_request("x.y.z")), err::kInvalidToken);
  EXPECT_EQ(send(s, msg::kTokenLogin, token_request("x.y.z")), err::kInvalidToken);
  EXPECT_EQ(send(s, msg::kTokenLogin, token_request("x.y.z")), err::kRateLimited);
}

// ---- Storage -------------------------------------------------------------------------------

TEST_F(AuthTest, StorageDownGivesStorageUnavailableAndNoCrash) {
  const auto s = host.connect();
  const auto first = register_ok(s, "alice");
  host.fail_storage();
  const auto s2 = host.connect();
  const auto unavailable = static_cast<std::uint32_t>(GH_CODE_STORAGE_UNAVAILABLE);
  EXPECT_EQ(send(s2, msg::kRegister, register_request("bob", "secret123")), unavailable);
  EXPECT_EQ(send(s2, msg::kLogin, login_request("alice", "secret123")), unavailable);
  EXPECT_EQ(send(s2, msg::kGuestLogin, guest_request("phone-0123456789ab")), unavailable);
  EXPECT_EQ(send(s2, msg::kTokenLogin, token_request(first.token())), unavailable);
  EXPECT_EQ(send(s, msg::kLogout, pb::LogoutRequest{}), unavailable);
  EXPECT_EQ(host.user_of(s), first.user_id());  // not logged out half-way
  EXPECT_EQ(host.user_of(s2), 0u);
  host.advance(600'000);  // the cleanup timer fails quietly too
  EXPECT_TRUE(host.logged("cleanup of expired token revocations failed"));

  host.fail_storage(false);
  const auto s3 = host.connect();
  login_ok(s3, msg::kLogin, login_request("alice", "secret123"));
}

// ---- Settings and the signing secret
// -------------------------------------------------------------

TEST_F(AuthTest, ProductionRefusesTheDefaultOrAShortSecret) {
  host.set_production(true);
  try {
    host.load(gamehost_plugin_v1());
    FAIL() << "loaded with the default secret in production";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("token_secret must be set to 32+ bytes in production"),
              std::string::npos)
        << e.what();
  }
  host.set_setting("token_secret", std::string(31, 'k'));
  EXPECT_THROW(host.load(gamehost_plugin_v1()), std::runtime_error);
  host.set_setting("token_secret", std::string(32, 'k'));
  EXPECT_NO_THROW(host.load(gamehost_plugin_v1()));
  const auto s = host.connect();
  const auto reply = register_ok(s, "alice");
  EXPECT_TRUE(gh_auth::verify_token(reply.token(), std::string(32, 'k'), host.now()).ok());
}

TEST_F(AuthTest, EnvironmentSecretWins) {
  const std::string env_secret = "from-the-environment-0123456789abcdef";
  ::setenv(kSecretEnv, env_secret.c_str(), 1);
  host.set_production(true);
  host.set_setting("token_secret", std::string("short"));
  ASSERT_NO_THROW(host.load(gamehost_plugin_v1()));
  const auto s = host.connect();
  const auto reply = register_ok(s, "alice");
  EXPECT_TRUE(gh_auth::verify_token(reply.token(), env_secret, host.now()).ok());
  EXPECT_FALSE(gh_auth::verify_token(reply.token(), "short", host.now()).ok());
  // An empty variable does not count: the (short) setting is used, and refused.
  ::setenv(kSecretEnv, "", 1);
  EXPECT_THROW(host.load(gamehost_plugin_v1()), std::runtime_error);
}

TEST_F(AuthTest, DefaultSecretWorksOutsideProductionWithAWarning) {
  EXPECT_TRUE(host.logged("token_secret is the development default"));
  const auto s = host.connect();
  const auto reply = register_ok(s, "alice");
  EXPECT_TRUE(gh_auth::verify_token(reply.token(), "dev-secret-change-me", host.now()).ok());
}

TEST_F(AuthTest, InvalidSettingsRefuseTheStart) {
  const auto refused = [this](const std::string& key, FakeHost::Setting value,
                              const std::string& fragment) {
    FakeHost fresh;
    fresh.set_setting("argon2_ops_limit", std::int64_t{1});
    fresh.set_setting("argon2_mem_limit_kib", std::int64_t{8});
    fresh.set_setting(key, std::move(value));
    try {
      fresh.load(gamehost_plugin_v1());
      ADD_FAILURE() << key << " accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  refused("token_secret", std::string(), "secret is empty");
  refused("duplicate_login", std::string("kick_both"), "duplicate_login");
  refused("argon2_ops_limit", std::int64_t{0}, "argon2_ops_limit");
  refused("argon2_mem_limit_kib", std::int64_t{4}, "argon2_mem_limit_kib");
  refused("username_max_length", std::int64_t{40}, "username_max_length");
  refused("username_min_length", std::int64_t{33}, "username_min_length");
  refused("password_min_length", std::int64_t{200}, "password_min_length");
  refused("token_ttl_s", std::int64_t{0}, "token_ttl_s");
  refused("max_failures_per_account", std::int64_t{0}, "max_failures_per_account");
}

TEST_F(AuthTest, WithoutTheBindUserCapabilityLoginFailsCleanly) {
  host.grant_bind_user(false);
  const auto s = host.connect();
  EXPECT_EQ(send(s, msg::kRegister, register_request("alice", "secret123")),
            static_cast<std::uint32_t>(GH_CODE_PLUGIN_FAILURE));
  EXPECT_TRUE(host.logged("bind_user capability"));
}

TEST(AuthDescriptor, ManifestFacts) {
  const auto* d = gamehost_plugin_v1();
  EXPECT_STREQ(d->name, "auth");
  EXPECT_STREQ(d->version, "1.0.0");
  ASSERT_EQ(d->range_count, 1u);
  EXPECT_EQ(d->ranges[0].first, 1000u);
  EXPECT_EQ(d->ranges[0].last, 1099u);
  ASSERT_EQ(d->public_range_count, 4u);
  for (std::uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(d->public_ranges[i].first, 1000u + 2 * i);
    EXPECT_EQ(d->public_ranges[i].last, 1000u + 2 * i);
  }
}

}  // namespace
