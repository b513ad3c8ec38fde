// Internal header: a mutex for hot, tiny critical sections (a plugin's queue, the route
// table), each a few pointer moves.
#pragma once

#include <pthread.h>

namespace gamehost::exec {

// glibc's adaptive mutex: a contended lock() spins briefly before it sleeps in the kernel.
// With network threads and workers meeting on a queue for a few dozen nanoseconds at a
// time, a plain mutex put the loser to sleep (a futex wait and a wake-up, each a context
// switch) far more often than the holder took to let go. Satisfies Lockable, so
// std::lock_guard and std::unique_lock work with it (not std::condition_variable: use
// std::condition_variable_any).
class AdaptiveMutex {
 public:
  AdaptiveMutex() noexcept {
    pthread_mutexattr_t attr;
    ::pthread_mutexattr_init(&attr);
    ::pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    ::pthread_mutex_init(&mutex_, &attr);
    ::pthread_mutexattr_destroy(&attr);
  }
  ~AdaptiveMutex() { ::pthread_mutex_destroy(&mutex_); }
  AdaptiveMutex(const AdaptiveMutex&) = delete;
  AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

  void lock() noexcept { ::pthread_mutex_lock(&mutex_); }
  void unlock() noexcept { ::pthread_mutex_unlock(&mutex_); }
  bool try_lock() noexcept { return ::pthread_mutex_trylock(&mutex_) == 0; }

 private:
  pthread_mutex_t mutex_;
};

}  // namespace gamehost::exec
