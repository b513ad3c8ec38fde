// Internal header: serialized execution of one plugin (or one of its keyed lanes).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "exec/adaptive_mutex.hpp"
#include "exec/worker_pool.hpp"

namespace gamehost::exec {

// Runs its tasks one at a time, in push order, on a WorkerPool's threads; different queues
// run in parallel. Bounded: push() refuses work past `capacity` so a slow plugin delays
// only itself. Can be paused (tasks are held, in order) and resumed. Thread-safe.
class SerialQueue : public std::enable_shared_from_this<SerialQueue> {
 public:
  using Task = std::function<void()>;

  SerialQueue(WorkerPool& pool, std::size_t capacity) : pool_(pool), capacity_(capacity) {}

  // False when the queue holds `capacity` tasks already (the task is not taken).
  bool push(Task task);
  // For work that must not be refused (session closed events, timer firings, replies).
  void push_unbounded(Task task);
  void pause();
  // pause(), then wait until no task of this queue is running. Never call it from one of
  // this queue's own tasks (it would wait for itself).
  void pause_until_idle();
  void resume();
  // Tasks waiting (not counting a batch being run).
  std::size_t depth() const;
  // Nothing queued and nothing running.
  bool idle() const;

 private:
  bool claim_locked();
  void finish_run_locked();
  void post_run();
  void run_batch();

  WorkerPool& pool_;
  const std::size_t capacity_;
  mutable AdaptiveMutex mutex_;
  std::deque<Task> tasks_;
  std::condition_variable_any idle_;  // signalled whenever a run ends
  bool scheduled_ = false;
  std::atomic<bool> paused_{false};  // written under mutex_, read without it between tasks
};

}  // namespace gamehost::exec
