#include "core/thread_scheduling.hpp"

#include <pthread.h>
#include <sched.h>

namespace gamehost::core {

bool use_batch_scheduling() noexcept {
  sched_param param{};
  param.sched_priority = 0;  // the only priority SCHED_BATCH has
  return ::pthread_setschedparam(::pthread_self(), SCHED_BATCH, &param) == 0;
}

}  // namespace gamehost::core
