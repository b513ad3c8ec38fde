#include "credentials.hpp"

#include <algorithm>

#include <sodium.h>

#include <gamehost/plugin.hpp>

#include <array>
#include <stdexcept>

namespace gh_auth {
namespace {

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<std::string> username_problem(std::string_view name, const NameRules& rules) {
  if (name.size() < rules.min_length || name.size() > rules.max_length) {
    return gamehost::concat("username must be ", rules.min_length, "-", rules.max_length,
                            " characters long");
  }
  for (const char c : name) {
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '_') {
      return std::string("username may contain only letters A-Z a-z, digits and _");
    }
  }
  return std::nullopt;
}

std::optional<std::string> password_problem(std::string_view password, const PasswordRules& rules) {
  const auto length = utf8_length(password);
  if (length < rules.min_length) {
    return gamehost::concat("password must be at least ", rules.min_length, " characters long");
  }
  if (length > rules.max_length) {
    return gamehost::concat("password must be at most ", rules.max_length, " characters long");
  }
  if (rules.require_mixed) {
    bool letter = false;
    bool digit = false;
    for (const char c : password) {
      letter = letter || is_ascii_letter(c) || static_cast<unsigned char>(c) >= 0x80;
      digit = digit || is_ascii_digit(c);
    }
    if (!letter || !digit) return std::string("password must contain a letter and a digit");
  }
  return std::nullopt;
}

std::string username_key(std::string_view name) {
  std::string key(name);
  for (auto& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

bool valid_device_id(std::string_view device_id, std::size_t min_length) {
  if (device_id.size() < std::max<std::size_t>(min_length, 1) ||
      device_id.size() > kMaxDeviceIdLength) {
    return false;
  }
  for (const char c : device_id) {
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '_' && c != '.' && c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  }
  return n;
}

PasswordHasher::PasswordHasher(std::uint64_t ops_limit, std::size_t mem_limit_bytes)
    : ops_limit_(ops_limit), mem_limit_(mem_limit_bytes) {
  if (sodium_init() < 0) throw std::runtime_error("auth: libsodium failed to initialise");
  if (ops_limit < crypto_pwhash_OPSLIMIT_MIN || ops_limit > crypto_pwhash_OPSLIMIT_MAX) {
    throw std::runtime_error(
        gamehost::concat("auth: argon2_ops_limit = ", ops_limit, " is outside libsodium's limits ",
                         crypto_pwhash_OPSLIMIT_MIN, "-", crypto_pwhash_OPSLIMIT_MAX));
  }
  if (mem_limit_bytes < crypto_pwhash_MEMLIMIT_MIN ||
      mem_limit_bytes > crypto_pwhash_MEMLIMIT_MAX) {
    throw std::runtime_error(gamehost::concat(
        "auth: argon2_mem_limit_kib = ", mem_limit_bytes / 1024, " is outside libsodium's limits ",
        crypto_pwhash_MEMLIMIT_MIN / 1024, "-", crypto_pwhash_MEMLIMIT_MAX / 1024, " KiB"));
  }
  // A hash of a random password with the same costs, for verify_dummy.
  std::array<unsigned char, 16> random{};
  randombytes_buf(random.data(), random.size());
  dummy_hash_ = hash({reinterpret_cast<const char*>(random.data()), random.size()});
}

std::string PasswordHasher::hash(std::string_view password) const {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), ops_limit_, mem_limit_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error(gamehost::concat("auth: argon2id hashing failed (out of memory? ",
                                              mem_limit_ / 1024, " KiB per hash)"));
  }
  return std::string(out.data());
}

bool PasswordHasher::verify(const std::string& stored_hash, std::string_view password) const {
  return crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::needs_rehash(const std::string& stored_hash) const {
  return crypto_pwhash_str_needs_rehash(stored_hash.c_str(), ops_limit_, mem_limit_) != 0;
}

void PasswordHasher::verify_dummy(std::string_view password) const {
  (void)verify(dummy_hash_, password);
}

}  // namespace gh_auth
