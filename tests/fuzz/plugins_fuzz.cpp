// libFuzzer: every plugin's message decoders and handlers, through the SDK's FakeHost. The
// six plugins - auth, user, room, card, battlemap, racemap - are loaded into one FakeHost
// (in-memory SQLite with their real migrations, settings that make games short), and the
// input is a script of client traffic from a few sessions, some logged in:
//
//   byte 0        sessions (1-4) ; then one byte per session: 0 = anonymous, else user 100+b%6
//   then ops, each an op byte and its arguments:
//     deliver     session, message id (one of the ids the plugins handle, or any id of their
//                 ranges), payload length, payload bytes
//     deliver+id  the same, the payload prefixed with a varint field (number 1 + f%3) holding
//                 the (f/4)th newest id taken from what the plugins sent (room, game ids:
//                 snowflakes no input could guess)
//     advance     the manual clock by up to 8 s (timers, turn deadlines, grace periods)
//     reconnect   a session disconnects; a new one (same user) takes its place
//     login       a session is authenticated as a user
//
// A crash, a sanitizer report, an exception out of the FakeHost or a handler that failed
// unexpectedly (the SDK's "threw:" log: an exception that is not a ClientError) is a finding.
//
// Speed: loading six plugins and their migrations takes milliseconds, so one FakeHost serves
// FUZZ_HOST_INPUTS inputs (default 500) before a fresh one is made; each input's sessions are
// disconnected and the clock moved past every grace period at its end. A finding that needs
// an earlier input's leftovers may therefore not reproduce alone: FUZZ_HOST_INPUTS=1 (a fresh
// host per input) tells.
#include <gamehost/testing.hpp>
#include <google/protobuf/stubs/logging.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

GAMEHOST_DECLARE_PLUGIN(auth);
GAMEHOST_DECLARE_PLUGIN(user);
GAMEHOST_DECLARE_PLUGIN(room);
GAMEHOST_DECLARE_PLUGIN(card);
GAMEHOST_DECLARE_PLUGIN(battlemap);
GAMEHOST_DECLARE_PLUGIN(racemap);

namespace {

using gamehost::testing::FakeHost;

constexpr const char* kSecretEnv = "GAMEHOST_FUZZ_AUTH_SECRET";

// The client message ids the plugins handle (their protocol.hpp), then their ranges.
constexpr std::array<std::uint32_t, 46> kHandled = {
    1000, 1002, 1004, 1006, 1010, 1012,                          // auth
    1100, 1102, 1104, 1106, 1108,                                // user
    2000, 2002, 2004, 2005, 2007, 2008, 2009, 2012, 2013, 2014,  // room
    2100, 2101, 2105, 2106, 2107,                                // card
    3000, 3002, 3004, 3007, 3008,                                // battlemap
    3100, 3102, 3107, 3108, 3110,                                // racemap
    // a few that are replies (not handled) and ids at the edges of the ranges
    1001, 1099, 1199, 2099, 2199, 3099, 3199, 999, 3200, 0};
constexpr std::array<std::uint32_t, 6> kRangeBase = {1000, 1100, 2000, 2100, 3000, 3100};

std::unique_ptr<FakeHost> make_host() {
  ::setenv(kSecretEnv, "fuzzing-secret-fuzzing-secret-fuzzing-secret", 1);
  auto host = std::make_unique<FakeHost>();
  for (const char* dir : {"auth", "user", "card", "racemap"})
    host->apply_migrations(std::string(GAMEHOST_MIGRATIONS_DIR) + "/" + dir);
  host->grant_bind_user_to("auth");
  host->set_setting_for("auth", "argon2_ops_limit", std::int64_t{1});
  host->set_setting_for("auth", "argon2_mem_limit_kib", std::int64_t{8});
  host->set_setting_for("auth", "token_secret_env", std::string(kSecretEnv));
  host->set_setting_for("user", "starting_coins", std::int64_t{1000});
  host->set_setting_for("room", "games", std::string("doudizhu:3, race:1-4"));
  host->set_setting_for("room", "reconnect_grace_ms", std::int64_t{2'000});
  host->set_setting_for("room", "reserve_ms", std::int64_t{2'000});
  host->set_setting_for("card", "shuffle_seed", std::int64_t{7});
  host->set_setting_for("card", "turn_ms", std::int64_t{1'000});
  host->set_setting_for("card", "stake", std::int64_t{10});
  host->set_setting_for("battlemap", "maps",
                        std::string("test:1000x1000:cell=50:spawn=100,100,110,110:speed=500:"
                                    "tick=10; other:200x200:cell=100"));
  host->set_setting_for("battlemap", "reconnect_grace_ms", std::int64_t{2'000});
  host->set_setting_for("racemap", "tracks",
                        std::string("loop laps=2 countdown_ms=1000 min_gap_ms=100 limit_ms=20000 "
                                    "cp=0,0,5 100,0,5 100,100,5; dragstrip countdown_ms=500 "
                                    "cp=0,0,5 cp=400,0,5@8000"));
  host->set_setting_for("racemap", "tick_ms", std::int64_t{500});
  host->set_setting_for("racemap", "reconnect_grace_ms", std::int64_t{2'000});
  host->load(gamehost_plugin_user());
  host->load(gamehost_plugin_auth());
  host->load(gamehost_plugin_room());
  host->load(gamehost_plugin_card());
  host->load(gamehost_plugin_battlemap());
  host->load(gamehost_plugin_racemap());
  return host;
}

class Reader {
 public:
  Reader(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}
  bool empty() const { return at_ >= n_; }
  std::uint8_t byte() { return at_ < n_ ? p_[at_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(byte() | byte() << 8); }
  std::string_view bytes(std::size_t n) {
    n = std::min(n, n_ - std::min(at_, n_));
    const std::string_view v(reinterpret_cast<const char*>(p_ + at_), n);
    at_ += n;
    return v;
  }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t at_ = 0;
};

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Ids (varints over 2^32: snowflakes) in a message the plugins sent, top-level fields and
// one level of nested messages.
void collect_ids(std::string_view m, std::vector<std::uint64_t>& ids, int depth = 0) {
  std::size_t at = 0;
  auto varint = [&](std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && at < m.size(); shift += 7) {
      const auto b = static_cast<std::uint8_t>(m[at++]);
      v |= std::uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  };
  while (at < m.size()) {
    std::uint64_t key = 0, v = 0;
    if (!varint(key)) return;
    switch (key & 7) {
      case 0:
        if (!varint(v)) return;
        if (v >> 32 != 0) {
          ids.push_back(v);
          if (ids.size() > 16) ids.erase(ids.begin());
        }
        break;
      case 1: at += 8; break;
      case 5: at += 4; break;
      case 2:
        if (!varint(v) || v > m.size() - at) return;
        if (depth == 0) collect_ids(m.substr(at, v), ids, depth + 1);
        at += v;
        break;
      default: return;
    }
  }
}

struct State {
  std::unique_ptr<FakeHost> host;
  std::size_t inputs = 0;
  std::size_t log_seen = 0;
};

void check_logs(State& st) {
  const auto& logs = st.host->logs();
  for (; st.log_seen < logs.size(); ++st.log_seen) {
    const auto& line = logs[st.log_seen];
    if (line.level == GH_LOG_ERROR && line.text.find(" threw") != std::string::npos) {
      std::fprintf(stderr, "plugins: %s failed unexpectedly: %s\n", line.plugin.c_str(),
                   line.text.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static State st;
  static const std::size_t per_host = [] {
    const char* v = std::getenv("FUZZ_HOST_INPUTS");
    const long n = v != nullptr ? std::atol(v) : 500;
    return static_cast<std::size_t>(n > 0 ? n : 1);
  }();
  static const bool quiet = [] {  // protobuf's complaints about bad UTF-8 in string fields
    google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char*, int,
                                       const std::string&) {});
    return true;
  }();
  (void)quiet;
  if (!st.host || st.inputs >= per_host) {
    st.host.reset();
    st.host = make_host();
    st.inputs = 0;
    st.log_seen = 0;
  }
  ++st.inputs;
  auto& host = *st.host;

  Reader in(data, size);
  const std::size_t n_sessions = 1 + in.byte() % 4;
  std::vector<gh_session_id> sessions;
  std::vector<gh_user_id> users;
  for (std::size_t i = 0; i < n_sessions; ++i) {
    const auto b = in.byte();
    users.push_back(b == 0 ? 0 : 100 + b % 6);
    sessions.push_back(host.connect("10.0.0." + std::to_string(1 + i) + ":4000"));
    if (users.back() != 0) host.authenticate(sessions.back(), users.back());
  }
  std::vector<std::uint64_t> ids;
  std::vector<std::size_t> sent_seen(n_sessions, 0);
  int ops = 0;
  while (!in.empty() && ops++ < 256) {
    const auto op = in.byte() % 16;
    const auto s = in.byte() % n_sessions;
    if (op < 11) {  // deliver, or deliver+id
      const auto pick = in.byte();
      const std::uint32_t id = pick < 200 ? kHandled[pick % kHandled.size()]
                                          : kRangeBase[pick % 6] + in.byte() % 100;
      std::string payload;
      if (op >= 8 && !ids.empty()) {
        const auto f = in.byte();
        payload.push_back(static_cast<char>((1 + f % 3) << 3));  // field 1-3, varint
        put_varint(payload, ids[ids.size() - 1 - (f >> 2) % ids.size()]);  // newest first
      }
      payload.append(in.bytes(in.byte()));
      const auto outcome = host.deliver(sessions[s], id, payload);
      static const bool verbose = std::getenv("FUZZ_VERBOSE") != nullptr;
      if (verbose) {
        std::fprintf(stderr, "plugins: session %zu id %u (%zu bytes, %zu ids known): %s %u %s\n",
                     s, id, payload.size(), ids.size(), outcome.ok() ? "ok" : "refused",
                     outcome.error_code, outcome.error_text.c_str());
      }
    } else if (op < 13) {
      host.advance(in.u16() % 8192);
    } else if (op == 13) {
      host.disconnect(sessions[s]);
      sessions[s] = host.connect("10.0.0." + std::to_string(1 + s) + ":4001");
      sent_seen[s] = 0;
      if (users[s] != 0) host.authenticate(sessions[s], users[s]);
    } else if (op == 14) {
      const auto b = in.byte();
      if (host.user_of(sessions[s]) == 0) host.authenticate(sessions[s], 100 + b % 6);
    } else {
      host.advance(10);
    }
    // Ids the plugins sent, for later deliver+id ops.
    for (std::size_t i = 0; i < n_sessions; ++i) {
      const auto& sent = host.sent(sessions[i]);
      for (; sent_seen[i] < sent.size(); ++sent_seen[i]) collect_ids(sent[sent_seen[i]].bytes, ids);
    }
    check_logs(st);
  }
  // The input's sessions leave; reconnect grace periods and reservations (2 s) run out.
  for (const auto sid : sessions) host.disconnect(sid);
  host.advance(2'500);
  check_logs(st);
  host.clear_sent();
  return 0;
}
