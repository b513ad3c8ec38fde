// Internal header: work a worker defers to the end of the batch it is running - e.g. one
// socket write for all the replies a batch of messages produced for a connection.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

namespace gamehost::exec {

// While one is alive on a thread, defer() queues work that runs when the outermost scope
// ends (in the order deferred). Not copyable; one thread.
class BatchScope {
 public:
  BatchScope() noexcept;
  ~BatchScope();
  BatchScope(const BatchScope&) = delete;
  BatchScope& operator=(const BatchScope&) = delete;

  // Queues fn for the end of the current batch; false (nothing queued) outside a scope.
  static bool defer(std::function<void()> fn);

  // A clock that reads the time once per task instead of twice: the time the previous
  // task of this batch ended (or the batch began). Outside a scope: now.
  static std::chrono::steady_clock::time_point task_start() noexcept;
  // Ends a task: reads the clock, and that is the next task's start.
  static std::chrono::steady_clock::time_point task_end() noexcept;

 private:
  bool outermost_;
  std::vector<std::function<void()>> deferred_;
};

}  // namespace gamehost::exec
