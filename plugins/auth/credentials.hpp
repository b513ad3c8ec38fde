// Internal to the auth plugin: the rules usernames, passwords and device ids must follow,
// and password hashing (argon2id through libsodium). Thread-safe: no shared mutable state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gh_auth {

struct NameRules {
  std::size_t min_length = 3;
  std::size_t max_length = 32;  // at most 32: the width of auth_accounts.username
};

struct PasswordRules {
  std::size_t min_length = 8;  // in characters (UTF-8 code points)
  std::size_t max_length = 128;
  bool require_mixed = true;  // at least one letter and one digit
};

// Why a name or password is refused, as a text a player may read; nothing when it is fine.
// Usernames: [A-Za-z0-9_], min..max bytes.
std::optional<std::string> username_problem(std::string_view name, const NameRules& rules);
// Passwords: min..max code points; with require_mixed, a letter (ASCII, or any non-ASCII
// character) and an ASCII digit.
std::optional<std::string> password_problem(std::string_view password, const PasswordRules& rules);

// The form uniqueness is checked in: names differing only in case are the same account.
std::string username_key(std::string_view name);

// Device ids for guest login: min_length-128 characters of [A-Za-z0-9_.:-]. A device id is
// the guest account's only secret: clients should send a random id of 128 bits or more
// (e.g. 32 hex digits), made once per installation and kept.
bool valid_device_id(std::string_view device_id, std::size_t min_length);
constexpr std::size_t kMaxDeviceIdLength = 128;

// Counts UTF-8 code points (bytes that are not continuation bytes).
std::size_t utf8_length(std::string_view text);

// argon2id with fixed costs. Hashing and verifying take the configured time and memory
// (tens of ms, tens of MiB by default): run them with run_blocking, never on the plugin's queue.
class PasswordHasher {
 public:
  // Throws std::runtime_error when the costs are outside libsodium's limits, or libsodium
  // cannot start.
  PasswordHasher(std::uint64_t ops_limit, std::size_t mem_limit_bytes);

  // A "$argon2id$..." string (salt and costs included). Throws on out-of-memory.
  std::string hash(std::string_view password) const;
  bool verify(const std::string& stored_hash, std::string_view password) const;
  // True when stored_hash was made with other costs (or another algorithm).
  bool needs_rehash(const std::string& stored_hash) const;
  // Spends about the time of one verify, for a login of an unknown user, so response
  // times do not tell which usernames exist.
  void verify_dummy(std::string_view password) const;

 private:
  std::uint64_t ops_limit_;
  std::size_t mem_limit_;
  std::string dummy_hash_;
};

}  // namespace gh_auth
