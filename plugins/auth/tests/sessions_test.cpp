// The user <-> session registry behind the duplicate-login policy and logout.
#include <gtest/gtest.h>

#include "sessions.hpp"

namespace {

using gh_auth::DuplicateLogin;
using gh_auth::SessionLogin;
using gh_auth::SessionRegistry;

SessionLogin as(gamehost::UserId user, std::string jti = "j") {
  return {user, std::move(jti), 5000};
}

TEST(SessionRegistry, KickOldDisplacesTheOlderSession) {
  SessionRegistry r;
  EXPECT_EQ(r.claim(1, as(7), DuplicateLogin::kKickOld).displaced, 0u);
  const auto claim = r.claim(2, as(7), DuplicateLogin::kKickOld);
  EXPECT_FALSE(claim.refused);
  EXPECT_EQ(claim.displaced, 1u);
  EXPECT_EQ(r.session_of(7), 2u);
  EXPECT_FALSE(r.login_of(1));
}

TEST(SessionRegistry, RefuseNewKeepsTheOlderSession) {
  SessionRegistry r;
  r.claim(1, as(7), DuplicateLogin::kRefuseNew);
  EXPECT_TRUE(r.claim(2, as(7), DuplicateLogin::kRefuseNew).refused);
  EXPECT_EQ(r.session_of(7), 1u);
  EXPECT_FALSE(r.login_of(2));
}

TEST(SessionRegistry, SameSessionMayLogInAgainAsAnyone) {
  SessionRegistry r;
  r.claim(1, as(7, "a"), DuplicateLogin::kRefuseNew);
  EXPECT_FALSE(r.claim(1, as(7, "b"), DuplicateLogin::kRefuseNew).refused);
  EXPECT_EQ(r.login_of(1)->jti, "b");
  r.claim(1, as(8), DuplicateLogin::kRefuseNew);
  EXPECT_FALSE(r.session_of(7));  // user 7 is no longer logged in anywhere
  EXPECT_FALSE(r.claim(2, as(7), DuplicateLogin::kRefuseNew).refused);
  EXPECT_EQ(r.size(), 2u);
}

TEST(SessionRegistry, ReleaseAndReleaseIf) {
  SessionRegistry r;
  r.claim(1, as(7, "a"), DuplicateLogin::kKickOld);
  r.release_if(1, as(7, "other"));  // not what it holds: kept
  EXPECT_TRUE(r.login_of(1));
  EXPECT_EQ(r.release(1)->jti, "a");
  EXPECT_FALSE(r.session_of(7));
  EXPECT_FALSE(r.release(1));
}

TEST(SessionRegistry, SerializeRestoreRoundTrip) {
  SessionRegistry r;
  r.claim(1, as(7, "a"), DuplicateLogin::kKickOld);
  r.claim(2, {8, "b", 123456789012345}, DuplicateLogin::kKickOld);
  SessionRegistry copy;
  copy.restore(r.serialize());
  EXPECT_EQ(copy.session_of(7), 1u);
  EXPECT_EQ(copy.login_of(2), (SessionLogin{8, "b", 123456789012345}));
  EXPECT_EQ(copy.size(), 2u);
}

TEST(SessionRegistry, RestoreRefusesGarbage) {
  SessionRegistry r;
  EXPECT_THROW(r.restore("not json"), std::runtime_error);
  EXPECT_THROW(r.restore(R"([[1, 7, "a"]])"), std::runtime_error);
  EXPECT_THROW(r.restore(R"([[1, 7, "a", 5], [2, 7, "b", 5]])"), std::runtime_error);
  EXPECT_NO_THROW(r.restore("[]"));
}

}  // namespace
