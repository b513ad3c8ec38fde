// Internal to the auth plugin: its [plugins.auth.settings], read and checked once when the
// plugin is created. Every refusal throws std::runtime_error naming the setting, so the
// host refuses the plugin (and, auth being required, refuses to start) with that text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <gamehost/plugin.hpp>

#include "credentials.hpp"
#include "sessions.hpp"

namespace gh_auth {

// The secret config/gamehost.toml ships with: fine for development, refused in production.
inline constexpr std::string_view kDefaultSecret = "dev-secret-change-me";
inline constexpr std::size_t kMinProductionSecretBytes = 32;

struct Settings {
  NameRules names;                         // username_min_length (3), username_max_length (32)
  PasswordRules passwords;                 // password_min_length (8), password_max_length (128),
                                           // password_require_mixed (true)
  std::uint64_t argon2_ops_limit = 0;      // argon2_ops_limit (crypto_pwhash_OPSLIMIT_INTERACTIVE)
  std::size_t argon2_mem_limit_bytes = 0;  // argon2_mem_limit_kib (65536) * 1024
  std::uint64_t token_ttl_s = 86400;       // token_ttl_s
  std::string token_secret;                // env var named by token_secret_env, else token_secret
  std::string secret_source;               // where token_secret came from, for messages
  DuplicateLogin duplicate_login = DuplicateLogin::kKickOld;  // "kick_old" | "refuse_new"
  std::uint32_t max_failures_per_account = 5;
  std::uint32_t max_failures_per_address = 20;
  std::uint64_t failure_window_ms = 300'000;         // failure_window_s (300)
  std::uint32_t max_registrations_per_address = 20;  // per registration_window_s
  std::uint64_t registration_window_ms = 3'600'000;  // registration_window_s (3600)
  std::uint64_t cleanup_interval_ms = 600'000;       // cleanup_interval_s (600)
  // Guest logins and credential binds cost an account or an argon2id hash: bounded per
  // address and per session within guest_window_s.
  std::uint32_t max_guest_logins_per_address = 100;
  std::uint32_t max_binds_per_address = 10;
  std::uint32_t max_guest_or_bind_per_session = 5;
  std::uint64_t guest_window_ms = 600'000;  // guest_window_s (600)
  std::size_t min_device_id_length = 16;
  // A guest account that bound a username logs in by device id only when this is true.
  bool device_login_after_bind = false;
};

// Reads the settings through host.config_* and the environment; checks them against each
// other and against host.info().production.
Settings read_settings(gamehost::Host& host);

}  // namespace gh_auth
