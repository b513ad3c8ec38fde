// Internal header: where every client frame goes - the host's own ids, or the owning
// plugin's queue - and what happens when a session opens or closes.
#pragma once

#include "core/runtime.hpp"
#include "net/hooks.hpp"
#include "router/route_table.hpp"

namespace gamehost::plugins {
class PluginManager;
}

namespace gamehost::router {

// Called on network threads; never runs plugin code itself.
class Dispatcher final : public net::ConnectionHooks {
 public:
  Dispatcher(core::Runtime& runtime, Routes& routes, plugins::PluginManager& plugins)
      : runtime_(runtime), routes_(routes), plugins_(plugins) {}

  void on_open(const std::shared_ptr<session::Session>& session) override;
  void on_frame(session::Session& session, std::uint32_t msg_id, std::string_view payload) override;
  void on_refused(std::uint32_t code) override;
  void on_close(const std::shared_ptr<session::Session>& session) override;

 private:
  void handle_host_message(session::Session& session, std::uint32_t msg_id,
                           std::string_view payload);
  void refuse(session::Session& session, std::uint32_t code, std::uint32_t msg_id,
              const std::string& text);

  core::Runtime& runtime_;
  Routes& routes_;
  plugins::PluginManager& plugins_;
};

}  // namespace gamehost::router
