#include "session/registry.hpp"

namespace gamehost::session {

Registry::Admission Registry::admit(const std::string& ip) {
  std::lock_guard lock(admission_mutex_);
  if (admitted_ >= max_total_) return Admission::server_full;
  auto& count = per_address_[ip];  // max_per_address_ >= 1, so a new entry always fits
  if (count >= max_per_address_) return Admission::address_full;
  ++count;
  ++admitted_;
  return Admission::ok;
}

void Registry::release(const std::string& ip) {
  std::lock_guard lock(admission_mutex_);
  const auto it = per_address_.find(ip);
  if (it == per_address_.end()) return;
  --admitted_;
  if (--it->second == 0) per_address_.erase(it);
}

void Registry::add(const std::shared_ptr<Session>& session) {
  auto& s = shard(session->id());
  std::unique_lock lock(s.mutex);
  if (s.sessions.emplace(session->id(), session).second) total_.fetch_add(1);
}

void Registry::remove(SessionId id) {
  auto& s = shard(id);
  std::unique_lock lock(s.mutex);
  if (s.sessions.erase(id) != 0) total_.fetch_sub(1);
}

std::shared_ptr<Session> Registry::find(SessionId id) const {
  auto& s = shard(id);
  std::shared_lock lock(s.mutex);
  const auto it = s.sessions.find(id);
  return it == s.sessions.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Session>> Registry::all() const {
  std::vector<std::shared_ptr<Session>> out;
  for (auto& s : shards_) {
    std::shared_lock lock(s.mutex);
    for (const auto& [id, session] : s.sessions) out.push_back(session);
  }
  return out;
}

bool Groups::join(const std::string& group, SessionId id) {
  std::lock_guard lock(mutex_);
  auto& mine = by_session_[id];
  if (!mine.contains(group) && mine.size() >= max_per_session_) {
    if (mine.empty()) by_session_.erase(id);
    return false;
  }
  groups_[group].insert(id);
  mine.insert(group);
  return true;
}

bool Groups::leave(const std::string& group, SessionId id) {
  std::lock_guard lock(mutex_);
  const auto it = groups_.find(group);
  if (it == groups_.end() || it->second.erase(id) == 0) return false;
  if (it->second.empty()) groups_.erase(it);
  const auto mine = by_session_.find(id);
  if (mine != by_session_.end()) {
    mine->second.erase(group);
    if (mine->second.empty()) by_session_.erase(mine);
  }
  return true;
}

std::size_t Groups::size(const std::string& group) const {
  std::lock_guard lock(mutex_);
  const auto it = groups_.find(group);
  return it == groups_.end() ? 0 : it->second.size();
}

std::vector<SessionId> Groups::members(const std::string& group) const {
  std::lock_guard lock(mutex_);
  const auto it = groups_.find(group);
  if (it == groups_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void Groups::remove_session(SessionId id) {
  std::lock_guard lock(mutex_);
  const auto mine = by_session_.find(id);
  if (mine == by_session_.end()) return;
  for (const auto& group : mine->second) {
    const auto it = groups_.find(group);
    if (it == groups_.end()) continue;
    it->second.erase(id);
    if (it->second.empty()) groups_.erase(it);
  }
  by_session_.erase(mine);
}

}  // namespace gamehost::session
