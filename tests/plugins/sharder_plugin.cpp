// A plugin that shards its work by key (a room id, say), for the execution-model tests.
//   100500 {u64 key, u64 seq}: on the key's lane, answers 100501 with the same 16 bytes,
//          so a client sees per-key order.
//   100502 {u64 key}: on the key's lane, waits up to 5 s for key+1's lane to run, and
//          answers 100503 with 1 if it did (lanes run in parallel) or 0 if not.
//   100503 from client {u64 key}: on the key's lane, marks that key as having run.
//   100504: sleeps 50 ms on the plugin's main queue, then answers 100505 (a slow plugin).
// on_call(method 7, data) answers "pong:<data>", on the main queue (behind the sleeps).
#include <gamehost/plugin.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace {

std::uint64_t read_u64(std::string_view bytes, std::size_t at) {
  std::uint64_t v = 0;
  if (bytes.size() < at + 8) throw gamehost::ClientError(100590, "payload too short");
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<std::uint8_t>(bytes[at + i]);
  return v;
}

class Sharder final : public gamehost::Plugin {
 public:
  explicit Sharder(gamehost::Host& h) : Plugin(h) {
    tokens_.push_back(handle_bytes(100500, [this](gamehost::Request& req, std::string_view bytes) {
      const auto key = read_u64(bytes, 0);
      post_keyed(key, [&host = req.host, session = req.session, copy = std::string(bytes)] {
        host.send_bytes(session, 100501, copy);
      });
    }));
    tokens_.push_back(handle_bytes(100502, [this](gamehost::Request& req, std::string_view bytes) {
      const auto key = read_u64(bytes, 0);
      post_keyed(key, [this, &host = req.host, session = req.session] {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!other_ran_.load() && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        host.send_bytes(session, 100503, other_ran_.load() ? "\x01" : std::string_view("\x00", 1));
      });
    }));
    tokens_.push_back(handle_bytes(100503, [this](gamehost::Request&, std::string_view bytes) {
      const auto key = read_u64(bytes, 0);
      post_keyed(key, [this] { other_ran_ = true; });
    }));
    tokens_.push_back(handle_bytes(100504, [](gamehost::Request& req, std::string_view) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      req.host.send_bytes(req.session, 100505, "done");
    }));
  }

  void on_call(const gamehost::IncomingCall& c) override {
    reply(c.call_id, c.method == 7 ? GH_OK : GH_ERR_UNSUPPORTED, "pong:" + std::string(c.data));
  }

 private:
  std::atomic<bool> other_ran_{false};
  std::vector<gamehost::Token> tokens_;
};

}  // namespace

GAMEHOST_PLUGIN(Sharder,
                "name = sharder\n"
                "version = 1.0.0\n"
                "ranges = 100500-100599\n"
                "public = 100500-100599\n")
