// A plugin whose work lives in rooms (keys), for drain reloads; built as rooms_v1 and
// rooms_v2 (ROOMS_BUILD). Rooms are in-memory and never handed over: a drain lets each
// room finish on the build it started on.
//   100800 u64 room -> opens the room (key), binds the sender to it; 100801 build
//   100802          -> 100803 "build:room" (room 0 when the sender is in no room)
//   100804          -> closes the sender's room (key) and unbinds it; 100805 build
#include <gamehost/plugin.hpp>

#include <map>
#include <vector>

namespace {

std::uint64_t read_u64(std::string_view bytes) {
  if (bytes.size() != 8) throw gamehost::ClientError(100890, "want an 8-byte room id");
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<std::uint8_t>(bytes[i]);
  return v;
}

class Rooms final : public gamehost::Plugin {
 public:
  explicit Rooms(gamehost::Host& h) : Plugin(h) {
    tokens_.push_back(handle_bytes(100800, [this](gamehost::Request& req, std::string_view bytes) {
      const auto room = read_u64(bytes);
      req.host.key_open(room);
      req.host.key_bind(room, req.session);
      room_of_[req.session] = room;
      req.host.send_bytes(req.session, 100801, ROOMS_BUILD);
    }));
    tokens_.push_back(handle_bytes(100802, [this](gamehost::Request& req, std::string_view) {
      const auto it = room_of_.find(req.session);
      const auto room = it == room_of_.end() ? 0 : it->second;
      req.host.send_bytes(req.session, 100803,
                          std::string(ROOMS_BUILD) + ":" + std::to_string(room));
    }));
    tokens_.push_back(handle_bytes(100804, [this](gamehost::Request& req, std::string_view) {
      const auto it = room_of_.find(req.session);
      if (it == room_of_.end()) throw gamehost::ClientError(100891, "not in a room");
      req.host.key_bind(0, req.session);
      req.host.key_close(it->second);
      room_of_.erase(it);
      req.host.send_bytes(req.session, 100805, ROOMS_BUILD);
    }));
  }

 private:
  std::map<gamehost::SessionId, std::uint64_t> room_of_;
  std::vector<gamehost::Token> tokens_;
};

}  // namespace

GAMEHOST_PLUGIN(Rooms,
                "name = rooms\n"
                "version = " ROOMS_VERSION
                "\n"
                "ranges = 100800-100899\n"
                "public = 100800-100899\n")
