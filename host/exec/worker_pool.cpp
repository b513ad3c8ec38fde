#include "exec/worker_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/thread_name.hpp"

namespace gamehost::exec {
namespace {
thread_local const void* t_current_pool = nullptr;
thread_local bool t_job_ending = false;  // this worker announced job_ending()
}  // namespace

// One queue of jobs; idle workers wait on a stack, and a post wakes the one that went idle
// last. With less work than workers (one busy plugin, say) the same worker keeps taking it,
// warm in cache and on its core, and the others stay asleep: a pool that woke the longest
// idle worker instead (asio's scheduler, a condition variable's order) handed consecutive
// turns of one queue to alternating threads, each hand-over a cold start (WebSocket echo:
// 155 k msg/s with two workers against 197 k with one, bench/README.md).
struct WorkerPool::Impl {
  struct Sleeper {
    std::condition_variable wake;
    bool woken = false;
  };

  void run(std::size_t index) {
    core::name_this_thread(name_prefix + std::to_string(index));
    Sleeper self;
    std::unique_lock lock(mutex);
    while (true) {
      if (stopping) return;  // what is still queued is dropped
      if (!jobs.empty()) {
        auto job = std::move(jobs.front());
        jobs.pop_front();
        // More queued than the workers about to look: pass it on to a sleeper.
        Sleeper* helper = claim_sleeper_if_needed();
        lock.unlock();
        if (helper != nullptr) helper->wake.notify_one();
        job();
        job = nullptr;  // destroyed outside the lock: it may own the last reference to a queue
        lock.lock();
        if (t_job_ending) {
          t_job_ending = false;
          ending.fetch_sub(1, std::memory_order_relaxed);
        }
        continue;
      }
      self.woken = false;
      idle.push_back(&self);
      self.wake.wait(lock, [&] { return self.woken || stopping; });
      if (!self.woken) std::erase(idle, &self);  // stopping
    }
  }

  // Under the lock: when more jobs wait than workers announced they are about to look
  // (job_ending), claims the most recently idle worker. Returns it to be notified after the
  // lock is released, or nullptr.
  Sleeper* claim_sleeper_if_needed() {
    const auto coming = static_cast<std::size_t>(ending.load(std::memory_order_relaxed));
    return jobs.size() > coming ? claim_sleeper() : nullptr;
  }

  Sleeper* claim_sleeper() {
    if (idle.empty()) return nullptr;
    Sleeper* s = idle.back();
    idle.pop_back();
    s->woken = true;
    return s;
  }

  std::mutex mutex;
  std::deque<std::function<void()>> jobs;
  std::vector<Sleeper*> idle;  // a stack: back() went idle last
  // Workers between job_ending() and their next look at `jobs`. Raised without the lock,
  // lowered under it (before that look), read under it by post().
  std::atomic<int> ending{0};
  bool stopping = false;
  std::string name_prefix;
  std::vector<std::thread> threads;
};

WorkerPool::WorkerPool(std::size_t threads, std::string name_prefix)
    : impl_(std::make_unique<Impl>()) {
  impl_->name_prefix = std::move(name_prefix);
  for (std::size_t i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this, i] {
      t_current_pool = this;
      impl_->run(i);
    });
  }
}

WorkerPool::~WorkerPool() {
  stop();
}

void WorkerPool::post(std::function<void()> job) {
  Impl::Sleeper* sleeper = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping) return;
    impl_->jobs.push_back(std::move(job));
    sleeper = impl_->claim_sleeper_if_needed();
  }
  if (sleeper != nullptr) sleeper->wake.notify_one();
}

void WorkerPool::post_continuation(std::function<void()> job) {
  if (!on_worker_thread()) {
    post(std::move(job));
    return;
  }
  std::lock_guard lock(impl_->mutex);
  if (impl_->stopping) return;
  impl_->jobs.push_back(std::move(job));  // this worker takes it (or what is ahead of it) next
}

void WorkerPool::job_ending() noexcept {
  if (!on_worker_thread() || t_job_ending) return;
  t_job_ending = true;
  impl_->ending.fetch_add(1, std::memory_order_relaxed);
}

std::size_t WorkerPool::size() const noexcept {
  return impl_->threads.size();
}

bool WorkerPool::on_worker_thread() const noexcept {
  return t_current_pool == this;
}

void WorkerPool::stop() noexcept {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    // Under the lock: a sleeper lives on its worker's stack, gone once the worker sees
    // `stopping` and returns.
    for (auto* s : impl_->idle) s->wake.notify_one();
  }
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
  std::lock_guard lock(impl_->mutex);
  impl_->jobs.clear();
}

}  // namespace gamehost::exec
