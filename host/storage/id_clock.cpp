#include "storage/id_clock.hpp"

#include <spdlog/spdlog.h>

#include <fstream>

#include "core/thread_name.hpp"

namespace gamehost::storage {

IdClock::IdClock(Snowflake& ids, std::filesystem::path file) : ids_(ids), file_(std::move(file)) {
  std::uint64_t last = 0;
  if (std::ifstream in(file_); in >> last && last != 0) {
    ids_.resume_after(last + kMarginMs);
    written_ = last;
  }
  writer_ = std::thread([this] {
    core::name_this_thread("gh-id-clock");
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
      lock.unlock();
      write();
      lock.lock();
    }
  });
}

IdClock::~IdClock() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
  write();
}

void IdClock::write() noexcept {
  const auto last = ids_.last_ms();
  if (last == 0 || last == written_) return;
  try {
    // Written beside and renamed over, so a crash mid-write leaves the previous value.
    const auto tmp = file_.string() + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << last << "\n";
      if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, file_);
    written_ = last;
  } catch (const std::exception& e) {
    spdlog::warn("cannot record the id clock in {}: {}", file_.string(), e.what());
  }
}

}  // namespace gamehost::storage
