// Internal header: the threads that run plugin code. Never the network threads.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace gamehost::exec {

// A fixed set of threads running posted jobs. Thread-safe.
class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();  // stops and joins; jobs not yet run are dropped
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void post(std::function<void()> job);
  // Like post(), for a job that continues the one running on this thread (a serial queue
  // with more work): it goes to the back of the pool's queue without waking another
  // thread, since this one is about to be free. From a non-pool thread it is post().
  void post_continuation(std::function<void()> job);
  std::size_t size() const noexcept;
  // True when called from one of this pool's threads.
  bool on_worker_thread() const noexcept;
  void stop() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gamehost::exec
