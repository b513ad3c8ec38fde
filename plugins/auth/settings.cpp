#include "settings.hpp"

#include <sodium.h>

#include <cstdlib>
#include <stdexcept>

namespace gh_auth {
namespace {

// An integer setting within [min, max], or a start-up error that names it.
std::int64_t bounded(gamehost::Host& host, const std::string& key, std::int64_t fallback,
                     std::int64_t min, std::int64_t max) {
  const auto value = host.config_int(key, fallback);
  if (value < min || value > max) {
    throw std::runtime_error(gamehost::concat("auth: setting ", key, " = ", value,
                                              " is out of range (", min, "-", max, ")"));
  }
  return value;
}

}  // namespace

Settings read_settings(gamehost::Host& host) {
  Settings s;
  s.names.min_length = static_cast<std::size_t>(bounded(host, "username_min_length", 3, 1, 32));
  s.names.max_length = static_cast<std::size_t>(bounded(host, "username_max_length", 32, 1, 32));
  if (s.names.min_length > s.names.max_length) {
    throw std::runtime_error(gamehost::concat("auth: username_min_length (", s.names.min_length,
                                              ") is above username_max_length (",
                                              s.names.max_length, ")"));
  }
  s.passwords.min_length =
      static_cast<std::size_t>(bounded(host, "password_min_length", 8, 1, 1024));
  s.passwords.max_length =
      static_cast<std::size_t>(bounded(host, "password_max_length", 128, 1, 1024));
  if (s.passwords.min_length > s.passwords.max_length) {
    throw std::runtime_error(gamehost::concat("auth: password_min_length (", s.passwords.min_length,
                                              ") is above password_max_length (",
                                              s.passwords.max_length, ")"));
  }
  s.passwords.require_mixed = host.config_bool("password_require_mixed", true);

  // The libsodium bounds are checked by PasswordHasher with the exact limits in its text;
  // here only what would not even convert.
  s.argon2_ops_limit = static_cast<std::uint64_t>(
      bounded(host, "argon2_ops_limit", crypto_pwhash_OPSLIMIT_INTERACTIVE, 0, 0xffffffffLL));
  s.argon2_mem_limit_bytes = static_cast<std::size_t>(
      bounded(host, "argon2_mem_limit_kib", 65536, 0, std::int64_t{1} << 32) * 1024);

  s.token_ttl_s = static_cast<std::uint64_t>(
      bounded(host, "token_ttl_s", 86400, 60, std::int64_t{366} * 24 * 3600));

  const auto policy = host.config_string("duplicate_login", "kick_old");
  if (policy == "kick_old") {
    s.duplicate_login = DuplicateLogin::kKickOld;
  } else if (policy == "refuse_new") {
    s.duplicate_login = DuplicateLogin::kRefuseNew;
  } else {
    throw std::runtime_error("auth: setting duplicate_login = \"" + policy +
                             "\" is not one of \"kick_old\", \"refuse_new\"");
  }

  s.max_failures_per_account =
      static_cast<std::uint32_t>(bounded(host, "max_failures_per_account", 5, 1, 1'000'000));
  s.max_failures_per_address =
      static_cast<std::uint32_t>(bounded(host, "max_failures_per_address", 20, 1, 1'000'000));
  s.failure_window_ms = static_cast<std::uint64_t>(bounded(host, "failure_window_s", 300, 1,
                                                           std::int64_t{7} * 24 * 3600)) *
                        1000;
  s.max_registrations_per_address =
      static_cast<std::uint32_t>(bounded(host, "max_registrations_per_address", 20, 1, 1'000'000));
  s.registration_window_ms = static_cast<std::uint64_t>(bounded(host, "registration_window_s", 3600,
                                                                1, std::int64_t{7} * 24 * 3600)) *
                             1000;
  s.cleanup_interval_ms = static_cast<std::uint64_t>(bounded(host, "cleanup_interval_s", 600, 1,
                                                             std::int64_t{24} * 3600)) *
                          1000;
  s.max_guest_logins_per_address =
      static_cast<std::uint32_t>(bounded(host, "max_guest_logins_per_address", 100, 1, 1'000'000));
  s.max_binds_per_address =
      static_cast<std::uint32_t>(bounded(host, "max_binds_per_address", 10, 1, 1'000'000));
  s.max_guest_or_bind_per_session =
      static_cast<std::uint32_t>(bounded(host, "max_guest_or_bind_per_session", 5, 1, 1'000'000));
  s.guest_window_ms = static_cast<std::uint64_t>(
                          bounded(host, "guest_window_s", 600, 1, std::int64_t{7} * 24 * 3600)) *
                      1000;
  s.min_device_id_length = static_cast<std::size_t>(
      bounded(host, "min_device_id_length", 16, 1, static_cast<std::int64_t>(kMaxDeviceIdLength)));
  s.device_login_after_bind = host.config_bool("device_login_after_bind", false);

  // The signing secret: the environment wins, so it can stay out of the config file.
  const auto env_name = host.config_string("token_secret_env", "GAMEHOST_AUTH_SECRET");
  const char* env = env_name.empty() ? nullptr : std::getenv(env_name.c_str());
  if (env != nullptr && *env != '\0') {
    s.token_secret = env;
    s.secret_source = "environment variable " + env_name;
  } else {
    s.token_secret = host.config_string("token_secret", std::string(kDefaultSecret));
    s.secret_source = "setting token_secret";
  }
  if (s.token_secret.empty()) {
    throw std::runtime_error("auth: the token signing secret is empty (" + s.secret_source +
                             "); set token_secret or the environment variable " + env_name);
  }
  // [auth-production]
  if (host.info().production &&
      (s.token_secret == kDefaultSecret || s.token_secret.size() < kMinProductionSecretBytes)) {
    throw std::runtime_error(gamehost::concat(
        "auth: token_secret must be set to 32+ bytes in production (", s.secret_source, " is ",
        s.token_secret == kDefaultSecret ? "the default" : "too short", "); set ",
        "[plugins.auth.settings] token_secret or the environment variable ", env_name,
        ", e.g. to the output of `openssl rand -hex 32`"));
  }
  // [auth-production]
  return s;
}

}  // namespace gh_auth
