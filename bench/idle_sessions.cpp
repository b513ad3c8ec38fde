// gamehost_idle_sessions: memory per idle WebSocket (or, --transport tcp, TCP) session, and
// an active client's latency while they are held (issue 14 item 9; see bench/README.md, "Idle
// sessions").
//
//   1. reads the host's VmRSS (--server-pid) before the first connection;
//   2. opens --connections N WebSocket connections, bound round-robin to the source
//      addresses --source-base, +1, ... (ceil(N / --per-address) of them; the port range of
//      one source address caps how many connections it can hold to one server port), at most
//      --concurrency of them in setup at once. Each one completes the upgrade, reads Hello,
//      sends GuestLoginRequest (1004) with a device id of its own (32 characters: the auth
//      plugin wants 16-128 of A-Z a-z 0-9 _ . : -) and waits for LoginReply (1001);
//   3. holds them idle for --hold seconds: VmRSS after all logged in (and again at the end
//      of the hold); (after - before) / N is the memory per idle session. With
//      --heartbeat-s S every idle connection sends a Heartbeat (id 1) every S seconds,
//      spread evenly; without it they send nothing, and the host must run with an
//      idle_timeout_ms longer than the run (run_idle_sessions.sh does that);
//   4. meanwhile one active client (its own thread, its own connection from --active-source,
//      logged in as a guest too) sends EchoRequest (90000) at --rate per second on a fixed
//      schedule, one in flight; a round trip is timed from the moment the request was
//      scheduled (a late send counts as latency). p50/p99/max are reported for the ramp
//      (while the N connect and log in) and for the hold.
//
// One epoll loop, non-blocking sockets and a minimal RFC 6455 client (masked binary frames
// out, unmasked frames in; pings answered): the driver must hold 100,000 connections on the
// same two cores as the host without being the bottleneck. Wire: one binary message is
// `u32 id | payload`, little-endian (docs/protocol.md section 1); protobuf payloads are
// written by hand (a string or bytes field 1, or a varint field 1).
//
// Exit status: 0 measured, 1 bad flags, 2 setup failed (connections or logins lost).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "proc_stats.hpp"

namespace {

using Clock = std::chrono::steady_clock;

namespace id {
constexpr std::uint32_t kHeartbeat = 1;
constexpr std::uint32_t kError = 2;
constexpr std::uint32_t kKick = 3;
constexpr std::uint32_t kHello = 4;
constexpr std::uint32_t kLoginReply = 1001;
constexpr std::uint32_t kGuestLogin = 1004;
constexpr std::uint32_t kEchoRequest = 90000;
constexpr std::uint32_t kEchoReply = 90001;
}  // namespace id

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 1000;
  int per_address = 25000;
  std::string source_base = "127.0.0.2";
  std::string active_source = "127.0.0.1";
  int concurrency = 256;
  double hold_s = 30;
  double heartbeat_s = 0;
  double rate = 100;
  double settle_s = 3;
  double setup_timeout_s = 600;
  int server_pid = 0;
  std::string prefix;
  bool tcp = false;  // --transport tcp: the host's TCP framing, no upgrade
};

// Set once from the options, before any connection: the framing every helper below uses.
bool g_tcp = false;

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "%s\nusage: gamehost_idle_sessions --port WS_PORT [--host 127.0.0.1] "
               "[--connections N] [--per-address 25000] [--source-base 127.0.0.2] "
               "[--active-source 127.0.0.1] [--concurrency 256] [--hold S] [--heartbeat-s S] "
               "[--rate R] [--settle S] [--setup-timeout S] [--server-pid PID] [--prefix P] "
               "[--transport ws|tcp]\n",
               why);
  std::exit(1);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value");
      return argv[++i];
    };
    if (a == "--host")
      o.host = next();
    else if (a == "--port")
      o.port = std::stoi(next());
    else if (a == "--connections")
      o.connections = std::stoi(next());
    else if (a == "--per-address")
      o.per_address = std::stoi(next());
    else if (a == "--source-base")
      o.source_base = next();
    else if (a == "--active-source")
      o.active_source = next();
    else if (a == "--concurrency")
      o.concurrency = std::stoi(next());
    else if (a == "--hold")
      o.hold_s = std::stod(next());
    else if (a == "--heartbeat-s")
      o.heartbeat_s = std::stod(next());
    else if (a == "--rate")
      o.rate = std::stod(next());
    else if (a == "--settle")
      o.settle_s = std::stod(next());
    else if (a == "--setup-timeout")
      o.setup_timeout_s = std::stod(next());
    else if (a == "--server-pid")
      o.server_pid = std::stoi(next());
    else if (a == "--prefix")
      o.prefix = next();
    else if (a == "--transport") {
      const auto t = next();
      if (t != "ws" && t != "tcp") usage("--transport is ws or tcp");
      o.tcp = t == "tcp";
    } else
      usage(("unknown flag " + std::string(a)).c_str());
  }
  if (o.port <= 0) usage("--port is required");
  if (o.connections < 1 || o.per_address < 1 || o.concurrency < 1 || o.rate <= 0)
    usage("bad value");
  if (o.prefix.empty()) {
    o.prefix = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count() %
                              100000000000ULL);
  }
  return o;
}

// ---- wire helpers --------------------------------------------------------------------------

void put_u32le(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint32_t get_u32le(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
void put_varint(std::string& s, std::uint64_t v) {
  while (v >= 0x80) {
    s.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
}
// A message whose field 1 is a string/bytes (GuestLoginRequest.device_id, EchoRequest.data).
std::string pb_bytes1(std::string_view v) {
  std::string s;
  s.push_back(0x0A);
  put_varint(s, v.size());
  s.append(v);
  return s;
}
// Field 1 as a varint (Heartbeat.nonce; Error.code when reading).
std::string pb_varint1(std::uint64_t v) {
  std::string s;
  s.push_back(0x08);
  put_varint(s, v);
  return s;
}
std::uint64_t pb_read_varint1(std::string_view p) {
  if (p.size() < 2 || p[0] != 0x08) return 0;
  std::uint64_t v = 0;
  for (std::size_t i = 1, shift = 0; i < p.size() && shift < 64; ++i, shift += 7) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i]) & 0x7F) << shift;
    if (!(static_cast<unsigned char>(p[i]) & 0x80)) break;
  }
  return v;
}

// One masked client frame (RFC 6455 5.2): FIN + opcode, length, mask, masked payload.
std::string ws_frame(std::uint8_t opcode, std::string_view payload, std::uint32_t mask) {
  std::string f;
  f.push_back(static_cast<char>(0x80 | opcode));
  const std::size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<char>(n >> shift));
  }
  unsigned char m[4];
  std::memcpy(m, &mask, 4);
  f.append(reinterpret_cast<const char*>(m), 4);
  for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ m[i & 3]));
  return f;
}
// One message as the transport frames it: a masked binary WebSocket frame holding
// `u32 id | payload`, or the TCP frame `u32 length | u32 id | payload`.
std::string ws_message(std::uint32_t msg_id, std::string_view payload, std::uint32_t mask) {
  if (g_tcp) {
    std::string f;
    put_u32le(f, static_cast<std::uint32_t>(payload.size()));
    put_u32le(f, msg_id);
    f.append(payload);
    return f;
  }
  std::string body;
  put_u32le(body, msg_id);
  body.append(payload);
  return ws_frame(0x2, body, mask);
}

std::string upgrade_request(const std::string& host, int port, std::uint32_t seed) {
  // The key is 16 random bytes, base64: any 24-character base64 string ending in "==" works.
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string key;
  std::uint64_t x = 0x9E3779B97F4A7C15ULL * (seed + 1);
  for (int i = 0; i < 21; ++i) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ULL;
    key.push_back(b64[x % 64]);
  }
  key += "A==";
  return "GET / HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
         "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// Cuts server frames (unmasked, never fragmented by the host) from `in`; calls
// on(opcode, payload) for each until it returns false; returns false on a protocol error.
template <class F>
bool drain_frames(std::string& in, F&& on) {
  std::size_t pos = 0;
  // TCP: `u32 length | u32 id | payload`, handed on as a binary message `id | payload`.
  while (g_tcp) {
    if (in.size() - pos < 8) break;
    const auto len = get_u32le(reinterpret_cast<const unsigned char*>(in.data() + pos));
    if (in.size() - pos - 8 < len) break;
    const bool more = on(0x2, std::string_view(in.data() + pos + 4, std::size_t{4} + len));
    pos += 8 + len;
    if (!more) break;
  }
  while (!g_tcp) {
    if (in.size() - pos < 2) break;
    const auto* p = reinterpret_cast<const unsigned char*>(in.data() + pos);
    const std::uint8_t opcode = p[0] & 0x0F;
    if (p[1] & 0x80) return false;  // a server must not mask
    std::uint64_t len = p[1] & 0x7F;
    std::size_t hdr = 2;
    if (len == 126) {
      if (in.size() - pos < 4) break;
      len = (std::uint64_t{p[2]} << 8) | p[3];
      hdr = 4;
    } else if (len == 127) {
      if (in.size() - pos < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      hdr = 10;
    }
    if (in.size() - pos - hdr < len) break;
    const bool more = on(opcode, std::string_view(in.data() + pos + hdr, len));
    pos += hdr + len;
    if (!more) break;
  }
  in.erase(0, pos);
  return true;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::optional<std::uint64_t> rss_kib(int pid) {
  if (pid <= 0) return std::nullopt;
  return gamehost::loadgen::read_rss_kib(pid);
}

in_addr parse_ip(const std::string& s) {
  in_addr a{};
  if (::inet_pton(AF_INET, s.c_str(), &a) != 1) usage(("not an IPv4 address: " + s).c_str());
  return a;
}

// A non-blocking socket bound to `source` (port chosen at connect: IP_BIND_ADDRESS_NO_PORT,
// so one source address can reach the whole ephemeral range per destination).
int open_socket(in_addr source, const sockaddr_in& dest, bool blocking) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | (blocking ? 0 : SOCK_NONBLOCK), 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  src.sin_addr = source;
  src.sin_port = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) != 0) {
    ::close(fd);
    return -1;
  }
  const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&dest), sizeof dest);
  if (rc != 0 && !(errno == EINPROGRESS && !blocking)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// ---- the active client ---------------------------------------------------------------------

// Phases the latency samples are filed under.
enum Phase : int { kBefore = 0, kRamp = 1, kHold = 2, kDone = 3 };

struct ActiveStats {
  std::mutex m;
  std::vector<double> samples[3];  // µs, per phase
  std::uint64_t errors = 0;
  std::string first_error;
};

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const auto n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Blocking read of one server message (skipping pings, answered); false on EOF/timeout.
bool read_message(int fd, std::string& in, std::uint32_t& msg_id, std::string& payload,
                  int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    bool got = false;
    bool bad = false;
    std::string pong;
    // One message at a time: take the first complete frame only.
    std::string rest;
    {
      std::size_t pos = 0;
      if (g_tcp && in.size() >= 8) {
        const auto len = get_u32le(reinterpret_cast<const unsigned char*>(in.data()));
        if (in.size() - 8 >= len) {
          msg_id = get_u32le(reinterpret_cast<const unsigned char*>(in.data() + 4));
          payload.assign(in, 8, len);
          got = true;
          pos = 8 + len;
        }
      } else if (!g_tcp && in.size() >= 2) {
        const auto* p = reinterpret_cast<const unsigned char*>(in.data());
        std::uint64_t len = p[1] & 0x7F;
        std::size_t hdr = 2;
        bool complete = true;
        if (len == 126) {
          if (in.size() < 4)
            complete = false;
          else {
            len = (std::uint64_t{p[2]} << 8) | p[3];
            hdr = 4;
          }
        } else if (len == 127) {
          if (in.size() < 10)
            complete = false;
          else {
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
            hdr = 10;
          }
        }
        if (complete && in.size() - hdr >= len) {
          const std::uint8_t opcode = p[0] & 0x0F;
          const std::string_view body(in.data() + hdr, len);
          if (opcode == 0x2 && body.size() >= 4) {
            msg_id = get_u32le(reinterpret_cast<const unsigned char*>(body.data()));
            payload.assign(body.substr(4));
            got = true;
          } else if (opcode == 0x9) {
            pong = ws_frame(0xA, body, 0x5a5a5a5a);
          } else if (opcode == 0x8 || opcode == 0x1) {
            bad = true;
          }
          pos = hdr + len;
        }
      }
      if (pos != 0)
        in.erase(0, pos);
      else if (!got && !bad && pong.empty()) {
        // need more bytes
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) return false;
        char buf[4096];
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return false;
        in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
    }
    if (bad) return false;
    if (!pong.empty() && !write_all(fd, pong)) return false;
    if (got) return true;
  }
}

void run_active(const Options& o, const sockaddr_in& dest, std::atomic<int>& phase,
                std::atomic<bool>& ready, ActiveStats& stats) {
  auto fail = [&](const std::string& why) {
    std::lock_guard lock(stats.m);
    ++stats.errors;
    if (stats.first_error.empty()) stats.first_error = why;
    ready = true;
  };
  const int fd = open_socket(parse_ip(o.active_source), dest, true);
  if (fd < 0) return fail(std::string("active client: connect: ") + std::strerror(errno));
  std::string in;
  if (!o.tcp && !write_all(fd, upgrade_request(o.host, o.port, 0xABCDEF)))
    return fail("active: write");
  while (!o.tcp && in.find("\r\n\r\n") == std::string::npos) {
    char buf[4096];
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 5000) <= 0) return fail("active: no upgrade answer");
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return fail("active: closed during upgrade");
    in.append(buf, static_cast<std::size_t>(n));
  }
  if (!o.tcp) {
    if (in.rfind("HTTP/1.1 101", 0) != 0) return fail("active: upgrade refused");
    in.erase(0, in.find("\r\n\r\n") + 4);
  }
  std::uint32_t msg = 0;
  std::string payload;
  if (!read_message(fd, in, msg, payload, 5000) || msg != id::kHello)
    return fail("active: no Hello");
  const std::string device = "idlebench-active-" + o.prefix + "-000000";
  if (!write_all(fd, ws_message(id::kGuestLogin, pb_bytes1(device), 0x11223344)))
    return fail("active: write");
  if (!read_message(fd, in, msg, payload, 10000) || msg != id::kLoginReply)
    return fail("active: guest login failed (id " + std::to_string(msg) + ")");
  ready = true;

  const auto interval = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / o.rate));
  auto next = Clock::now();
  std::uint64_t seq = 0;
  while (phase.load() != kDone) {
    std::this_thread::sleep_until(next);
    const auto scheduled = next;
    next += interval;
    const int ph = phase.load();
    if (ph == kDone) break;
    std::string data(16, 'x');
    std::memcpy(data.data(), &seq, sizeof seq);
    ++seq;
    if (!write_all(fd, ws_message(id::kEchoRequest, pb_bytes1(data),
                                  static_cast<std::uint32_t>(seq * 2654435761u)))) {
      return fail("active: connection lost");
    }
    if (!read_message(fd, in, msg, payload, 10000)) return fail("active: no echo reply in 10 s");
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - scheduled).count();
    if (msg != id::kEchoReply || payload != pb_bytes1(data)) {
      std::lock_guard lock(stats.m);
      ++stats.errors;
      if (stats.first_error.empty()) stats.first_error = "active: reply id " + std::to_string(msg);
      continue;
    }
    std::lock_guard lock(stats.m);
    stats.samples[ph].push_back(us);
  }
  ::close(fd);
}

// ---- the idle connections ------------------------------------------------------------------

enum class State : std::uint8_t { connecting, upgrading, hello, login, idle, dead };

struct Conn {
  int fd = -1;
  State state = State::connecting;
  std::string in;
};

struct Counts {
  std::uint64_t logged_in = 0;
  std::uint64_t failed = 0;
  std::uint64_t dropped_idle = 0;  // idle connections the host closed
  std::uint64_t heartbeats_sent = 0;
  std::uint64_t heartbeats_answered = 0;
  std::string first_error;
};

void note(Counts& c, const std::string& why) {
  if (c.first_error.empty()) c.first_error = why;
}

double pct(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  g_tcp = o.tcp;

  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur < static_cast<rlim_t>(o.connections) + 64) {
    std::fprintf(stderr, "open file limit %llu is below --connections %d: raise ulimit -n\n",
                 static_cast<unsigned long long>(rl.rlim_cur), o.connections);
    return 1;
  }

  sockaddr_in dest{};
  dest.sin_family = AF_INET;
  dest.sin_port = htons(static_cast<std::uint16_t>(o.port));
  dest.sin_addr = parse_ip(o.host);
  const int n_addr = (o.connections + o.per_address - 1) / o.per_address;
  std::vector<in_addr> sources;
  sources.reserve(static_cast<std::size_t>(n_addr));
  const std::uint32_t base = ntohl(parse_ip(o.source_base).s_addr);
  for (int i = 0; i < n_addr; ++i) sources.push_back(in_addr{htonl(base + i)});

  // --- before anything connects ---
  const auto rss_before = rss_kib(o.server_pid);
  const auto t_start = Clock::now();
  const auto cpu_start =
      o.server_pid > 0 ? gamehost::loadgen::read_cpu_ticks(o.server_pid) : std::nullopt;

  std::atomic<int> phase{kBefore};
  std::atomic<bool> active_ready{false};
  ActiveStats active;
  std::thread active_thread([&] { run_active(o, dest, phase, active_ready, active); });
  while (!active_ready) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    std::lock_guard lock(active.m);
    if (active.errors != 0) {
      std::fprintf(stderr, "%s\n", active.first_error.c_str());
      phase = kDone;
      active_thread.join();
      return 2;
    }
  }

  const int ep = ::epoll_create1(0);
  std::vector<Conn> conns(static_cast<std::size_t>(o.connections));
  Counts counts;
  int next_to_open = 0;
  int in_setup = 0;
  std::vector<epoll_event> events(4096);

  auto kill_conn = [&](std::uint32_t i, const std::string& why) {
    Conn& c = conns[i];
    if (c.state == State::dead) return;
    if (c.state == State::idle) {
      ++counts.dropped_idle;
      note(counts, "idle connection " + std::to_string(i) + ": " + why);
    } else {
      ++counts.failed;
      --in_setup;
      note(counts, "connection " + std::to_string(i) + ": " + why);
    }
    ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
    c.state = State::dead;  // its buffer is freed by the reader (it may be parsing it)
  };

  auto open_next = [&] {
    while (in_setup < o.concurrency && next_to_open < o.connections) {
      const auto i = static_cast<std::uint32_t>(next_to_open++);
      Conn& c = conns[i];
      c.fd = open_socket(sources[i % sources.size()], dest, false);
      if (c.fd < 0) {
        ++counts.failed;
        note(counts, std::string("connect: ") + std::strerror(errno));
        c.state = State::dead;
        continue;
      }
      ++in_setup;
      c.state = State::connecting;
      epoll_event ev{};
      ev.events = EPOLLOUT;
      ev.data.u32 = i;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    }
  };

  auto send_conn = [&](std::uint32_t i, const std::string& bytes) {
    // Small writes into an empty socket buffer: they go whole or the connection is broken.
    const auto n = ::send(conns[i].fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(bytes.size())) {
      kill_conn(i, "short write");
      return false;
    }
    return true;
  };

  auto on_message = [&](std::uint32_t i, std::uint32_t msg_id, std::string_view payload) {
    Conn& c = conns[i];
    if (msg_id == id::kKick) {
      kill_conn(i, "kicked, code " + std::to_string(pb_read_varint1(payload)));
      return;
    }
    if (c.state == State::hello) {
      if (msg_id != id::kHello) return kill_conn(i, "first frame not Hello");
      char device[64];
      std::snprintf(device, sizeof device, "idle-%s-%010u", o.prefix.c_str(), i);
      if (!send_conn(i, ws_message(id::kGuestLogin, pb_bytes1(device), i * 2654435761u))) return;
      c.state = State::login;
    } else if (c.state == State::login) {
      if (msg_id == id::kLoginReply) {
        c.state = State::idle;  // its buffer is freed once drained (on_readable)
        --in_setup;
        ++counts.logged_in;
      } else if (msg_id == id::kError) {
        kill_conn(i, "login refused, error " + std::to_string(pb_read_varint1(payload)));
      } else {
        kill_conn(i, "unexpected id " + std::to_string(msg_id) + " before LoginReply");
      }
    } else if (c.state == State::idle) {
      if (msg_id == id::kHeartbeat) ++counts.heartbeats_answered;
    }
  };

  auto on_readable = [&](std::uint32_t i) {
    Conn& c = conns[i];
    char buf[4096];
    while (c.state != State::dead) {
      const auto n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n == 0) {
        kill_conn(i, "closed by the host");
        break;
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        kill_conn(i, std::string("recv: ") + std::strerror(errno));
        break;
      }
      c.in.append(buf, static_cast<std::size_t>(n));
      if (c.state == State::upgrading) {
        const auto end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        if (c.in.rfind("HTTP/1.1 101", 0) != 0) {
          kill_conn(i, "upgrade refused");
          break;
        }
        c.in.erase(0, end + 4);
        c.state = State::hello;
      }
      std::vector<std::string> pongs;
      const bool ok = drain_frames(c.in, [&](std::uint8_t opcode, std::string_view body) {
        if (c.state == State::dead) return false;
        if (opcode == 0x2 && body.size() >= 4) {
          on_message(i, get_u32le(reinterpret_cast<const unsigned char*>(body.data())),
                     body.substr(4));
        } else if (opcode == 0x9) {
          pongs.push_back(ws_frame(0xA, body, i));
        } else if (opcode == 0x8) {
          kill_conn(i, "WebSocket close from the host");
        }
        return c.state != State::dead;
      });
      if (c.state == State::dead) {
        std::string().swap(c.in);
        return;
      }
      if (!ok) {
        kill_conn(i, "bad frame from the host");
        break;
      }
      for (const auto& p : pongs)
        if (!send_conn(i, p)) break;
    }
    if (c.state == State::dead || (c.state == State::idle && c.in.empty()))
      std::string().swap(c.in);
  };

  auto poll_once = [&](int timeout_ms) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int k = 0; k < n; ++k) {
      const std::uint32_t i = events[k].data.u32;
      Conn& c = conns[i];
      if (c.state == State::dead) continue;
      if (c.state == State::connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          kill_conn(i, std::string("connect: ") + std::strerror(err));
          continue;
        }
        if (o.tcp) {
          c.state = State::hello;  // the host sends Hello at once
        } else {
          if (!send_conn(i, upgrade_request(o.host, o.port, i))) continue;
          c.state = State::upgrading;
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u32 = i;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        continue;
      }
      on_readable(i);
    }
  };

  // --- ramp: connect, upgrade, log in ---
  phase = kRamp;
  const auto ramp_start = Clock::now();
  const auto cpu_ramp =
      o.server_pid > 0 ? gamehost::loadgen::read_cpu_ticks(o.server_pid) : std::nullopt;
  auto last_report = Clock::now();
  open_next();
  while (counts.logged_in + counts.failed < static_cast<std::uint64_t>(o.connections)) {
    poll_once(50);
    open_next();
    if (ms_since(last_report) >= 5000) {
      last_report = Clock::now();
      std::fprintf(stderr,
                   "  %.0f s: %llu logged in, %llu failed, %d in setup, host RSS %llu KiB\n",
                   ms_since(ramp_start) / 1000, static_cast<unsigned long long>(counts.logged_in),
                   static_cast<unsigned long long>(counts.failed), in_setup,
                   static_cast<unsigned long long>(rss_kib(o.server_pid).value_or(0)));
    }
    if (ms_since(ramp_start) > o.setup_timeout_s * 1000) {
      note(counts, "setup timeout");
      break;
    }
  }
  const double ramp_s = ms_since(ramp_start) / 1000;
  const auto cpu_ramp_end =
      o.server_pid > 0 ? gamehost::loadgen::read_cpu_ticks(o.server_pid) : std::nullopt;

  // --- hold ---
  phase = kHold;
  // Let the host settle (the last logins' work, freed buffers) before the "after" reading.
  const auto settle_end = Clock::now() + std::chrono::duration<double>(o.settle_s);
  std::vector<std::uint32_t> idle_ids;
  for (std::uint32_t i = 0; i < conns.size(); ++i)
    if (conns[i].state == State::idle) idle_ids.push_back(i);
  std::size_t hb_cursor = 0;
  std::uint64_t hb_nonce = 0;
  auto hold_tick = [&](Clock::time_point since) {
    // Heartbeats: every idle connection once per heartbeat_s, spread evenly.
    if (o.heartbeat_s <= 0 || idle_ids.empty()) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - since).count();
    const auto due =
        static_cast<std::uint64_t>(elapsed / o.heartbeat_s * static_cast<double>(idle_ids.size()));
    while (hb_nonce < due) {
      const auto i = idle_ids[hb_cursor];
      hb_cursor = (hb_cursor + 1) % idle_ids.size();
      ++hb_nonce;
      if (conns[i].state != State::idle) continue;
      if (send_conn(i, ws_message(id::kHeartbeat, pb_varint1(hb_nonce), i)))
        ++counts.heartbeats_sent;
    }
  };
  const auto hold_start = Clock::now();
  while (Clock::now() < settle_end) {
    poll_once(5);
    hold_tick(hold_start);
  }
  const auto rss_after = rss_kib(o.server_pid);
  const auto cpu_hold =
      o.server_pid > 0 ? gamehost::loadgen::read_cpu_ticks(o.server_pid) : std::nullopt;
  const auto own_cpu_hold = gamehost::loadgen::read_cpu_ticks(0);
  {
    std::lock_guard lock(active.m);
    active.samples[kHold].clear();  // the hold's latency starts with the RSS reading
  }
  const auto measure_start = Clock::now();
  const auto measure_end = measure_start + std::chrono::duration<double>(o.hold_s);
  while (Clock::now() < measure_end) {
    poll_once(5);
    hold_tick(hold_start);
  }
  const double hold_s = ms_since(measure_start) / 1000;
  const auto cpu_hold_end =
      o.server_pid > 0 ? gamehost::loadgen::read_cpu_ticks(o.server_pid) : std::nullopt;
  const auto own_cpu_hold_end = gamehost::loadgen::read_cpu_ticks(0);
  const auto rss_end = rss_kib(o.server_pid);
  phase = kDone;
  active_thread.join();

  // --- report ---
  const auto kib = [](const std::optional<std::uint64_t>& v) {
    return v ? static_cast<long long>(*v) : -1LL;
  };
  const auto cpu = [](const std::optional<std::uint64_t>& a, const std::optional<std::uint64_t>& b,
                      double s) {
    return a && b ? gamehost::loadgen::cpu_percent(*a, *b, s) : -1.0;
  };
  std::printf(
      "connections %d (logged in %llu, failed %llu, dropped while idle %llu), "
      "%d source addresses from %s, %d per address at most\n",
      o.connections, static_cast<unsigned long long>(counts.logged_in),
      static_cast<unsigned long long>(counts.failed),
      static_cast<unsigned long long>(counts.dropped_idle), n_addr, o.source_base.c_str(),
      o.per_address);
  if (!counts.first_error.empty()) std::printf("first problem: %s\n", counts.first_error.c_str());
  std::printf("ramp: %.1f s (%.0f logins/s), host CPU %.0f %%\n", ramp_s,
              static_cast<double>(counts.logged_in) / ramp_s, cpu(cpu_ramp, cpu_ramp_end, ramp_s));
  std::printf(
      "host RSS: before %lld KiB, after all logged in %lld KiB (%.0f s later), "
      "end of hold %lld KiB\n",
      kib(rss_before), kib(rss_after), ms_since(t_start) / 1000 - hold_s, kib(rss_end));
  if (rss_before && rss_after && counts.logged_in > 0) {
    const double per = (static_cast<double>(*rss_after) - static_cast<double>(*rss_before)) *
                       1024.0 / static_cast<double>(counts.logged_in);
    const double per_end = (static_cast<double>(*rss_end) - static_cast<double>(*rss_before)) *
                           1024.0 / static_cast<double>(counts.logged_in);
    std::printf("bytes per idle session: %.0f (%.2f KiB); at the end of the hold %.0f\n", per,
                per / 1024, per_end);
  }
  char hb[64] = "off";
  if (o.heartbeat_s > 0) std::snprintf(hb, sizeof hb, "every %g s", o.heartbeat_s);
  const std::string heartbeat_text = hb;
  std::printf(
      "hold: %.1f s, heartbeats %s (sent %llu, answered %llu), host CPU %.1f %%, "
      "driver CPU %.1f %%\n",
      hold_s, heartbeat_text.c_str(), static_cast<unsigned long long>(counts.heartbeats_sent),
      static_cast<unsigned long long>(counts.heartbeats_answered),
      cpu(cpu_hold, cpu_hold_end, hold_s), cpu(own_cpu_hold, own_cpu_hold_end, hold_s));
  {
    std::lock_guard lock(active.m);
    for (int ph : {kRamp, kHold}) {
      auto& v = active.samples[ph];
      std::printf(
          "active client (%s, %.0f/s echo): %zu round trips, p50 %.0f us, p99 %.0f us, "
          "max %.0f us\n",
          ph == kRamp ? "during the ramp" : "during the hold", o.rate, v.size(), pct(v, 0.50),
          pct(v, 0.99), v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
    }
    if (active.errors != 0)
      std::printf("active client errors: %llu (%s)\n",
                  static_cast<unsigned long long>(active.errors), active.first_error.c_str());
  }
  (void)cpu_start;
  std::fflush(stdout);
  // Leave the sockets to the exit: closing 100,000 one by one only delays the report.
  const bool ok = counts.failed == 0 && counts.dropped_idle == 0 && active.errors == 0;
  return ok ? 0 : 2;
}
