// Limits from [limits]: each protects the host and tells the client why.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "integration/fixtures.hpp"

namespace gamehost::testing {
namespace {

namespace echo = gamehost::echo;

const std::string kEchoOnly =
    "[plugins]\nload = [\"echo\"]\n[plugins.echo]\nfile = \"" + plugin_path("echo") + "\"\n";

TEST(Limits, OverTheRateLimitMessagesAreRefusedNotQueued) {
  HostProcess host(kEchoOnly, "[limits]\nrate_limit_per_second = 1\nrate_limit_burst = 5\n");
  TcpClient c(host.tcp_port());
  for (int i = 0; i < 10; ++i) c.send(90000, echo_request(std::to_string(i)));
  int echoed = 0;
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    const auto f = c.recv();
    ASSERT_TRUE(f);
    if (f->msg_id == 90001) ++echoed;
    if (f->msg_id == 2 && f->as<wire::Error>().code() == GH_CODE_RATE_LIMITED) ++limited;
  }
  EXPECT_EQ(echoed, 5);  // the burst
  EXPECT_EQ(limited, 5);
}

TEST(Limits, ConnectionsOverThePerAddressLimitAreKickedWithTheReason) {
  HostProcess host(kEchoOnly, "[limits]\nmax_connections_per_ip = 2\n");
  TcpClient a(host.tcp_port());
  WsClient b(host.ws_port());
  TcpClient c(host.tcp_port(), /*read_hello=*/false);
  const auto kick = c.expect_kick();
  EXPECT_EQ(kick.code(), static_cast<std::uint32_t>(GH_CODE_SERVER_FULL));
  EXPECT_NE(kick.text().find("max_connections_per_ip"), std::string::npos);
  // Leaving frees the slot.
  a.send(90000, echo_request("bye"));
  a.expect(90001);
}

// Each connection is a file descriptor: at start the host raises its soft open-file limit
// to the hard one (a default of 1024 would refuse connections long before max_connections),
// and warns when max_connections does not fit even so. The host inherits this test's limits.
TEST(Limits, TheHostRaisesItsOpenFileLimitAndWarnsWhenMaxConnectionsDoesNotFit) {
  rlimit mine{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &mine), 0);
  if (mine.rlim_max == RLIM_INFINITY || mine.rlim_max < 4096 || mine.rlim_max >= 999'000)
    GTEST_SKIP() << "needs a finite hard open-file limit between 4096 and 999000";
  struct Restore {
    rlimit was;
    ~Restore() { ::setrlimit(RLIMIT_NOFILE, &was); }
  } restore{mine};
  rlimit low = mine;
  low.rlim_cur = 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  const auto hard = std::to_string(mine.rlim_max);
  const auto too_many = std::to_string(mine.rlim_max + 1);
  HostProcess fits(kEchoOnly, "[limits]\nmax_connections = 2000\n");
  HostProcess does_not(kEchoOnly, "[limits]\nmax_connections = " + too_many + "\n");
  const std::string raised = "open-file limit raised from 1024 to " + hard;
  const std::string warning = "max_connections = " + too_many + " needs about";
  for (int i = 0; i < 300 && (fits.log().find(raised) == std::string::npos ||
                              does_not.log().find(warning) == std::string::npos);
       ++i) {
    std::this_thread::sleep_for(10ms);  // the log is flushed every second
  }
  EXPECT_NE(fits.log().find(raised), std::string::npos) << fits.log();
  EXPECT_EQ(fits.log().find("needs about"), std::string::npos) << fits.log();
  EXPECT_NE(does_not.log().find(warning), std::string::npos) << does_not.log();
  // Both serve.
  TcpClient c(does_not.tcp_port());
  c.send(90000, echo_request("still here"));
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "still here");
}

TEST(Limits, ASlotIsFreedWhenAClientLeaves) {
  HostProcess host(kEchoOnly, "[limits]\nmax_connections = 1\n");
  { TcpClient first(host.tcp_port()); }
  for (int i = 0; i < 50; ++i) {
    try {
      TcpClient again(host.tcp_port());
      again.send(90000, echo_request("in"));
      again.expect(90001);
      return;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(20ms);  // the close is still being processed
    }
  }
  FAIL() << "the slot of a closed connection was never freed";
}

TEST(Limits, IdleClientIsKickedAndAHeartbeatingOneStays) {
  HostProcess host(kEchoOnly, "[limits]\nidle_timeout_ms = 1000\nheartbeat_interval_ms = 300\n");
  TcpClient idle(host.tcp_port());
  TcpClient alive(host.tcp_port());
  EXPECT_EQ(alive.hello.heartbeat_interval_ms(), 300u);
  for (int i = 0; i < 8; ++i) {
    alive.send(1, wire::Heartbeat{});
    alive.expect(1);
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_EQ(idle.expect_kick(2s).code(), static_cast<std::uint32_t>(GH_CODE_IDLE_TIMEOUT));
  alive.send(90000, echo_request("still"));
  alive.expect(90001);
}

TEST(Limits, ASessionThatDoesNotLogInIsClosedAtTheLoginDeadlineHeartbeatsNotwithstanding) {
  HostProcess host(
      "[plugins]\nload = [\"echo\", \"testlogin\"]\n[plugins.echo]\nfile = \"" +
          plugin_path("echo") + "\"\n[plugins.testlogin]\nfile = \"" +
          test_plugin_path("testlogin") + "\"\ncapabilities = [\"bind_user\"]\n",
      "[limits]\nlogin_timeout_ms = 1000\nidle_timeout_ms = 5000\nheartbeat_interval_ms = 200\n");
  TcpClient anonymous(host.tcp_port());
  WsClient player(host.ws_port());
  player.send(100200, u64le(7));  // testlogin binds user 7
  player.expect(100201);
  // The anonymous client heartbeats and even sends public messages: it is still closed.
  bool kicked = false;
  for (int i = 0; i < 12 && !kicked; ++i) {
    try {
      anonymous.send(1, wire::Heartbeat{});
      anonymous.send(90000, echo_request("anyone?"));
    } catch (const std::exception&) {
      // Kicked and closed between two reads: the Kick waits in the receive buffer.
    }
    while (auto f = anonymous.recv(200ms)) {
      if (f->msg_id == 3) {
        EXPECT_EQ(f->as<wire::Kick>().code(), static_cast<std::uint32_t>(GH_CODE_LOGIN_TIMEOUT));
        kicked = true;
        break;
      }
    }
    player.send(1, wire::Heartbeat{});
    player.expect(1);
  }
  EXPECT_TRUE(kicked) << "no login-timeout kick within 2.4 s";
  EXPECT_TRUE(anonymous.closed_within(1s));
  // The logged-in session stays, past the deadline.
  player.send(90000, echo_request("still here"));
  player.expect(90001);
}

TEST(Limits, ALoginTimeoutOfZeroLetsSessionsStayAnonymous) {
  HostProcess host(
      kEchoOnly,
      "[limits]\nlogin_timeout_ms = 0\nidle_timeout_ms = 5000\nheartbeat_interval_ms = 200\n");
  TcpClient anonymous(host.tcp_port());
  for (int i = 0; i < 6; ++i) {
    anonymous.send(90000, echo_request("fine"));
    anonymous.expect(90001);
    std::this_thread::sleep_for(250ms);
  }
}

// A TCP connection from `source` (a loopback address) to the port that never sends a byte.
int silent_socket(const char* source, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &from.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
    ::close(fd);
    return -1;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// How many of `fds` the host has closed (EOF or reset), without waiting.
int closed_by_host(const std::vector<int>& fds) {
  int closed = 0;
  for (const int fd : fds) {
    char byte = 0;
    const auto n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) ++closed;
  }
  return closed;
}

int open_fds(pid_t pid) {
  int n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++n;
  }
  return n;
}

TEST(Limits, SilentWebSocketSocketsHoldASlotOnlyUntilTheHandshakeDeadline) {
  HostProcess host(kEchoOnly,
                   "[limits]\nmax_connections_per_ip = 20\nhandshake_timeout_ms = 1000\n");
  const int baseline = open_fds(host.pid());
  std::vector<int> silent;
  for (int i = 0; i < 500; ++i) {
    const int fd = silent_socket("127.0.0.2", host.ws_port());
    ASSERT_GE(fd, 0) << "connect " << i << ": " << std::strerror(errno);
    silent.push_back(fd);
  }
  // Over the per-address limit they are refused and closed at once, not after a handshake.
  int closed = 0;
  for (int i = 0; i < 50 && closed < 480; ++i) {
    std::this_thread::sleep_for(20ms);
    closed = closed_by_host(silent);
  }
  EXPECT_GE(closed, 480);
  EXPECT_LT(closed, 500);  // the 20 admitted ones wait for their handshake...
  // ...while a client from another address connects and is served.
  WsClient player(host.ws_port());
  player.send(90000, echo_request("served"));
  player.expect(90001);
  EXPECT_LE(open_fds(host.pid()), baseline + 20 + 5);
  // At the deadline the admitted silent ones are closed too.
  for (int i = 0; i < 100 && closed < 500; ++i) {
    std::this_thread::sleep_for(20ms);
    closed = closed_by_host(silent);
  }
  EXPECT_EQ(closed, 500);
  for (const int fd : silent) ::close(fd);
  player.send(90000, echo_request("still served"));
  player.expect(90001);
}

// Handshake deadlines fire over and over while workers write replies: a descriptor the host
// closes is never written afterwards, so no reply reaches a silent socket that took over its
// number, and every client gets exactly its own replies, in order. (Before, Beast's own
// handshake timer closed the socket behind the workers' write path.)
TEST(Limits, RepliesNeverReachAnotherSocketWhileHandshakeDeadlinesCloseSilentOnes) {
  HostProcess host(kEchoOnly,
                   "[limits]\nmax_connections_per_ip = 1000\nhandshake_timeout_ms = 100\n"
                   "rate_limit_per_second = 1000000\nrate_limit_burst = 1000000\n");
  std::vector<std::unique_ptr<WsClient>> players;
  for (int c = 0; c < 4; ++c) players.push_back(std::make_unique<WsClient>(host.ws_port()));
  std::vector<int> silent;
  int sent = 0;
  const auto until = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 20; ++i) {
      const int fd = silent_socket("127.0.0.3", host.ws_port());
      ASSERT_GE(fd, 0) << std::strerror(errno);
      silent.push_back(fd);
    }
    for (int c = 0; c < 4; ++c) {
      for (int k = 0; k < 10; ++k) {
        players[c]->send(90000, echo_request("c" + std::to_string(c) + "-" + std::to_string(sent + k)));
      }
    }
    for (int c = 0; c < 4; ++c) {
      for (int k = 0; k < 10; ++k) {
        const auto reply = players[c]->expect(90001).as<echo::EchoReply>();
        ASSERT_EQ(reply.data(), "c" + std::to_string(c) + "-" + std::to_string(sent + k));
      }
    }
    sent += 10;
  }
  // Every silent socket is closed at its deadline having received nothing at all.
  std::this_thread::sleep_for(300ms);
  int closed_empty = 0;
  for (const int fd : silent) {
    char byte = 0;
    const auto n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
    EXPECT_LE(n, 0) << "a silent socket received bytes";
    if (n == 0) ++closed_empty;
    ::close(fd);
  }
  EXPECT_EQ(closed_empty, static_cast<int>(silent.size()));
}

TEST(Limits, ASessionJoinsAtMostMaxGroupsPerSessionGroups) {
  HostProcess host(kEchoOnly, "[limits]\nmax_groups_per_session = 3\n");
  TcpClient c(host.tcp_port());
  echo::JoinGroup join;
  for (int i = 0; i < 3; ++i) {
    join.set_group("g" + std::to_string(i));
    c.send(90002, join);
    c.expect(90003);
  }
  join.set_group("g0");  // one it is in already: fine
  c.send(90002, join);
  c.expect(90003);
  join.set_group("g3");
  c.send(90002, join);
  const auto refused = c.expect_error(90002);
  EXPECT_EQ(refused.code(), static_cast<std::uint32_t>(GH_CODE_BUSY));
  EXPECT_NE(refused.text().find("too many groups"), std::string::npos) << refused.text();
  // Another session is not limited by this one's groups.
  TcpClient d(host.tcp_port());
  d.send(90002, join);
  d.expect(90003);
}

// Sends far more big echo requests than the socket buffers hold and never reads: the host
// must close the client as a slow reader and go on serving others.
void expect_closed_as_slow_reader(HostProcess& host, Client& slow) {
  const auto big = echo_request(std::string(60000, 'x'));
  // ~60 MB of replies: far more than the socket buffers hold, so the send queue fills.
  for (int i = 0; i < 1000; ++i) {
    try {
      slow.send(90000, big);
    } catch (const std::exception&) {
      break;  // the host closed us already
    }
  }
  // What arrives is echo replies, then perhaps the kick notice (it is best effort: the
  // client was not reading), then the end of the connection.
  std::optional<Frame> last;
  while (auto f = slow.recv(5s)) {
    ASSERT_TRUE(f->msg_id == 90001 || f->msg_id == 3) << "unexpected id " << f->msg_id;
    if (f->msg_id == 3)
      EXPECT_EQ(f->as<wire::Kick>().code(), static_cast<std::uint32_t>(GH_CODE_SLOW_READER));
    last = f;
  }
  EXPECT_TRUE(slow.closed_within(1s));
  EXPECT_NE(host.log().find("kicked: code 9 send queue full"), std::string::npos) << host.log();
  TcpClient other(host.tcp_port());  // the host itself is fine
  other.send(90000, echo_request("ok"));
  other.expect(90001);
}

TEST(Limits, AClientThatDoesNotReadIsClosedAsASlowReader) {
  HostProcess host(kEchoOnly,
                   "[limits]\nsend_queue_frames = 8\nrate_limit_per_second = 1000000\n"
                   "rate_limit_burst = 1000000\n");
  TcpClient slow(host.tcp_port());
  expect_closed_as_slow_reader(host, slow);
}

// WebSocket replies gather under Beast before they reach the socket (one write per batch):
// that buffer is bounded too, so a WebSocket client that does not read fills its send queue
// and is closed like a TCP one, instead of the host's memory growing.
TEST(Limits, AWebSocketClientThatDoesNotReadIsClosedAsASlowReader) {
  HostProcess host(kEchoOnly,
                   "[limits]\nsend_queue_frames = 8\nrate_limit_per_second = 1000000\n"
                   "rate_limit_burst = 1000000\n");
  WsClient slow(host.ws_port());
  expect_closed_as_slow_reader(host, slow);
}

// The send queue is bounded in bytes as well as in frames: large replies to a client that
// does not read fill send_queue_bytes long before a million frames.
TEST(Limits, ASendQueueFullOfBytesClosesTheSlowReaderBeforeItsFrameLimit) {
  HostProcess host(kEchoOnly,
                   "[limits]\nsend_queue_frames = 1000000\nsend_queue_bytes = 262144\n"
                   "rate_limit_per_second = 1000000\nrate_limit_burst = 1000000\n");
  TcpClient slow(host.tcp_port());
  expect_closed_as_slow_reader(host, slow);
}

}  // namespace
}  // namespace gamehost::testing
