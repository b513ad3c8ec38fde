// Internal header: topics plugins publish and subscribe to (DESIGN.md section 9: the one way
// plugins talk besides calls, so a later cluster can carry events between nodes).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gamehost::plugins {
class PluginInstance;
}

namespace gamehost::core {

// Thread-safe.
class EventBus {
 public:
  void subscribe(const std::string& topic, const std::shared_ptr<plugins::PluginInstance>& p);
  bool unsubscribe(const std::string& topic, const plugins::PluginInstance* p);
  void unsubscribe_all(const plugins::PluginInstance* p);
  // Queues the event for every subscriber except the publisher.
  void publish(const plugins::PluginInstance& publisher, const std::string& topic,
               std::string data);

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::weak_ptr<plugins::PluginInstance>>> topics_;
};

}  // namespace gamehost::core
