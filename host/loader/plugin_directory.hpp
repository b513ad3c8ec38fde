// Internal header: what a running plugin reaches of the others - the callee of a call, and
// the session events every plugin hears. The manager is the directory; each instance gets
// it when it starts, so nothing holds a back-pointer that may be null.
#pragma once

#include <gamehost/abi.h>

#include <memory>
#include <string>

#include "session/session.hpp"

namespace gamehost::plugins {

class PluginInstance;

class PluginDirectory {
 public:
  virtual std::shared_ptr<PluginInstance> find(const std::string& name) const = 0;
  virtual void broadcast_session_event(gh_session_event_kind kind, session::SessionId session,
                                       session::UserId user) const = 0;

 protected:
  ~PluginDirectory() = default;
};

}  // namespace gamehost::plugins
