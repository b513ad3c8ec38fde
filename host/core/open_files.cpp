#include "core/open_files.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace gamehost::core {

void fit_open_file_limit(std::uint64_t max_connections) noexcept {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < limit.rlim_max) {
    const auto was = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) {
      spdlog::info("open-file limit raised from {} to {} (the hard limit)", was, limit.rlim_max);
    } else {
      spdlog::warn("could not raise the open-file limit from {}: {}", was, std::strerror(errno));
      limit.rlim_cur = was;
    }
  }
  if (limit.rlim_cur == RLIM_INFINITY) return;
  const std::uint64_t needed = max_connections + kReservedFiles;
  if (needed > limit.rlim_cur) {
    const auto usable = limit.rlim_cur > kReservedFiles ? limit.rlim_cur - kReservedFiles : 0;
    spdlog::warn(
        "[limits] max_connections = {} needs about {} open files, but this process may open "
        "{} (ulimit -n; LimitNOFILE in the systemd unit): accepting fails past about {} "
        "connections; raise the limit or lower max_connections",
        max_connections, needed, limit.rlim_cur, usable);
  }
}

}  // namespace gamehost::core
