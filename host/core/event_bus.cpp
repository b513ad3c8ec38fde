#include "core/event_bus.hpp"

#include <algorithm>

namespace gamehost::core {

void EventBus::subscribe(const std::string& topic,
                         const std::shared_ptr<Endpoint>& p) {
  std::lock_guard lock(mutex_);
  auto& subs = topics_[topic];
  const bool already = std::any_of(subs.begin(), subs.end(),
                                   [&](const auto& w) { return w.lock().get() == p.get(); });
  if (!already) subs.push_back(p);
}

bool EventBus::unsubscribe(const std::string& topic, const Endpoint* p) {
  std::lock_guard lock(mutex_);
  const auto it = topics_.find(topic);
  if (it == topics_.end()) return false;
  const auto before = it->second.size();
  std::erase_if(it->second, [p](const auto& w) {
    auto s = w.lock();
    return !s || s.get() == p;
  });
  const bool removed = it->second.size() != before;
  if (it->second.empty()) topics_.erase(it);
  return removed;
}

void EventBus::unsubscribe_all(const Endpoint* p) {
  std::lock_guard lock(mutex_);
  for (auto it = topics_.begin(); it != topics_.end();) {
    std::erase_if(it->second, [p](const auto& w) {
      auto s = w.lock();
      return !s || s.get() == p;
    });
    it = it->second.empty() ? topics_.erase(it) : std::next(it);
  }
}

void EventBus::publish(const Endpoint& publisher, const std::string& topic,
                       std::string data) {
  std::vector<std::shared_ptr<Endpoint>> targets;
  {
    std::lock_guard lock(mutex_);
    const auto it = topics_.find(topic);
    if (it == topics_.end()) return;
    for (const auto& w : it->second) {
      if (auto s = w.lock(); s && s.get() != &publisher) targets.push_back(std::move(s));
    }
  }
  const auto shared = std::make_shared<const std::string>(std::move(data));
  for (const auto& t : targets) t->post_event(topic, publisher.name(), shared);
}

}  // namespace gamehost::core
