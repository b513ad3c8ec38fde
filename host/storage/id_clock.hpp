// Internal header: keeps snowflake ids unique across restarts. The time of the newest id
// is written to <data_dir>/id-clock every second and when the host stops; the next start
// resumes after it (plus a second for what the last write may have missed), so a clock
// set back while the host was down is caught like a step back at run time: a small one
// is waited out, a large one refuses new ids and says so in the log.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "storage/snowflake.hpp"

namespace gamehost::storage {

class IdClock {
 public:
  IdClock(Snowflake& ids, std::filesystem::path file);
  ~IdClock();  // the last write
  IdClock(const IdClock&) = delete;
  IdClock& operator=(const IdClock&) = delete;

  // The margin added to what the file says: ids given after its last write.
  static constexpr std::uint64_t kMarginMs = 1000;

 private:
  void write() noexcept;

  Snowflake& ids_;
  std::filesystem::path file_;
  std::uint64_t written_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mutex_
  std::thread writer_;
};

}  // namespace gamehost::storage
