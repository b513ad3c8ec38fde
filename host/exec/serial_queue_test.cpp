#include "exec/serial_queue.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace gamehost::exec {
namespace {

TEST(SerialQueue, RunsInPushOrderOneAtATime) {
  WorkerPool pool(4);
  auto q = std::make_shared<SerialQueue>(pool, 100000);
  std::vector<int> seen;
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  std::promise<void> done;
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(q->push([&, i] {
      if (running.fetch_add(1) != 0) overlapped = true;
      seen.push_back(i);  // no lock: the queue promises one task at a time
      running.fetch_sub(1);
      if (i == 9999) done.set_value();
    }));
  }
  done.get_future().wait();
  EXPECT_FALSE(overlapped);
  ASSERT_EQ(seen.size(), 10000u);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(seen[i], i);
}

TEST(SerialQueue, RefusesPastCapacityButTakesUnboundedWork) {
  WorkerPool pool(1);
  auto q = std::make_shared<SerialQueue>(pool, 3);
  q->pause();  // hold everything so the queue fills
  EXPECT_TRUE(q->push([] {}));
  EXPECT_TRUE(q->push([] {}));
  EXPECT_TRUE(q->push([] {}));
  EXPECT_FALSE(q->push([] {}));
  q->push_unbounded([] {});
  EXPECT_EQ(q->depth(), 4u);
  std::promise<void> drained;
  q->push_unbounded([&] { drained.set_value(); });
  q->resume();
  drained.get_future().wait();
  EXPECT_EQ(q->depth(), 0u);
}

TEST(SerialQueue, PauseHoldsTasksInOrderUntilResume) {
  WorkerPool pool(2);
  auto q = std::make_shared<SerialQueue>(pool, 100);
  std::mutex m;
  std::vector<int> seen;
  q->pause();
  for (int i = 0; i < 5; ++i)
    q->push([&, i] {
      std::lock_guard l(m);
      seen.push_back(i);
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  {
    std::lock_guard l(m);
    EXPECT_TRUE(seen.empty());
  }
  std::promise<void> done;
  q->push([&] { done.set_value(); });
  q->resume();
  done.get_future().wait();
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(SerialQueue, APauseFromInsideATaskHoldsTheRestOfItsBatch) {
  WorkerPool pool(1);
  auto q = std::make_shared<SerialQueue>(pool, 100);
  std::mutex m;
  std::vector<int> seen;
  std::promise<void> paused;
  q->pause();  // queue everything first, so all of it lands in one batch
  q->push([&] {
    std::lock_guard l(m);
    seen.push_back(0);
    q->pause();
    paused.set_value();
  });
  for (int i = 1; i < 5; ++i)
    q->push([&, i] {
      std::lock_guard l(m);
      seen.push_back(i);
    });
  q->resume();
  paused.get_future().wait();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  {
    std::lock_guard l(m);
    EXPECT_EQ(seen, (std::vector<int>{0}));
  }
  EXPECT_EQ(q->depth(), 4u);
  std::promise<void> done;
  q->push([&] { done.set_value(); });
  q->resume();
  done.get_future().wait();
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(SerialQueue, PauseUntilIdleWaitsForTheRunningTask) {
  WorkerPool pool(2);
  auto q = std::make_shared<SerialQueue>(pool, 1000);
  std::atomic<bool> in_task{false};
  std::atomic<bool> task_done{false};
  std::atomic<int> later{0};
  q->push([&] {
    in_task = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    task_done = true;
  });
  for (int i = 0; i < 600; ++i) ASSERT_TRUE(q->push([&] { ++later; }));  // more than two turns
  while (!in_task) std::this_thread::yield();
  q->pause_until_idle();
  EXPECT_TRUE(task_done) << "returned while a task was still running";
  const int seen = later.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(later.load(), seen) << "tasks ran while paused";
  std::promise<void> done;
  ASSERT_TRUE(q->push([&] { done.set_value(); }));
  q->resume();
  done.get_future().wait();
  EXPECT_EQ(later.load(), 600);
}

TEST(SerialQueue, DifferentQueuesRunInParallel) {
  WorkerPool pool(2);
  auto a = std::make_shared<SerialQueue>(pool, 10);
  auto b = std::make_shared<SerialQueue>(pool, 10);
  std::promise<void> a_started;
  std::promise<void> b_ran;
  auto b_future = b_ran.get_future();
  a->push([&] {
    a_started.set_value();
    // If queues were serialized with each other, b could never run while a waits here.
    EXPECT_EQ(b_future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  });
  a_started.get_future().wait();
  b->push([&] { b_ran.set_value(); });
  std::promise<void> a_done;
  a->push([&] { a_done.set_value(); });
  a_done.get_future().wait();
}

// Work one queue's task hands another queue (a plugin calling another) starts on an idle
// worker at once, not when the giving task's turn ends.
TEST(SerialQueue, WorkPushedFromATaskRunsInParallelWithIt) {
  WorkerPool pool(2);
  auto a = std::make_shared<SerialQueue>(pool, 10);
  auto b = std::make_shared<SerialQueue>(pool, 10);
  std::promise<void> b_ran;
  auto b_future = b_ran.get_future();
  std::promise<void> a_done;
  a->push([&] {
    b->push([&] { b_ran.set_value(); });
    // Still inside a's task: b can only run now on the other worker.
    EXPECT_EQ(b_future.wait_for(std::chrono::seconds(2)), std::future_status::ready);
    a_done.set_value();
  });
  a_done.get_future().wait();
}

// Many producers feeding many queues at once, as network threads feed plugins: every
// task runs exactly once, each queue in push order, and nothing is left waiting (a lost
// wake-up in the pool would leave tasks queued and time the test out).
TEST(SerialQueue, ManyProducersAndQueuesLoseNothingAndKeepOrder) {
  constexpr int kQueues = 8;
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 20000;
  WorkerPool pool(3);
  std::vector<std::shared_ptr<SerialQueue>> queues;
  queues.reserve(kQueues);
  for (int i = 0; i < kQueues; ++i) queues.push_back(std::make_shared<SerialQueue>(pool, 1 << 20));
  // Per queue and producer, the last sequence number seen: one queue runs one task at a
  // time, so each slot is only touched by that queue's current task.
  std::vector<std::array<int, kProducers>> last(kQueues);
  for (auto& l : last) l.fill(-1);
  std::atomic<int> out_of_order{0};
  std::atomic<int> ran{0};
  std::vector<std::thread> producers;
  producers.reserve(kProducers);
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int n = 0; n < kPerProducer; ++n) {
        const int q = (n * 7 + p) % kQueues;
        ASSERT_TRUE(queues[q]->push([&, q, p, n] {
          if (last[q][p] >= n) ++out_of_order;
          last[q][p] = n;
          ++ran;
        }));
        if (n % 1000 == 0) std::this_thread::yield();
      }
    });
  }
  for (auto& t : producers) t.join();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (ran.load() < kProducers * kPerProducer && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(ran.load(), kProducers * kPerProducer);
  EXPECT_EQ(out_of_order.load(), 0);
  for (const auto& q : queues) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!q->idle() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    EXPECT_TRUE(q->idle());
  }
}

}  // namespace
}  // namespace gamehost::exec
