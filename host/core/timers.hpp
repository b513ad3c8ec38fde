// Internal header: one-shot and repeating timers. They only schedule: the callback is
// expected to hand work to a plugin's queue, never to run plugin code itself.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace boost::asio {
class io_context;
}

namespace gamehost::core {

// Thread-safe.
class Timers {
 public:
  explicit Timers(boost::asio::io_context& io);
  ~Timers();
  Timers(const Timers&) = delete;
  Timers& operator=(const Timers&) = delete;

  // Calls fire(id) after delay_ms, then every interval_ms (0 = once). Returns the timer id,
  // which fire() also receives, so a callback never sees a timer before its id exists.
  std::uint64_t start(std::uint64_t delay_ms, std::uint64_t interval_ms,
                      std::function<void(std::uint64_t id)> fire);
  // False when the timer already fired (one-shot) or was cancelled.
  bool cancel(std::uint64_t id);
  void cancel_all();
  std::size_t active() const;

 private:
  struct Entry;
  struct Strand;
  void arm(std::uint64_t id, const std::shared_ptr<Entry>& entry, std::uint64_t delay_ms);

  std::unique_ptr<Strand> strand_;
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::shared_ptr<Entry>> entries_;
};

}  // namespace gamehost::core
