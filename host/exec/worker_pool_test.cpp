#include "exec/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

namespace gamehost::exec {
namespace {

using namespace std::chrono_literals;

// Runs job on the pool and waits for it; returns the thread it ran on.
std::thread::id run_and_wait(WorkerPool& pool) {
  std::promise<std::thread::id> ran;
  pool.post([&ran] { ran.set_value(std::this_thread::get_id()); });
  auto f = ran.get_future();
  EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
  return f.get();
}

// One job at a time keeps going to the worker that was busy last, so a lone busy plugin
// stays on one warm thread instead of hopping between sleeping ones.
TEST(WorkerPool, SequentialJobsStayOnTheWorkerThatWentIdleLast) {
  WorkerPool pool(4);
  run_and_wait(pool);
  std::this_thread::sleep_for(20ms);  // let the first worker go back to sleep
  const auto first = run_and_wait(pool);
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(1ms);
    EXPECT_EQ(run_and_wait(pool), first) << "job " << i;
  }
}

// Work that arrives together still spreads over every worker.
TEST(WorkerPool, ConcurrentJobsUseEveryWorker) {
  WorkerPool pool(3);
  std::atomic<int> waiting{0};
  std::promise<void> all_in;
  std::shared_future<void> release = all_in.get_future().share();
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::promise<void> done;
  std::atomic<int> finished{0};
  for (int i = 0; i < 3; ++i) {
    pool.post([&] {
      {
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
      }
      if (waiting.fetch_add(1) + 1 == 3) all_in.set_value();
      release.wait();  // each job holds its thread until all three run at once
      if (finished.fetch_add(1) + 1 == 3) done.set_value();
    });
  }
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(threads.size(), 3u);
}

// A job posted from a worker as its continuation runs too (on that worker, next).
TEST(WorkerPool, ContinuationRunsOnTheSameWorker) {
  WorkerPool pool(2);
  std::promise<std::pair<std::thread::id, std::thread::id>> ids;
  pool.post([&] {
    const auto outer = std::this_thread::get_id();
    pool.post_continuation([&, outer] { ids.set_value({outer, std::this_thread::get_id()}); });
  });
  auto f = ids.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  const auto [outer, inner] = f.get();
  EXPECT_EQ(outer, inner);
}

// A worker that announced the end of its job takes the next job itself, but not the one
// after: with two queued, a sleeping worker must take the second, or a long job (a
// password hash) would hold up work an idle worker could run.
TEST(WorkerPool, AnEndingWorkerDoesNotHoldBackMoreWorkThanItCanTake) {
  WorkerPool pool(2);
  std::atomic<int> started{0};
  std::promise<void> both_ran;
  std::atomic<int> done{0};
  std::atomic<bool> alone{false};  // a job waited out its 2 s without the other starting
  const auto job = [&] {
    started.fetch_add(1);
    // Each waits (up to 2 s) for the other to start: only possible when both run at once.
    const auto until = std::chrono::steady_clock::now() + 2s;
    while (started.load() < 2 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(1ms);
    }
    if (started.load() < 2) alone = true;
    if (done.fetch_add(1) + 1 == 2) both_ran.set_value();
  };
  pool.post([&] {
    pool.job_ending();
    pool.post(job);
    pool.post(job);
  });
  ASSERT_EQ(both_ran.get_future().wait_for(6s), std::future_status::ready);
  EXPECT_FALSE(alone);
}

TEST(WorkerPool, StopJoinsAndDropsWhatIsQueued) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1);
    std::promise<void> started;
    std::promise<void> release;
    auto released = release.get_future();
    pool.post([&] {
      started.set_value();
      released.wait();
      ++ran;
    });
    started.get_future().wait();
    for (int i = 0; i < 10; ++i) pool.post([&] { ++ran; });
    std::thread stopper([&] { pool.stop(); });
    std::this_thread::sleep_for(20ms);
    release.set_value();
    stopper.join();
    pool.post([&] { ++ran; });  // after stop: ignored
  }
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace gamehost::exec
