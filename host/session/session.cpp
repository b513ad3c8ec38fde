#include "session/session.hpp"

#include "gamehost/host.pb.h"

namespace gamehost::session {

Session::Session(SessionId id, Transport transport, std::string remote_ip,
                 std::uint16_t remote_port, std::uint64_t connected_at_ms)
    : id_(id),
      transport_(transport),
      remote_ip_(std::move(remote_ip)),
      remote_address_(
          (remote_ip_.find(':') != std::string::npos ? "[" + remote_ip_ + "]" : remote_ip_) + ":" +
          std::to_string(remote_port)),
      connected_at_ms_(connected_at_ms) {}

void Session::set_property(const std::string& key, std::string value) {
  std::lock_guard lock(props_mutex_);
  if (value.empty()) {
    props_.erase(key);
  } else {
    props_[key] = std::move(value);
  }
}

std::optional<std::string> Session::property(const std::string& key) const {
  std::lock_guard lock(props_mutex_);
  const auto it = props_.find(key);
  if (it == props_.end()) return std::nullopt;
  return it->second;
}

void Session::send_error(std::uint32_t code, std::uint32_t request_id, const std::string& text) {
  wire::Error error;
  error.set_code(code);
  error.set_request_id(request_id);
  error.set_text(text);
  send(host_ids::kError, make_payload(error.SerializeAsString()));
}

}  // namespace gamehost::session
