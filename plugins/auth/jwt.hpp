// Internal to the auth plugin: JSON Web Tokens signed with HMAC-SHA256 (RFC 7519, "HS256"
// only). Pure functions: no host, no clock of their own; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gh_auth {

// base64url without padding (RFC 4648 section 5). decode refuses padding, characters
// outside the alphabet and non-zero unused trailing bits, so every token has exactly one
// spelling: a changed character always changes the decoded bytes or is refused.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

struct TokenClaims {
  std::uint64_t sub = 0;  // the user id, written as a decimal string
  std::int64_t iat = 0;   // issued at, Unix seconds
  std::int64_t exp = 0;   // expires at, Unix seconds (refused from this second on)
  std::string jti;        // unique token id
  // Issued at, Unix ms (the private claim "iat_ms"; iat * 1000 in tokens written before it
  // existed): a logout revokes the user's tokens issued up to its own token's iat_ms.
  std::int64_t iat_ms = 0;
};

// A random 128-bit token id as 32 hex digits (libsodium randombytes_buf).
std::string random_jti();

// header.payload.signature with header {"alg":"HS256","typ":"JWT"}.
std::string sign_token(const TokenClaims& claims, std::string_view secret);

enum class TokenCheck {
  kOk,
  kMalformed,     // not three base64url parts of JSON with the claims we write
  kBadAlgorithm,  // header alg is not exactly "HS256" ("none" included)
  kBadSignature,  // signed with another secret, or header/payload changed
  kExpired,       // now_ms >= exp * 1000
};

struct VerifiedToken {
  TokenCheck check = TokenCheck::kMalformed;
  TokenClaims claims;  // filled when check is kOk or kExpired
  bool ok() const { return check == TokenCheck::kOk; }
};

// Checks form, algorithm, signature (constant-time compare) and expiry, in that order.
// Revocation is the caller's business (it needs the database).
VerifiedToken verify_token(std::string_view token, std::string_view secret, std::uint64_t now_ms);

// The longest token verify_token looks at; longer input is malformed without parsing.
constexpr std::size_t kMaxTokenBytes = 2048;

}  // namespace gh_auth
