// Internal header: what the event bus and the call table deliver to. A running plugin
// (plugins::PluginInstance) is one; core knows it only through this, so core does not
// depend on the loader.
#pragma once

#include <gamehost/abi.h>

#include <cstdint>
#include <memory>
#include <string>

namespace gamehost::core {

class Endpoint {
 public:
  virtual ~Endpoint() = default;
  virtual const std::string& name() const noexcept = 0;
  // Both queue the delivery; neither runs plugin code on the calling thread.
  virtual void post_event(std::string topic, std::string publisher,
                          std::shared_ptr<const std::string> data) = 0;
  virtual void post_call_result(std::uint64_t call_id, std::uint64_t cookie, gh_status status,
                                std::string data) = 0;
};

}  // namespace gamehost::core
