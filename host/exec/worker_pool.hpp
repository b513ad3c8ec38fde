// Internal header: the threads that run plugin code. Never the network threads.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace gamehost::exec {

// A fixed set of threads running posted jobs. Thread-safe.
class WorkerPool {
 public:
  // Its threads are named `name_prefix` + index (top -H, perf).
  explicit WorkerPool(std::size_t threads, std::string name_prefix = "gh-worker-");
  ~WorkerPool();  // stops and joins; jobs not yet run are dropped
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void post(std::function<void()> job);
  // Like post(), for a job that continues the one running on this thread (a serial queue
  // whose turn ended with work left): it goes to the back of the pool's queue without
  // waking another thread, since this one is about to be free. Not for new work a job hands
  // on (that must start on an idle worker now: post()). From a non-pool thread it is post().
  void post_continuation(std::function<void()> job);
  // Called by a job on one of this pool's threads when it is about to return, e.g. a
  // serial queue whose turn found nothing more to run: until this thread looks at the
  // pool's queue again, a post() does not wake a sleeping worker for it, since this
  // thread will take the job a moment later. Without it, work that arrived while the turn
  // was ending went to another thread, and one busy queue alternated between two.
  void job_ending() noexcept;
  std::size_t size() const noexcept;
  // True when called from one of this pool's threads.
  bool on_worker_thread() const noexcept;
  void stop() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gamehost::exec
