#include "router/route_table.hpp"

#include "loader/plugin_instance.hpp"

namespace gamehost::router {

const std::shared_ptr<plugins::PluginInstance>* RouteTable::find(
    std::uint32_t id, session::SessionId session) const {
  const auto* r = route(id);
  if (r == nullptr) return nullptr;
  // A session playing in one of the old build's units stays there until the unit closes.
  if (r->draining && r->draining->owns_session(session)) return &r->draining;
  return &r->plugin;
}

}  // namespace gamehost::router
