// JWT signing and verification, and the strict base64url underneath.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "jwt.hpp"

namespace {

using gh_auth::base64url_decode;
using gh_auth::base64url_encode;
using gh_auth::sign_token;
using gh_auth::TokenCheck;
using gh_auth::TokenClaims;
using gh_auth::verify_token;

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";
constexpr std::uint64_t kNowMs = 1'700'000'000'000;
constexpr std::int64_t kNowS = 1'700'000'000;

TokenClaims claims() {
  return TokenClaims{42, kNowS, kNowS + 3600, "00112233445566778899aabbccddeeff"};
}

struct Parts {
  std::string header, payload, signature;
};
Parts split(const std::string& token) {
  const auto a = token.find('.');
  const auto b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}
std::string join(const Parts& p) {
  return p.header + "." + p.payload + "." + p.signature;
}

// A token with any header and payload, correctly signed (what only the secret's owner can do).
std::string sign_raw(std::string_view header, std::string_view payload, std::string_view secret) {
  const auto head = base64url_encode(header) + "." + base64url_encode(payload);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(head.data()), head.size(), mac, &len);
  return head + "." + base64url_encode({reinterpret_cast<const char*>(mac), len});
}

TEST(Base64Url, RoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    const auto text = base64url_encode(bytes);
    EXPECT_EQ(text.find('='), std::string::npos);
    EXPECT_EQ(base64url_decode(text), bytes) << "length " << i;
    bytes.push_back(static_cast<char>(i * 37 + 200));
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");  // the url-safe characters
}

TEST(Base64Url, RefusesPaddingForeignCharactersAndNonCanonicalTails) {
  EXPECT_FALSE(base64url_decode("YQ=="));
  EXPECT_FALSE(base64url_decode("a+b/"));
  EXPECT_FALSE(base64url_decode("YWJjZ"));  // a length no encoding has
  EXPECT_EQ(base64url_decode("YQ"), "a");
  EXPECT_FALSE(base64url_decode("YR"));  // same bytes with a non-zero unused bit
}

TEST(Jwt, SignedTokenVerifiesWithItsClaims) {
  const auto token = sign_token(claims(), kSecret);
  const auto header = nlohmann::json::parse(*base64url_decode(split(token).header));
  EXPECT_EQ(header["alg"], "HS256");
  EXPECT_EQ(header["typ"], "JWT");
  const auto payload = nlohmann::json::parse(*base64url_decode(split(token).payload));
  EXPECT_EQ(payload["sub"], "42");  // a string, as RFC 7519 wants
  EXPECT_EQ(payload["exp"], kNowS + 3600);

  const auto v = verify_token(token, kSecret, kNowMs);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.claims.sub, 42u);
  EXPECT_EQ(v.claims.iat, kNowS);
  EXPECT_EQ(v.claims.exp, kNowS + 3600);
  EXPECT_EQ(v.claims.jti, claims().jti);
}

TEST(Jwt, TamperedPayloadIsRefused) {
  auto parts = split(sign_token(claims(), kSecret));
  auto payload = nlohmann::json::parse(*base64url_decode(parts.payload));
  payload["sub"] = "43";
  parts.payload = base64url_encode(payload.dump());
  EXPECT_EQ(verify_token(join(parts), kSecret, kNowMs).check, TokenCheck::kBadSignature);
}

TEST(Jwt, EveryChangedSignatureCharacterIsRefused) {
  const auto token = sign_token(claims(), kSecret);
  for (std::size_t i = token.rfind('.') + 1; i < token.size(); ++i) {
    auto changed = token;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_token(changed, kSecret, kNowMs).ok()) << "position " << i;
  }
  EXPECT_FALSE(verify_token(token.substr(0, token.size() - 1), kSecret, kNowMs).ok());
}

TEST(Jwt, AlgNoneAndOtherAlgorithmsAreRefused) {
  auto parts = split(sign_token(claims(), kSecret));
  for (const char* alg : {"none", "None", "HS512", "RS256", "hs256"}) {
    parts.header = base64url_encode(nlohmann::json{{"alg", alg}, {"typ", "JWT"}}.dump());
    EXPECT_EQ(verify_token(join(parts), kSecret, kNowMs).check, TokenCheck::kBadAlgorithm) << alg;
    parts.signature.clear();  // the classic "none" token has an empty signature
    EXPECT_EQ(verify_token(join(parts), kSecret, kNowMs).check, TokenCheck::kBadAlgorithm) << alg;
  }
  parts.header = base64url_encode(R"({"typ":"JWT"})");
  EXPECT_EQ(verify_token(join(parts), kSecret, kNowMs).check, TokenCheck::kBadAlgorithm);
}

TEST(Jwt, WrongSecretIsRefused) {
  const auto token = sign_token(claims(), "another secret of thirty-two bytes");
  EXPECT_EQ(verify_token(token, kSecret, kNowMs).check, TokenCheck::kBadSignature);
}

TEST(Jwt, ExpiredFromTheExpSecondOn) {
  const auto token = sign_token(claims(), kSecret);
  const std::uint64_t exp_ms = (kNowS + 3600) * 1000;
  EXPECT_TRUE(verify_token(token, kSecret, exp_ms - 1).ok());
  const auto v = verify_token(token, kSecret, exp_ms);
  EXPECT_EQ(v.check, TokenCheck::kExpired);
  EXPECT_EQ(v.claims.sub, 42u);
}

TEST(Jwt, MalformedInputIsRefusedWithoutThrowing) {
  const auto valid = split(sign_token(claims(), kSecret));
  for (const std::string& bad : std::vector<std::string>{
           std::string(), std::string("."), std::string(".."), std::string("a.b"),
           std::string("a.b.c.d"), std::string("!!!.???.***"), valid.header + "." + valid.payload,
           join(valid) + ".", std::string(5000, 'A'),
           base64url_encode("not json") + "." + valid.payload + "." + valid.signature}) {
    EXPECT_EQ(verify_token(bad, kSecret, kNowMs).check, TokenCheck::kMalformed) << bad;
  }
}

TEST(Jwt, CorrectlySignedButIncompleteClaimsAreMalformed) {
  // Payloads this plugin never writes, signed with the right secret: still refused.
  for (const auto& payload :
       {nlohmann::json{{"sub", 42}, {"iat", kNowS}, {"exp", kNowS + 60}, {"jti", "x"}},
        nlohmann::json{{"sub", "42"}, {"iat", kNowS}, {"exp", "later"}, {"jti", "x"}},
        nlohmann::json{{"sub", "0"}, {"iat", kNowS}, {"exp", kNowS + 60}, {"jti", "x"}},
        nlohmann::json{{"sub", "42x"}, {"iat", kNowS}, {"exp", kNowS + 60}, {"jti", "x"}},
        nlohmann::json{{"sub", "42"}, {"iat", kNowS}, {"exp", kNowS + 60}},
        nlohmann::json::array({1, 2})}) {
    const auto token = sign_raw(R"({"alg":"HS256","typ":"JWT"})", payload.dump(), kSecret);
    EXPECT_EQ(verify_token(token, kSecret, kNowMs).check, TokenCheck::kMalformed) << payload;
  }
  // The helper itself signs what the plugin accepts.
  const auto ok = nlohmann::json{{"sub", "42"}, {"iat", kNowS}, {"exp", kNowS + 60}, {"jti", "x"}};
  EXPECT_TRUE(
      verify_token(sign_raw(R"({"alg":"HS256"})", ok.dump(), kSecret), kSecret, kNowMs).ok());
}

TEST(Jwt, RandomJtisAre128BitHexAndDiffer) {
  const auto a = gh_auth::random_jti();
  const auto b = gh_auth::random_jti();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

}  // namespace
