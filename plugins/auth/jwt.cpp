#include "jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <stdexcept>

namespace gh_auth {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &len) == nullptr ||
      len != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

std::optional<std::int64_t> int_claim(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                   static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  const auto rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    if (rest == 2) out.push_back(kAlphabet[(n >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const int v = decode_char(c);
    if (v < 0) return std::nullopt;
    bits = bits << 6 | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  // Leftover bits (2 or 4) must be zero, or two spellings would decode to the same bytes.
  if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;
  return out;
}

std::string random_jti() {
  std::array<unsigned char, 16> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  return std::string(hex.data(), 32);
}

std::string sign_token(const TokenClaims& claims, std::string_view secret) {
  const nlohmann::json payload = {{"sub", std::to_string(claims.sub)},
                                  {"iat", claims.iat},
                                  {"exp", claims.exp},
                                  {"jti", claims.jti},
                                  {"iat_ms", claims.iat_ms}};
  std::string out = base64url_encode(kHeader);
  out += '.';
  out += base64url_encode(payload.dump());
  const auto mac = hmac_sha256(secret, out);
  out += '.';
  out += base64url_encode({reinterpret_cast<const char*>(mac.data()), mac.size()});
  return out;
}

VerifiedToken verify_token(std::string_view token, std::string_view secret, std::uint64_t now_ms) {
  VerifiedToken result;
  if (token.size() > kMaxTokenBytes) return result;
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return result;
  }
  const auto header_text = base64url_decode(token.substr(0, dot1));
  const auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature) return result;

  const auto header = nlohmann::json::parse(*header_text, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return result;
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
    result.check = TokenCheck::kBadAlgorithm;
    return result;
  }

  const auto mac = hmac_sha256(secret, token.substr(0, dot2));
  if (signature->size() != mac.size() ||
      CRYPTO_memcmp(signature->data(), mac.data(), mac.size()) != 0) {
    result.check = TokenCheck::kBadSignature;
    return result;
  }

  const auto payload = nlohmann::json::parse(*payload_text, nullptr, false);
  if (!payload.is_object()) return result;
  const auto sub = payload.find("sub");
  const auto jti = payload.find("jti");
  const auto iat = int_claim(payload, "iat");
  const auto exp = int_claim(payload, "exp");
  if (sub == payload.end() || !sub->is_string() || jti == payload.end() || !jti->is_string() ||
      !iat || !exp) {
    return result;
  }
  const auto& sub_text = sub->get_ref<const std::string&>();
  std::uint64_t user = 0;
  const auto [end, ec] = std::from_chars(sub_text.data(), sub_text.data() + sub_text.size(), user);
  const auto& jti_text = jti->get_ref<const std::string&>();
  if (ec != std::errc() || end != sub_text.data() + sub_text.size() || user == 0 ||
      jti_text.empty() || jti_text.size() > 64) {
    return result;
  }
  const auto iat_ms = int_claim(payload, "iat_ms");
  result.claims = TokenClaims{user, *iat, *exp, jti_text, iat_ms ? *iat_ms : *iat * 1000};
  const bool expired = *exp <= 0 || now_ms / 1000 >= static_cast<std::uint64_t>(*exp);
  result.check = expired ? TokenCheck::kExpired : TokenCheck::kOk;
  return result;
}

}  // namespace gh_auth
