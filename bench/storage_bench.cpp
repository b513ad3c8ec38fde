// gamehost_storage_bench: registrations/s, logins/s and coin transfers/s against a running
// host with the auth, user and coinprobe plugins (see bench/README.md, "Storage").
//
//   --op register   N connections each register unique usernames, one request in flight
//                   per connection (RegisterRequest 1000 -> LoginReply 1001).
//   --op login      each connection first registers --users-per-connection users of its
//                   own (not timed), then logs them in in turn (LoginRequest 1002). Each
//                   user is only ever logged in on its own connection, so no login kicks
//                   another connection (duplicate_login = kick_old).
//   --op transfer   credits --accounts accounts through coinprobe (CREDIT, not timed), then
//                   times TRANSFER between random pairs, each with its own idempotency key.
//                   At the end: every failed transfer must be ERROR_INSUFFICIENT_COINS and
//                   the coins of all accounts added up must not have changed.
//
// Plain blocking sockets, one thread per connection: the client waits on the database and
// argon2id, not on itself. TCP frames are `u32 length | u32 id | payload`, little-endian.
//
// Exit status: 0 measured, 1 bad flags, 2 could not connect or set up, 4 a check failed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "auth.pb.h"
#include "gamehost/host.pb.h"
#include "proc_stats.hpp"
#include "user.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

namespace id {
constexpr std::uint32_t kError = 2;
constexpr std::uint32_t kKick = 3;
constexpr std::uint32_t kHello = 4;
constexpr std::uint32_t kRegister = 1000;
constexpr std::uint32_t kLoginReply = 1001;
constexpr std::uint32_t kLogin = 1002;
constexpr std::uint32_t kProbe = 100900;
constexpr std::uint32_t kProbeResult = 100901;
}  // namespace id

constexpr std::uint32_t kInsufficientCoins = gamehost::user::ERROR_INSUFFICIENT_COINS;
constexpr const char* kPassword = "benchPassw0rd";

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string op;
  int connections = 16;
  double duration_s = 15;
  std::uint64_t count = 0;  // 0 = until the duration is over
  std::string prefix;       // usernames: PREFIX_<conn>_<n>; default from the clock
  int users_per_connection = 4;
  int accounts = 1000;
  std::int64_t credit = 1'000'000;
  std::int64_t max_amount = 100;
  std::uint64_t account_base = 0;  // default from the clock
  int server_pid = 0;
  int db_pid = 0;
  bool json = false;
};

[[noreturn]] void usage(const std::string& problem) {
  if (!problem.empty()) std::cerr << "gamehost_storage_bench: " << problem << "\n";
  std::cerr << "usage: gamehost_storage_bench --port P --op register|login|transfer\n"
               "  [--host 127.0.0.1] [--connections 16] [--duration 15] [--count M]\n"
               "  [--prefix NAME] [--users-per-connection 4]\n"
               "  [--accounts 1000] [--credit 1000000] [--max-amount 100] [--account-base ID]\n"
               "  [--server-pid PID] [--db-pid PID] [--json]\n";
  std::exit(1);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--json") {
      o.json = true;
      continue;
    }
    if (flag == "-h" || flag == "--help") usage("");
    if (i + 1 >= argc) usage(flag + " needs a value");
    const std::string v = argv[++i];
    try {
      if (flag == "--host")
        o.host = v;
      else if (flag == "--port")
        o.port = std::stoi(v);
      else if (flag == "--op")
        o.op = v;
      else if (flag == "--connections")
        o.connections = std::stoi(v);
      else if (flag == "--duration")
        o.duration_s = std::stod(v);
      else if (flag == "--count")
        o.count = std::stoull(v);
      else if (flag == "--prefix")
        o.prefix = v;
      else if (flag == "--users-per-connection")
        o.users_per_connection = std::stoi(v);
      else if (flag == "--accounts")
        o.accounts = std::stoi(v);
      else if (flag == "--credit")
        o.credit = std::stoll(v);
      else if (flag == "--max-amount")
        o.max_amount = std::stoll(v);
      else if (flag == "--account-base")
        o.account_base = std::stoull(v);
      else if (flag == "--server-pid")
        o.server_pid = std::stoi(v);
      else if (flag == "--db-pid")
        o.db_pid = std::stoi(v);
      else
        usage("unknown flag " + flag);
    } catch (const std::logic_error&) {
      usage("bad value for " + flag + ": " + v);
    }
  }
  if (o.port <= 0 || o.port > 65535) usage("--port is required");
  if (o.op != "register" && o.op != "login" && o.op != "transfer")
    usage("--op must be register, login or transfer");
  if (o.connections < 1 || o.connections > 10000) usage("--connections must be 1-10000");
  if (o.duration_s <= 0) usage("--duration must be > 0");
  if (o.users_per_connection < 1) usage("--users-per-connection must be >= 1");
  if (o.accounts < 2) usage("--accounts must be >= 2");
  if (o.credit < 1 || o.max_amount < 1) usage("--credit and --max-amount must be >= 1");
  // Something unique per run, so repeated runs against one database neither collide on
  // usernames nor on idempotency keys.
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (o.prefix.empty()) {
    std::string s;
    for (auto n = static_cast<std::uint64_t>(now_ms) % 2'176'782'336ULL; n > 0; n /= 36) {
      s += "0123456789abcdefghijklmnopqrstuvwxyz"[n % 36];
    }
    o.prefix = "b" + s;  // 1 + up to 6 characters: usernames stay within 32
  }
  if (o.account_base == 0) {
    o.account_base = (1 + static_cast<std::uint64_t>(now_ms) % 1'000'000) * 1'000'000'000ULL;
  }
  return o;
}

// ---- One blocking TCP connection ---------------------------------------------------------

struct Frame {
  std::uint32_t id = 0;
  std::string payload;
};

class Connection {
 public:
  Connection(const std::string& host, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
      throw std::runtime_error("not an IPv4 address: " + host);
    }
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect " + host + ":" + std::to_string(port) + ": " +
                               std::strerror(errno));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{30, 0};  // a reply that takes 30 s means the run is broken: give up
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const Frame hello = read();
    if (hello.id != id::kHello) throw std::runtime_error("first frame is not Hello");
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { ::close(fd_); }

  void send(std::uint32_t msg, std::string_view payload) {
    std::string out(8 + payload.size(), '\0');
    store_u32(out.data(), static_cast<std::uint32_t>(payload.size()));
    store_u32(out.data() + 4, msg);
    std::memcpy(out.data() + 8, payload.data(), payload.size());
    for (std::size_t done = 0; done < out.size();) {
      const auto n = ::send(fd_, out.data() + done, out.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send: " + std::string(std::strerror(errno)));
      done += static_cast<std::size_t>(n);
    }
  }

  Frame read() {
    for (;;) {
      if (buf_.size() >= 8) {
        const auto length = load_u32(buf_.data());
        if (length > (16u << 20)) throw std::runtime_error("frame larger than 16 MiB");
        if (buf_.size() >= 8 + length) {
          Frame f{load_u32(buf_.data() + 4), buf_.substr(8, length)};
          buf_.erase(0, 8 + length);
          return f;
        }
      }
      char chunk[16384];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) throw std::runtime_error("connection closed by the host");
      if (n < 0) throw std::runtime_error("recv: " + std::string(std::strerror(errno)));
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Sends one request and returns its answer. Heartbeats (id 1) are skipped.
  Frame call(std::uint32_t msg, std::string_view payload) {
    send(msg, payload);
    for (;;) {
      Frame f = read();
      if (f.id == 1) continue;
      if (f.id == id::kKick) {
        gamehost::wire::Kick kick;
        kick.ParseFromString(f.payload);
        throw std::runtime_error("kicked: code " + std::to_string(kick.code()) + " " + kick.text());
      }
      return f;
    }
  }

 private:
  static void store_u32(char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
  }
  static std::uint32_t load_u32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
  }

  int fd_ = -1;
  std::string buf_;
};

// ---- Outcomes ----------------------------------------------------------------------------

// What one connection saw in the timed window.
struct Tally {
  std::uint64_t ok = 0;
  std::vector<std::uint32_t> latencies_us;        // successful requests only
  std::map<std::string, std::uint64_t> failures;  // "1182", "error 4", "status 7", ...
  std::string first_failure;
  void fail(const std::string& kind, const std::string& text) {
    ++failures[kind];
    if (first_failure.empty()) first_failure = kind + ": " + text;
  }
};

// "" when the frame is the expected reply, else the failure kind (error code) and text.
std::pair<std::string, std::string> check_reply(const Frame& f, std::uint32_t expected) {
  if (f.id == expected) return {};
  if (f.id == id::kError) {
    gamehost::wire::Error e;
    e.ParseFromString(f.payload);
    return {"error " + std::to_string(e.code()), e.text()};
  }
  return {"unexpected id " + std::to_string(f.id), ""};
}

std::string username(const Options& o, int conn, std::uint64_t n) {
  return o.prefix + "_" + std::to_string(conn) + "_" + std::to_string(n);
}

// Returns the LoginReply, or throws with the host's error.
gamehost::auth::LoginReply must_register(Connection& c, const std::string& name) {
  gamehost::auth::RegisterRequest req;
  req.set_username(name);
  req.set_password(kPassword);
  const Frame f = c.call(id::kRegister, req.SerializeAsString());
  const auto [kind, text] = check_reply(f, id::kLoginReply);
  if (!kind.empty()) throw std::runtime_error("register " + name + ": " + kind + " " + text);
  gamehost::auth::LoginReply reply;
  reply.ParseFromString(f.payload);
  return reply;
}

// A coinprobe call: "<method byte><request>" -> "<gh_status byte><result>".
template <class Result>
std::pair<int, Result> probe(Connection& c, gamehost::user::Method method,
                             const std::string& request) {
  std::string payload(1, static_cast<char>(method));
  payload += request;
  const Frame f = c.call(id::kProbe, payload);
  const auto [kind, text] = check_reply(f, id::kProbeResult);
  if (!kind.empty()) throw std::runtime_error("coinprobe: " + kind + " " + text);
  if (f.payload.empty()) throw std::runtime_error("coinprobe: empty result");
  Result r;
  const int status = static_cast<unsigned char>(f.payload[0]);
  if (status == 0 &&
      !r.ParseFromArray(f.payload.data() + 1, static_cast<int>(f.payload.size() - 1))) {
    throw std::runtime_error("coinprobe: result does not decode");
  }
  return {status, r};
}

std::uint64_t account(const Options& o, int i) {
  return o.account_base + static_cast<std::uint64_t>(i);
}

// Adds up the balances of all accounts (1 connection per thread, accounts split by index).
std::int64_t coins_in_accounts(const Options& o, std::vector<std::unique_ptr<Connection>>& conns) {
  std::atomic<std::int64_t> total{0};
  std::vector<std::thread> threads;
  std::mutex problem_mutex;
  std::string problem;
  for (std::size_t t = 0; t < conns.size(); ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = static_cast<int>(t); i < o.accounts; i += static_cast<int>(conns.size())) {
          gamehost::user::BalanceQuery q;
          q.set_user_id(account(o, i));
          const auto [status, r] = probe<gamehost::user::CoinResult>(
              *conns[t], gamehost::user::BALANCE, q.SerializeAsString());
          if (status != 0) throw std::runtime_error("BALANCE: status " + std::to_string(status));
          if (r.error() != 0 && r.error() != gamehost::user::ERROR_UNKNOWN_USER) {
            throw std::runtime_error("BALANCE: error " + std::to_string(r.error()));
          }
          total += r.balance();
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(problem_mutex);
        problem = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  if (!problem.empty()) throw std::runtime_error(problem);
  return total;
}

// ---- CPU of other processes -------------------------------------------------------------

// Busy CPU of the whole machine (all cores, in clock ticks): with the host's, the database's
// and our own CPU subtracted, what is left is other work that skewed the run.
std::optional<std::uint64_t> machine_busy_ticks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                steal = 0;
  if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
      cpu != "cpu") {
    return std::nullopt;
  }
  return user + nice + system + irq + softirq + steal;
}

double self_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct CpuWatch {
  int pid = 0;
  std::optional<std::uint64_t> before;
  void start() {
    if (pid > 0) before = gamehost::loadgen::read_cpu_ticks(pid);
  }
  // Percent of one core over `seconds`, or -1 when not measured.
  double percent(double seconds) const {
    if (pid <= 0 || !before || seconds <= 0) return -1;
    const auto after = gamehost::loadgen::read_cpu_ticks(pid);
    if (!after) return -1;
    return 100.0 * static_cast<double>(*after - *before) /
           static_cast<double>(sysconf(_SC_CLK_TCK)) / seconds;
  }
};

std::uint32_t percentile(const std::vector<std::uint32_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(std::llround(q * static_cast<double>(sorted.size() - 1)));
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const int n = o.connections;

  // ---- Connect and set up (not timed) ----
  const auto setup_start = Clock::now();
  std::vector<std::unique_ptr<Connection>> conns(static_cast<std::size_t>(n));
  std::int64_t coins_before = 0;
  try {
    for (auto& c : conns) c = std::make_unique<Connection>(o.host, o.port);
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(n));
    std::mutex problem_mutex;
    std::string problem;
    for (int t = 0; t < n; ++t) {
      threads.emplace_back([&, t] {
        try {
          Connection& c = *conns[static_cast<std::size_t>(t)];
          if (o.op == "login") {
            for (int u = 0; u < o.users_per_connection; ++u) must_register(c, username(o, t, u));
          } else if (o.op == "transfer") {
            for (int i = t; i < o.accounts; i += n) {
              gamehost::user::CoinChange credit;
              credit.set_user_id(account(o, i));
              credit.set_amount(o.credit);
              credit.set_reason("bench");
              credit.set_idempotency_key("bench-credit:" + std::to_string(account(o, i)));
              const auto [status, r] = probe<gamehost::user::CoinResult>(
                  c, gamehost::user::CREDIT, credit.SerializeAsString());
              if (status != 0 || r.error() != 0) {
                throw std::runtime_error("CREDIT: status " + std::to_string(status) + " error " +
                                         std::to_string(r.error()));
              }
            }
          }
        } catch (const std::exception& e) {
          std::lock_guard lock(problem_mutex);
          if (problem.empty()) problem = e.what();
        }
      });
    }
    for (auto& th : threads) th.join();
    if (!problem.empty()) throw std::runtime_error(problem);
    if (o.op == "transfer") coins_before = coins_in_accounts(o, conns);
  } catch (const std::exception& e) {
    std::cerr << "gamehost_storage_bench: setup failed: " << e.what() << "\n";
    return 2;
  }
  const double setup_s = std::chrono::duration<double>(Clock::now() - setup_start).count();

  // ---- The timed window ----
  std::vector<Tally> tallies(static_cast<std::size_t>(n));
  std::atomic<std::uint64_t> issued{0};
  std::atomic<int> lost_connections{0};
  std::latch go(n + 1);
  Clock::time_point start;
  Clock::time_point deadline;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      Connection& c = *conns[static_cast<std::size_t>(t)];
      Tally& tally = tallies[static_cast<std::size_t>(t)];
      std::mt19937_64 rng(static_cast<std::uint64_t>(t) * 7919 + o.account_base);
      std::uniform_int_distribution<int> pick(0, o.accounts - 1);
      std::uniform_int_distribution<std::int64_t> amount(1, o.max_amount);
      go.arrive_and_wait();
      try {
        for (std::uint64_t seq = 0; Clock::now() < deadline; ++seq) {
          if (o.count != 0 && issued.fetch_add(1) >= o.count) break;
          std::uint32_t msg = 0;
          std::uint32_t expected = 0;
          std::string payload;
          if (o.op == "register") {
            gamehost::auth::RegisterRequest req;
            req.set_username(username(o, t, seq));
            req.set_password(kPassword);
            msg = id::kRegister;
            expected = id::kLoginReply;
            payload = req.SerializeAsString();
          } else if (o.op == "login") {
            gamehost::auth::LoginRequest req;
            req.set_username(
                username(o, t, seq % static_cast<std::uint64_t>(o.users_per_connection)));
            req.set_password(kPassword);
            msg = id::kLogin;
            expected = id::kLoginReply;
            payload = req.SerializeAsString();
          } else {
            const int from = pick(rng);
            int to = pick(rng);
            while (to == from) to = pick(rng);
            gamehost::user::Transfer req;
            req.set_from_user_id(account(o, from));
            req.set_to_user_id(account(o, to));
            req.set_amount(amount(rng));
            req.set_reason("bench");
            req.set_idempotency_key("bench-tx:" + std::to_string(o.account_base) + ":" +
                                    std::to_string(t) + ":" + std::to_string(seq));
            msg = id::kProbe;
            expected = id::kProbeResult;
            payload.assign(1, static_cast<char>(gamehost::user::TRANSFER));
            payload += req.SerializeAsString();
          }
          const auto sent = Clock::now();
          const Frame f = c.call(msg, payload);
          const auto us =
              std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent).count();
          auto [kind, text] = check_reply(f, expected);
          if (kind.empty() && o.op == "transfer") {
            const int status = f.payload.empty() ? -1 : static_cast<unsigned char>(f.payload[0]);
            gamehost::user::TransferResult r;
            if (status != 0) {
              kind = "status " + std::to_string(status);
            } else if (!r.ParseFromArray(f.payload.data() + 1,
                                         static_cast<int>(f.payload.size() - 1))) {
              kind = "undecodable result";
            } else if (r.error() != 0) {
              kind = std::to_string(r.error());
            } else if (r.replayed()) {
              kind = "replayed";
            }
          }
          if (!kind.empty()) {
            tally.fail(kind, text);
            continue;
          }
          ++tally.ok;
          tally.latencies_us.push_back(
              static_cast<std::uint32_t>(std::min<long long>(us, UINT32_MAX)));
        }
      } catch (const std::exception& e) {
        tally.fail("lost connection", e.what());
        ++lost_connections;
      }
    });
  }
  CpuWatch server{o.server_pid, std::nullopt};
  CpuWatch db{o.db_pid, std::nullopt};
  server.start();
  db.start();
  const auto machine0 = machine_busy_ticks();
  const double cpu0 = self_cpu_seconds();
  start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(o.duration_s));
  go.arrive_and_wait();
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double client_cpu = 100.0 * (self_cpu_seconds() - cpu0) / elapsed;
  const double server_cpu = server.percent(elapsed);
  const double db_cpu = db.percent(elapsed);
  const auto machine1 = machine_busy_ticks();
  // -1 unless the host's CPU was measured (--server-pid).
  double other_cpu = -1;
  if (machine0 && machine1 && server_cpu >= 0) {
    const double machine = 100.0 * static_cast<double>(*machine1 - *machine0) /
                           static_cast<double>(sysconf(_SC_CLK_TCK)) / elapsed;
    other_cpu = std::max(0.0, machine - server_cpu - std::max(0.0, db_cpu) - client_cpu);
  }

  // ---- Results ----
  Tally all;
  for (auto& t : tallies) {
    all.ok += t.ok;
    all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
    for (const auto& [k, v] : t.failures) all.failures[k] += v;
    if (all.first_failure.empty()) all.first_failure = t.first_failure;
  }
  std::sort(all.latencies_us.begin(), all.latencies_us.end());
  std::uint64_t failed = 0;
  std::string failures;
  for (const auto& [k, v] : all.failures) {
    failed += v;
    failures += (failures.empty() ? "" : ",") + k + "=" + std::to_string(v);
  }

  // Transfers: only ERROR_INSUFFICIENT_COINS may refuse one, and no coin may appear or vanish.
  std::string check = "-";
  bool check_ok = true;
  if (o.op == "transfer") {
    for (const auto& [k, v] : all.failures) {
      if (k != std::to_string(kInsufficientCoins)) check_ok = false;
    }
    std::int64_t coins_after = -1;
    try {
      coins_after = coins_in_accounts(o, conns);
    } catch (const std::exception& e) {
      std::cerr << "gamehost_storage_bench: balance check: " << e.what() << "\n";
    }
    if (coins_after != coins_before) check_ok = false;
    check = check_ok ? "ok" : "FAILED";
    if (!o.json) {
      std::cout << "check: coins in the " << o.accounts << " accounts before " << coins_before
                << ", after " << coins_after << "; failures other than insufficient coins: "
                << (failed - (all.failures.count(std::to_string(kInsufficientCoins))
                                  ? all.failures[std::to_string(kInsufficientCoins)]
                                  : 0))
                << " -> " << check << "\n";
    }
  }

  const double rate = static_cast<double>(all.ok) / elapsed;
  const auto p50 = percentile(all.latencies_us, 0.50);
  const auto p99 = percentile(all.latencies_us, 0.99);
  const auto max = all.latencies_us.empty() ? 0u : all.latencies_us.back();
  char line[1024];
  if (o.json) {
    std::snprintf(
        line, sizeof line,
        "{\"op\":\"%s\",\"connections\":%d,\"ok\":%llu,\"failed\":%llu,\"failures\":\"%s\","
        "\"elapsed_s\":%.2f,\"setup_s\":%.2f,\"ops_per_s\":%.1f,\"p50_us\":%u,\"p99_us\":%u,"
        "\"max_us\":%u,\"server_cpu_pct\":%.0f,\"db_cpu_pct\":%.0f,\"client_cpu_pct\":%.0f,"
        "\"other_cpu_pct\":%.0f,"
        "\"lost_connections\":%d,\"check\":\"%s\"}\n",
        o.op.c_str(), n, static_cast<unsigned long long>(all.ok),
        static_cast<unsigned long long>(failed), failures.c_str(), elapsed, setup_s, rate, p50, p99,
        max, server_cpu, db_cpu, client_cpu, other_cpu, lost_connections.load(), check.c_str());
  } else {
    std::snprintf(
        line, sizeof line,
        "%s: %d connections, %.1f s (setup %.1f s): %llu ok, %.1f/s, latency p50 %u us, p99 %u us, "
        "max %u us; failed %llu%s%s; cpu %% server %.0f, db %.0f, client %.0f, other %.0f\n",
        o.op.c_str(), n, elapsed, setup_s, static_cast<unsigned long long>(all.ok), rate, p50, p99,
        max, static_cast<unsigned long long>(failed), failures.empty() ? "" : " ", failures.c_str(),
        server_cpu, db_cpu, client_cpu, other_cpu);
  }
  std::cout << line;
  if (!all.first_failure.empty()) std::cerr << "first failure: " << all.first_failure << "\n";
  if (!check_ok) return 4;
  return 0;
}
