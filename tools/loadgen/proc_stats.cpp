#include "proc_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace gamehost::loadgen {
namespace {

std::string proc_path(int pid, const char* file) {
  return "/proc/" + (pid > 0 ? std::to_string(pid) : std::string("self")) + "/" + file;
}

}  // namespace

std::optional<std::uint64_t> read_cpu_ticks(int pid) {
  std::ifstream in(proc_path(pid, "stat"));
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // Field 2 is the command name in parentheses and may contain spaces: parse after the last ')'.
  const auto paren = line.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(paren + 1));
  std::string skip;
  // After ')' come field 3 (state) ... field 13 (cmajflt): 11 fields, then utime and stime.
  for (int i = 3; i <= 13; ++i) fields >> skip;
  std::uint64_t utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return std::nullopt;
  return utime + stime;
}

std::optional<std::uint64_t> read_rss_kib(int pid) {
  std::ifstream in(proc_path(pid, "status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream value(line.substr(6));
      std::uint64_t kib = 0;
      if (value >> kib) return kib;
    }
  }
  return std::nullopt;
}

double cpu_percent(std::uint64_t ticks_before, std::uint64_t ticks_after, double seconds) {
  static const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  if (seconds <= 0 || ticks_after < ticks_before) return 0;
  return 100.0 * static_cast<double>(ticks_after - ticks_before) / ticks_per_second / seconds;
}

}  // namespace gamehost::loadgen
