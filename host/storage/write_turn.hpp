// Internal header: the SQLite write turn shared by the connections of one pool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace gamehost::storage {

// One SQLite write transaction at a time in this process (Connection::begin). Not a mutex:
// the turn belongs to a transaction, not to a thread, so it may be given back on another
// thread than the one that took it (a lease ended elsewhere), which a std::timed_mutex
// forbids. Waiters wake the moment it is given back.
class WriteTurn {
 public:
  // Takes the turn, waiting at most `timeout`; false when it did not come in time.
  bool try_take_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!given_back_.wait_for(lock, timeout, [this] { return !taken_; })) return false;
    taken_ = true;
    return true;
  }
  void give_back() noexcept {
    {
      std::lock_guard lock(mutex_);
      taken_ = false;
    }
    given_back_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable given_back_;
  bool taken_ = false;  // guarded by mutex_
};

}  // namespace gamehost::storage
