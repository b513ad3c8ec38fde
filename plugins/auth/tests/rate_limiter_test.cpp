// The sliding-window failure counter behind the login rate limit.
#include <gtest/gtest.h>

#include <string>

#include "rate_limiter.hpp"

namespace {

using gh_auth::FailureLimiter;

TEST(FailureLimiter, BlocksAtTheLimitWithinTheWindow) {
  FailureLimiter limiter(3, 1000);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.blocked("alice", 100 + i));
    limiter.record_failure("alice", 100 + i);
  }
  EXPECT_TRUE(limiter.blocked("alice", 200));
  EXPECT_FALSE(limiter.blocked("bob", 200));  // per key
}

TEST(FailureLimiter, WindowSlides) {
  FailureLimiter limiter(2, 1000);
  limiter.record_failure("k", 0);
  limiter.record_failure("k", 600);
  EXPECT_TRUE(limiter.blocked("k", 999));
  EXPECT_FALSE(limiter.blocked("k", 1000));  // the first failure left the window
  limiter.record_failure("k", 1000);
  EXPECT_TRUE(limiter.blocked("k", 1500));
  EXPECT_FALSE(limiter.blocked("k", 2000));
}

TEST(FailureLimiter, ClearForgivesAndPruneForgets) {
  FailureLimiter limiter(1, 1000);
  limiter.record_failure("a", 0);
  limiter.record_failure("b", 500);
  limiter.clear("a");
  EXPECT_FALSE(limiter.blocked("a", 1));
  EXPECT_EQ(limiter.tracked_keys(), 1u);
  limiter.prune(1499);
  EXPECT_EQ(limiter.tracked_keys(), 1u);
  limiter.prune(1500);
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(FailureLimiter, KeepsAtMostTheLimitPerKey) {
  FailureLimiter limiter(2, 1'000'000);
  for (int i = 0; i < 1000; ++i) limiter.record_failure("k", i);
  // Only the newest two count: once they leave the window the key is free again.
  EXPECT_TRUE(limiter.blocked("k", 1'000'997));
  EXPECT_FALSE(limiter.blocked("k", 1'000'999));
}

// Attempts whose password check is still running count until they end: ten sessions
// guessing at once get no more tries than one session guessing ten times.
TEST(FailureLimiter, AttemptsInFlightCountUntilTheyEnd) {
  FailureLimiter limiter(2, 1000);
  {
    auto first = limiter.begin_attempt("alice");
    EXPECT_FALSE(limiter.blocked("alice", 10));
    auto second = limiter.begin_attempt("alice");
    EXPECT_TRUE(limiter.blocked("alice", 10));
    EXPECT_FALSE(limiter.blocked("bob", 10));
    auto moved = std::move(second);  // the moved-from token ends nothing
  }
  EXPECT_FALSE(limiter.blocked("alice", 10));  // both ended without a failure
  auto pending = limiter.begin_attempt("alice");
  limiter.record_failure("alice", 20);
  EXPECT_TRUE(limiter.blocked("alice", 30));  // one failure + one in flight
}

// A flood of distinct keys (addresses, names) cannot grow the limiter without bound: past
// max_keys the stalest key is forgotten, the newest are kept.
TEST(FailureLimiter, TracksAtMostMaxKeysAndForgetsTheStalest) {
  FailureLimiter limiter(1, 1'000'000, 3);
  for (std::uint64_t i = 0; i < 10; ++i) limiter.record_failure("k" + std::to_string(i), 100 + i);
  EXPECT_EQ(limiter.tracked_keys(), 3u);
  EXPECT_TRUE(limiter.blocked("k9", 200));
  EXPECT_TRUE(limiter.blocked("k7", 200));
  EXPECT_FALSE(limiter.blocked("k0", 200));  // forgotten
  limiter.record_failure("k9", 300);         // a known key takes no room
  EXPECT_EQ(limiter.tracked_keys(), 3u);
}

}  // namespace
