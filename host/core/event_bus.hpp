// Internal header: topics plugins publish and subscribe to (DESIGN.md section 9: the one way
// plugins talk besides calls, so a later cluster can carry events between nodes).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/endpoint.hpp"

namespace gamehost::core {

// Thread-safe.
class EventBus {
 public:
  void subscribe(const std::string& topic, const std::shared_ptr<Endpoint>& p);
  bool unsubscribe(const std::string& topic, const Endpoint* p);
  void unsubscribe_all(const Endpoint* p);
  // Queues the event for every subscriber except the publisher.
  void publish(const Endpoint& publisher, const std::string& topic,
               std::string data);

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::weak_ptr<Endpoint>>> topics_;
};

}  // namespace gamehost::core
