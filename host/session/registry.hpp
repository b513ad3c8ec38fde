// Internal header: every live session, admission limits, and named groups of sessions.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "session/session.hpp"

namespace gamehost::session {

// Thread-safe. Lookups are sharded so network and worker threads rarely contend.
class Registry {
 public:
  enum class Admission { ok, server_full, address_full };

  Registry(std::uint32_t max_total, std::uint32_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  SessionId next_id() noexcept { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  // Reserves a connection slot for `ip`; pair every ok with one release(ip).
  Admission admit(const std::string& ip);
  void release(const std::string& ip);

  void add(const std::shared_ptr<Session>& session);
  void remove(SessionId id);
  std::shared_ptr<Session> find(SessionId id) const;
  std::size_t size() const noexcept { return total_.load(std::memory_order_relaxed); }
  std::vector<std::shared_ptr<Session>> all() const;

 private:
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<SessionId, std::shared_ptr<Session>> sessions;
  };
  Shard& shard(SessionId id) const { return shards_[id % shards_.size()]; }

  const std::uint32_t max_total_;
  const std::uint32_t max_per_address_;
  std::atomic<SessionId> next_id_{1};
  std::atomic<std::size_t> total_{0};
  mutable std::array<Shard, 16> shards_;
  std::mutex admission_mutex_;
  std::uint32_t admitted_ = 0;
  std::unordered_map<std::string, std::uint32_t> per_address_;
};

// Named sets of sessions (a room, a channel). Thread-safe.
class Groups {
 public:
  // At most `max_per_session` groups per session ([limits] max_groups_per_session), so one
  // client cannot make the host keep (and fan out to) an unbounded number of memberships.
  explicit Groups(std::size_t max_per_session = 64) : max_per_session_(max_per_session) {}
  void set_max_per_session(std::size_t n) { max_per_session_ = n; }
  // False (nothing changed) when the session is in max_per_session other groups already.
  bool join(const std::string& group, SessionId id);
  bool leave(const std::string& group, SessionId id);
  std::size_t size(const std::string& group) const;
  std::vector<SessionId> members(const std::string& group) const;
  // A closed session leaves every group it was in.
  void remove_session(SessionId id);

 private:
  mutable std::mutex mutex_;
  std::size_t max_per_session_;
  std::unordered_map<std::string, std::unordered_set<SessionId>> groups_;
  std::unordered_map<SessionId, std::unordered_set<std::string>> by_session_;
};

}  // namespace gamehost::session
