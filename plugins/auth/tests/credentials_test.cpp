// Username, password and device-id rules, and argon2id hashing.
#include <gtest/gtest.h>

#include "credentials.hpp"

namespace {

using namespace gh_auth;

TEST(Credentials, UsernameRules) {
  const NameRules rules{3, 10};
  EXPECT_FALSE(username_problem("abc", rules));
  EXPECT_FALSE(username_problem("Ab_9_xyzAB", rules));
  EXPECT_TRUE(username_problem("ab", rules));
  EXPECT_TRUE(username_problem("abcdefghijk", rules));
  for (const char* bad :
       {"a b c", "abc!", "ab-c", "\xc3\xa4\x62\x63" /* "äbc": a non-ASCII letter */, "ab\ncd"}) {
    EXPECT_TRUE(username_problem(bad, rules)) << bad;
  }
  EXPECT_EQ(username_key("AliCe_9"), "alice_9");
}

TEST(Credentials, PasswordRules) {
  const PasswordRules rules{8, 12, true};
  EXPECT_FALSE(password_problem("abcdefg1", rules));
  EXPECT_TRUE(password_problem("abcdef1", rules));        // short
  EXPECT_TRUE(password_problem("abcdefghijk12", rules));  // long
  EXPECT_TRUE(password_problem("abcdefgh", rules));       // no digit
  EXPECT_TRUE(password_problem("12345678", rules));       // no letter
  // Lengths count characters: 8 two-byte letters and a digit are 9 characters.
  EXPECT_FALSE(
      password_problem("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"
                       "1",
                       rules));
  EXPECT_FALSE(password_problem("12345678", PasswordRules{8, 12, false}));
  EXPECT_EQ(utf8_length("a\xc3\xa4\xe2\x82\xac"), 3u);
}

TEST(Credentials, DeviceIdRules) {
  EXPECT_TRUE(valid_device_id("A-z_0.9:x", 1));
  EXPECT_TRUE(valid_device_id(std::string(128, 'd'), 16));
  EXPECT_TRUE(valid_device_id(std::string(16, 'd'), 16));
  EXPECT_FALSE(valid_device_id(std::string(15, 'd'), 16));  // too short to be a secret
  EXPECT_FALSE(valid_device_id("", 0));                     // never empty
  EXPECT_FALSE(valid_device_id(std::string(129, 'd'), 1));
  EXPECT_FALSE(valid_device_id("dev ice", 1));
  EXPECT_FALSE(valid_device_id("dev/ice", 1));
}

TEST(PasswordHasher, Argon2idRoundTripAndRehash) {
  const PasswordHasher hasher(1, std::size_t{8} * 1024);
  const auto hash = hasher.hash("secret12");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_NE(hasher.hash("secret12"), hash);  // salted
  EXPECT_TRUE(hasher.verify(hash, "secret12"));
  EXPECT_FALSE(hasher.verify(hash, "secret13"));
  EXPECT_FALSE(hasher.verify("not a hash", "secret12"));
  EXPECT_FALSE(hasher.needs_rehash(hash));
  EXPECT_TRUE(PasswordHasher(2, std::size_t{8} * 1024).needs_rehash(hash));
}

TEST(PasswordHasher, RefusesCostsOutsideLibsodiumLimits) {
  EXPECT_THROW(PasswordHasher(0, std::size_t{8} * 1024), std::runtime_error);
  EXPECT_THROW(PasswordHasher(1, 1024), std::runtime_error);
}

}  // namespace
