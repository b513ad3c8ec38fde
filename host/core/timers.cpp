#include "core/timers.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace gamehost::core {

// Every operation on the asio timers runs on one strand: a steady_timer is not safe to
// touch from two threads at once, and timers are started and cancelled from workers.
struct Timers::Strand {
  explicit Strand(boost::asio::io_context& io) : strand(boost::asio::make_strand(io)) {}
  boost::asio::strand<boost::asio::io_context::executor_type> strand;
};

struct Timers::Entry {
  explicit Entry(const boost::asio::strand<boost::asio::io_context::executor_type>& s) : timer(s) {}
  boost::asio::steady_timer timer;
  std::uint64_t interval_ms = 0;
  std::function<void(std::uint64_t)> fire;
};

Timers::Timers(boost::asio::io_context& io) : strand_(std::make_unique<Strand>(io)) {}

Timers::~Timers() {
  cancel_all();
}

std::uint64_t Timers::start(std::uint64_t delay_ms, std::uint64_t interval_ms,
                            std::function<void(std::uint64_t)> fire) {
  auto entry = std::make_shared<Entry>(strand_->strand);
  entry->interval_ms = interval_ms;
  entry->fire = std::move(fire);
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    entries_[id] = entry;
  }
  boost::asio::post(strand_->strand, [this, id, entry, delay_ms] { arm(id, entry, delay_ms); });
  return id;
}

void Timers::arm(std::uint64_t id, const std::shared_ptr<Entry>& entry, std::uint64_t delay_ms) {
  // The handler holds only a weak reference: a cancelled timer releases its callback (and
  // whatever plugin it refers to) at once, not when the wait would have ended.
  std::weak_ptr<Entry> weak = entry;
  entry->timer.expires_after(std::chrono::milliseconds(delay_ms));
  entry->timer.async_wait([this, id, weak](const boost::system::error_code& ec) {
    auto e = weak.lock();
    if (ec || !e) return;
    {
      std::lock_guard lock(mutex_);
      const auto it = entries_.find(id);
      if (it == entries_.end() || it->second != e) return;  // cancelled meanwhile
      if (e->interval_ms == 0) entries_.erase(it);
    }
    e->fire(id);
    if (e->interval_ms != 0) {
      bool still_active = false;
      {
        std::lock_guard lock(mutex_);
        still_active = entries_.contains(id);
      }
      if (still_active) arm(id, e, e->interval_ms);
    }
  });
}

bool Timers::cancel(std::uint64_t id) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(id);
    if (it == entries_.end()) return false;
    entry = std::move(it->second);
    entries_.erase(it);
  }
  boost::asio::post(strand_->strand, [entry] { entry->timer.cancel(); });
  return true;
}

void Timers::cancel_all() {
  std::unordered_map<std::uint64_t, std::shared_ptr<Entry>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(entries_);
  }
  for (auto& item : all) {
    boost::asio::post(strand_->strand, [entry = item.second] { entry->timer.cancel(); });
  }
}

std::size_t Timers::active() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace gamehost::core
