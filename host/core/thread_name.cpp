#include "core/thread_name.hpp"

#include <pthread.h>

namespace gamehost::core {

void name_this_thread(const std::string& name) noexcept {
  constexpr std::size_t kMaxName = 15;  // the kernel's limit, without the terminating NUL
  const std::string cut = name.substr(0, kMaxName);
  ::pthread_setname_np(::pthread_self(), cut.c_str());
}

}  // namespace gamehost::core
