#include "exec/serial_queue.hpp"

namespace gamehost::exec {
namespace {
// Tasks run per turn before the queue yields its thread to other queues (fairness).
constexpr int kBatch = 64;
}  // namespace

bool SerialQueue::push(Task task) {
  std::lock_guard lock(mutex_);
  if (tasks_.size() >= capacity_) return false;
  tasks_.push_back(std::move(task));
  schedule_locked();
  return true;
}

void SerialQueue::push_unbounded(Task task) {
  std::lock_guard lock(mutex_);
  tasks_.push_back(std::move(task));
  schedule_locked();
}

void SerialQueue::pause() {
  std::lock_guard lock(mutex_);
  paused_ = true;
}

void SerialQueue::resume() {
  std::lock_guard lock(mutex_);
  paused_ = false;
  schedule_locked();
}

std::size_t SerialQueue::depth() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

void SerialQueue::schedule_locked() {
  if (scheduled_ || paused_ || tasks_.empty()) return;
  scheduled_ = true;
  pool_.post([self = shared_from_this()] { self->run_batch(); });
}

void SerialQueue::run_batch() {
  for (int i = 0; i < kBatch; ++i) {
    Task task;
    {
      std::lock_guard lock(mutex_);
      if (paused_ || tasks_.empty()) {
        scheduled_ = false;
        return;
      }
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();  // tasks catch their own exceptions: plugin code is noexcept at the ABI
  }
  std::lock_guard lock(mutex_);
  scheduled_ = false;
  schedule_locked();
}

}  // namespace gamehost::exec
