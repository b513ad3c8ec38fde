// The sliding-window failure counter behind the login rate limit.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

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

TEST(FailureLimiter, SafeFromManyThreads) {
  FailureLimiter limiter(1'000'000, 1'000'000);
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&limiter, t] {
      for (int i = 0; i < 1000; ++i) {
        limiter.record_failure("shared", i);
        limiter.record_failure("own" + std::to_string(t), i);
        (void)limiter.blocked("shared", i);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(limiter.tracked_keys(), 5u);
}

}  // namespace
