// Storage, auth and user through the real binary over TCP, on an SQLite file and on a real
// MariaDB server (scripts/test starts one and sets GAMEHOST_TEST_MYSQL_URL; without it the
// MariaDB half is skipped, unless GAMEHOST_REQUIRE_MYSQL is set, when it fails).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "auth.pb.h"
#include "echo.pb.h"
#include "storage/database.hpp"
#include "support/clients.hpp"
#include "support/databases.hpp"
#include "support/host_process.hpp"
#include "user.pb.h"

namespace gamehost::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace id {
constexpr std::uint32_t kRegister = 1000, kLoginReply = 1001, kLogin = 1002, kGuest = 1004,
                        kTokenLogin = 1006, kLogout = 1010, kLogoutReply = 1011, kBind = 1012,
                        kBindReply = 1013;
constexpr std::uint32_t kGetProfile = 1100, kProfile = 1101, kUpdateProfile = 1102,
                        kProfileUpdated = 1103, kGetPublic = 1104, kPublic = 1105,
                        kGetBalance = 1106, kBalance = 1107;
constexpr std::uint32_t kCoinForward = 100900, kCoinResult = 100901;
}  // namespace id

std::string source_migrations() {
  return std::string(GAMEHOST_SOURCE_DIR) + "/migrations";
}

// The database a test suite runs on: a fresh SQLite file, or the MariaDB test server with
// this project's tables dropped.
struct Backend {
  std::string name;
  std::string url;  // for [storage] url
};

// argon2_mem_kib: the cost of a password hash (8 KiB: as cheap as libsodium allows).
std::string plugins_toml(const std::string& url, const std::string& migrations,
                         const std::string& extra_auth = "", int argon2_mem_kib = 8) {
  return "[storage]\nurl = \"" + url + "\"\nmigrations_dir = \"" + migrations +
         "\"\nbusy_timeout_ms = 300\nquery_timeout_ms = 1000\nacquire_timeout_ms = 1000\n"
         "[plugins]\nrequired = true\nload = [\"auth\", \"user\", \"coinprobe\", \"echo\"]\n"
         "[plugins.auth]\nfile = \"" +
         plugin_path("auth") +
         "\"\ncapabilities = [\"bind_user\"]\n"
         "[plugins.auth.settings]\nargon2_ops_limit = 1\nargon2_mem_limit_kib = " +
         std::to_string(argon2_mem_kib) + "\n" + extra_auth + "[plugins.user]\nfile = \"" +
         plugin_path("user") +
         "\"\n"
         "[plugins.user.settings]\nstarting_coins = 100\n"
         "[plugins.coinprobe]\nfile = \"" +
         test_plugin_path("coinprobe") +
         "\"\n"
         "[plugins.echo]\nfile = \"" +
         plugin_path("echo") + "\"\n";
}

class StorageSuite : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mysql") {
      if (mysql_url() == nullptr) {
        if (std::getenv("GAMEHOST_REQUIRE_MYSQL") != nullptr)
          FAIL() << "GAMEHOST_TEST_MYSQL_URL is not set";
        GTEST_SKIP() << "no MariaDB (scripts/test starts one and sets GAMEHOST_TEST_MYSQL_URL)";
      }
      url_ = mysql_url();
    } else {
      url_ = "sqlite:" + db_dir_.str() + "/game.db";
    }
    drop_project_tables(url_);
  }

  std::unique_ptr<HostProcess> start(const std::string& migrations = source_migrations(),
                                     const std::string& extra_auth = "", int argon2_mem_kib = 8) {
    return std::make_unique<HostProcess>(
        plugins_toml(url_, migrations, extra_auth, argon2_mem_kib));
  }
  std::int64_t sql(const std::string& query) { return query_int(url_, query); }

  TempDir db_dir_;
  std::string url_;
};

auth::LoginReply register_user(Client& c, const std::string& name,
                               const std::string& password = "secret123") {
  auth::RegisterRequest r;
  r.set_username(name);
  r.set_password(password);
  c.send(id::kRegister, r);
  return c.expect(id::kLoginReply, 10s).as<auth::LoginReply>();
}

auth::LoginReply login(Client& c, const std::string& name,
                       const std::string& password = "secret123") {
  auth::LoginRequest r;
  r.set_username(name);
  r.set_password(password);
  c.send(id::kLogin, r);
  return c.expect(id::kLoginReply, 10s).as<auth::LoginReply>();
}

std::uint32_t error_of(Client& c, std::uint32_t request_id,
                       const google::protobuf::MessageLite& m) {
  c.send(request_id, m);
  return c.expect_error(request_id, 10s).code();
}

// A coin call through the coinprobe plugin, as another plugin makes it.
struct CallAnswer {
  std::uint32_t status = 0;
  std::string bytes;
};
CallAnswer coin_call(Client& c, user::Method method, const google::protobuf::MessageLite& request) {
  c.send(id::kCoinForward, std::string(1, static_cast<char>(method)) + request.SerializeAsString());
  const auto frame = c.expect(id::kCoinResult, 15s);
  return {static_cast<std::uint8_t>(frame.payload.at(0)), frame.payload.substr(1)};
}
user::CoinResult coin_change(Client& c, user::Method method, std::uint64_t user,
                             std::int64_t amount, const std::string& key) {
  user::CoinChange change;
  change.set_user_id(user);
  change.set_amount(amount);
  change.set_reason("test");
  change.set_reference("integration");
  change.set_idempotency_key(key);
  const auto answer = coin_call(c, method, change);
  EXPECT_EQ(answer.status, GH_OK);
  user::CoinResult result;
  result.ParseFromString(answer.bytes);
  return result;
}

TEST_P(StorageSuite, RegisterLoginProfileAndEveryAuthError) {
  auto host = start();
  TcpClient alice(host->tcp_port());
  const auto reg = register_user(alice, "alice");
  EXPECT_NE(reg.user_id(), 0u);
  EXPECT_FALSE(reg.token().empty());
  EXPECT_EQ(reg.username(), "alice");

  // The user plugin sees the login: a profile with the starting coins.
  alice.send(id::kGetProfile, user::GetProfile{});
  const auto profile = alice.expect(id::kProfile, 10s).as<user::Profile>();
  EXPECT_EQ(profile.user_id(), reg.user_id());
  EXPECT_EQ(profile.level(), 1);
  EXPECT_EQ(profile.coins(), 100);
  user::UpdateProfile update;
  update.set_nickname("Alice");
  alice.send(id::kUpdateProfile, update);
  EXPECT_EQ(alice.expect(id::kProfileUpdated, 10s).as<user::Profile>().nickname(), "Alice");

  TcpClient stranger(host->tcp_port());
  // Not logged in: the host refuses the user plugin's ids.
  EXPECT_EQ(error_of(stranger, id::kGetProfile, user::GetProfile{}), GH_CODE_NOT_AUTHENTICATED);
  auth::RegisterRequest r;
  r.set_username("ALICE");
  r.set_password("secret123");
  EXPECT_EQ(error_of(stranger, id::kRegister, r), 1082u);  // name taken, case-insensitively
  r.set_username("bob");
  r.set_password("short");
  EXPECT_EQ(error_of(stranger, id::kRegister, r), 1081u);  // weak password
  r.set_username("b!");
  r.set_password("secret123");
  EXPECT_EQ(error_of(stranger, id::kRegister, r), 1080u);  // invalid name
  auth::LoginRequest l;
  l.set_username("nobody");
  l.set_password("secret123");
  EXPECT_EQ(error_of(stranger, id::kLogin, l), 1083u);  // unknown user
  l.set_username("alice");
  l.set_password("wrong-pass1");
  EXPECT_EQ(error_of(stranger, id::kLogin, l), 1084u);  // wrong password
  auth::TokenLoginRequest t;
  t.set_token(reg.token().substr(0, reg.token().size() - 2) + "xx");
  EXPECT_EQ(error_of(stranger, id::kTokenLogin, t), 1085u);  // tampered token

  // Another player sees alice's public profile, not her coins.
  const auto bob = register_user(stranger, "bob");
  user::GetPublicProfile ask;
  ask.set_user_id(reg.user_id());
  stranger.send(id::kGetPublic, ask);
  const auto pub = stranger.expect(id::kPublic, 10s).as<user::PublicProfile>();
  EXPECT_EQ(pub.nickname(), "Alice");
  EXPECT_NE(bob.user_id(), reg.user_id());

  // The password is stored as an argon2id hash.
  EXPECT_EQ(sql("SELECT COUNT(*) FROM auth_accounts WHERE password_hash LIKE '$argon2id$%'"), 2);
  // Ids are snowflakes: node 1 (the default) in bits 12-21, a time after 2020.
  EXPECT_EQ((reg.user_id() >> 12) & 1023, 1u);
  EXPECT_GT(reg.user_id() >> 22, 0u);
}

TEST_P(StorageSuite, TokenReconnectLogoutRevokesAndSecondLoginKicksTheFirst) {
  auto host = start();
  std::string token;
  {
    TcpClient first(host->tcp_port());
    token = register_user(first, "carol").token();
  }  // the player's connection drops
  TcpClient again(host->tcp_port());
  auth::TokenLoginRequest t;
  t.set_token(token);
  again.send(id::kTokenLogin, t);
  const auto back = again.expect(id::kLoginReply, 10s).as<auth::LoginReply>();
  EXPECT_EQ(back.username(), "carol");

  // A second login of carol elsewhere kicks this session with a kick notice.
  TcpClient elsewhere(host->tcp_port());
  login(elsewhere, "carol");
  EXPECT_EQ(again.expect_kick(10s).code(), 1092u);

  // Logout revokes the token: a reconnect with it is refused.
  elsewhere.send(id::kLogout, auth::LogoutRequest{});
  elsewhere.expect(id::kLogoutReply, 10s);
  EXPECT_EQ(error_of(elsewhere, id::kGetProfile, user::GetProfile{}), GH_CODE_NOT_AUTHENTICATED);
  TcpClient later(host->tcp_port());
  const auto fresh = login(later, "carol");
  later.send(id::kLogout, auth::LogoutRequest{});
  later.expect(id::kLogoutReply, 10s);
  TcpClient thief(host->tcp_port());
  t.set_token(fresh.token());
  EXPECT_EQ(error_of(thief, id::kTokenLogin, t), 1087u);
}

TEST_P(StorageSuite, GuestLoginThenBindCredentials) {
  auto host = start();
  TcpClient phone(host->tcp_port());
  auth::GuestLoginRequest g;
  g.set_device_id("device-1234-abcdef");
  phone.send(id::kGuest, g);
  const auto guest = phone.expect(id::kLoginReply, 10s).as<auth::LoginReply>();
  EXPECT_TRUE(guest.guest());
  auth::BindCredentialsRequest b;
  b.set_username("dave");
  b.set_password("secret123");
  phone.send(id::kBind, b);
  EXPECT_EQ(phone.expect(id::kBindReply, 10s).as<auth::BindCredentialsReply>().user_id(),
            guest.user_id());
  TcpClient laptop(host->tcp_port());
  EXPECT_EQ(login(laptop, "dave").user_id(), guest.user_id());
}

// One session pipelines 100 requests to user and auth without waiting for any reply; each
// needs database work run off the plugin's queue, and each login a password hash (8 MiB
// here, some milliseconds). (SDK 1.2's auth, with logins and logouts on different keyed
// lanes, answered the logouts first.) Every one is answered, and each plugin answers in the order
// the requests were sent: every profile read sees the nickname written just before it,
// logins, failed logins and logouts come back in turn, and the session ends logged out.
TEST_P(StorageSuite, PipelinedLoginLogoutAndProfileRequestsOfOneSessionAnswerInOrder) {
  auto host = start(source_migrations(),
                    "max_failures_per_account = 1000\nmax_failures_per_address = 1000\n", 8192);
  TcpClient c(host->tcp_port());
  const auto bob = register_user(c, "bob");

  constexpr int kRequests = 100;
  std::vector<std::string> expected_auth;  // "login", "wrong", "logout"
  std::vector<std::string> expected_user;  // "updated:<nick>", "profile:<nick>"
  std::string nickname;
  // First 50 to user, while logged in (the host routes them before any logout runs)...
  for (int i = 0; i < kRequests / 2; ++i) {
    if (i % 2 == 0) {
      nickname = "nick" + std::to_string(i);
      user::UpdateProfile update;
      update.set_nickname(nickname);
      c.send(id::kUpdateProfile, update);
      expected_user.push_back("updated:" + nickname);
    } else {
      c.send(id::kGetProfile, user::GetProfile{});
      expected_user.push_back("profile:" + nickname);
    }
  }
  // ...then 50 to auth: login, logout, failed login, login, logout, ...
  for (int i = 0; i < kRequests / 2; ++i) {
    auth::LoginRequest l;
    l.set_username("bob");
    switch (i % 3) {
      case 0:
        l.set_password("secret123");
        c.send(id::kLogin, l);
        expected_auth.push_back("login");
        break;
      case 1:
        c.send(id::kLogout, auth::LogoutRequest{});
        expected_auth.push_back("logout");
        break;
      default:
        l.set_password("wrong-pass1");
        c.send(id::kLogin, l);
        expected_auth.push_back("wrong");
        break;
    }
  }
  ASSERT_EQ(expected_auth.back(), "logout");

  std::vector<std::string> got_auth, got_user;
  for (int i = 0; i < kRequests; ++i) {
    const auto frame = c.recv(30s);
    ASSERT_TRUE(frame.has_value()) << "answer " << i << " of " << kRequests << " missing";
    switch (frame->msg_id) {
      case id::kLoginReply:
        EXPECT_EQ(frame->as<auth::LoginReply>().user_id(), bob.user_id());
        got_auth.push_back("login");
        break;
      case id::kLogoutReply:
        got_auth.push_back("logout");
        break;
      case id::kProfileUpdated:
        got_user.push_back("updated:" + frame->as<user::UpdateProfileReply>().nickname());
        break;
      case id::kProfile:
        got_user.push_back("profile:" + frame->as<user::Profile>().nickname());
        break;
      case 2: {  // an Error frame
        const auto e = frame->as<wire::Error>();
        EXPECT_EQ(e.request_id(), id::kLogin) << e.text();
        EXPECT_EQ(e.code(), 1084u) << e.text();
        got_auth.push_back("wrong");
        break;
      }
      default:
        ADD_FAILURE() << "unexpected frame " << frame->msg_id;
    }
  }
  EXPECT_EQ(got_auth, expected_auth);
  EXPECT_EQ(got_user, expected_user);
  // The last request logged the session out.
  EXPECT_EQ(error_of(c, id::kGetProfile, user::GetProfile{}), GH_CODE_NOT_AUTHENTICATED);
}

// A client flooding guest logins (an account each) is refused once its address has used
// its share; every refusal is 1088 and the host keeps serving.
TEST_P(StorageSuite, GuestLoginFloodFromOneAddressIsRefused) {
  auto host = start(source_migrations(), "max_guest_logins_per_address = 4\n");
  int accepted = 0;
  int refused = 0;
  for (int i = 0; i < 8; ++i) {
    TcpClient c(host->tcp_port());
    auth::GuestLoginRequest g;
    g.set_device_id("flood-device-" + std::to_string(100000 + i));
    c.send(id::kGuest, g);
    const auto reply = c.recv(10s);
    ASSERT_TRUE(reply.has_value());
    if (reply->msg_id == id::kLoginReply) {
      ++accepted;
    } else {
      ASSERT_EQ(reply->msg_id, 2u);
      EXPECT_EQ(reply->as<wire::Error>().code(), 1088u);
      ++refused;
    }
  }
  EXPECT_EQ(accepted, 4);
  EXPECT_EQ(refused, 4);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM auth_accounts"), 4);
}

TEST_P(StorageSuite, FailedLoginsAreRateLimitedPerAccount) {
  auto host = start();
  TcpClient c(host->tcp_port());
  register_user(c, "erin");
  auth::LoginRequest l;
  l.set_username("erin");
  l.set_password("wrong-pass1");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(error_of(c, id::kLogin, l), 1084u);
  l.set_password("secret123");  // even the right password, while locked out
  EXPECT_EQ(error_of(c, id::kLogin, l), 1088u);
}

// The issue's figure: 200 concurrent debits on one account from many sessions.
TEST_P(StorageSuite, TwoHundredConcurrentDebitsNeverGoBelowZero) {
  auto host = start();
  TcpClient owner(host->tcp_port());
  const auto account = register_user(owner, "frank").user_id();
  owner.send(id::kGetBalance, user::GetBalance{});
  ASSERT_EQ(owner.expect(id::kBalance, 10s).as<user::Balance>().coins(), 100);
  ASSERT_EQ(coin_change(owner, user::CREDIT, account, 50, "seed").error(), 0u);  // 150 coins

  std::atomic<int> done{0}, insufficient{0}, other{0};
  std::vector<std::thread> sessions;
  sessions.reserve(20);
  for (int s = 0; s < 20; ++s) {
    sessions.emplace_back([&, s] {
      TcpClient c(host->tcp_port());
      // Each session pipelines its 10 debits: 200 in flight at once across the host.
      for (int i = 0; i < 10; ++i) {
        user::CoinChange change;
        change.set_user_id(account);
        change.set_amount(1);
        change.set_reason("shop");
        change.set_idempotency_key("debit-" + std::to_string(s) + "-" + std::to_string(i));
        c.send(id::kCoinForward,
               std::string(1, static_cast<char>(user::DEBIT)) + change.SerializeAsString());
      }
      for (int i = 0; i < 10; ++i) {
        const auto frame = c.expect(id::kCoinResult, 30s);
        user::CoinResult r;
        r.ParseFromString(frame.payload.substr(1));
        if (frame.payload[0] == GH_OK && r.error() == 0) {
          ++done;
        } else if (frame.payload[0] == GH_OK && r.error() == user::ERROR_INSUFFICIENT_COINS) {
          ++insufficient;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : sessions) t.join();
  EXPECT_EQ(done.load(), 150);
  EXPECT_EQ(insufficient.load(), 50);
  EXPECT_EQ(other.load(), 0);
  const auto uid = std::to_string(account);
  EXPECT_EQ(sql("SELECT balance FROM user_coins WHERE user_id = " + uid), 0);
  EXPECT_EQ(sql("SELECT SUM(amount) FROM user_ledger WHERE user_id = " + uid), 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM user_ledger WHERE user_id = " + uid), 2 + 150);
}

// kill -9 in the middle of a burst of coin changes; after a restart, every client retries
// every request it sent (it cannot know which ones landed): each key applies exactly once.
TEST_P(StorageSuite, KillNineDuringABurstLosesAndDoublesNothing) {
  std::uint64_t account = 0;
  constexpr int kClients = 8;
  constexpr int kPerClient = 60;
  const auto key = [](int c, int i) {
    return "burst-" + std::to_string(c) + "-" + std::to_string(i);
  };
  const auto amount = [](int c, int i) { return (c + i) % 3 == 0 ? -1 : 2; };  // debits and credits
  {
    auto host = start();
    TcpClient owner(host->tcp_port());
    account = register_user(owner, "grace").user_id();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    clients.reserve(kClients);
    std::atomic<int> answered{0};
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        try {
          TcpClient client(host->tcp_port());
          for (int i = 0; i < kPerClient && !stop; ++i) {
            user::CoinChange change;
            change.set_user_id(account);
            change.set_amount(std::abs(amount(c, i)));
            change.set_reason("burst");
            change.set_idempotency_key(key(c, i));
            const auto method = amount(c, i) < 0 ? user::DEBIT : user::CREDIT;
            client.send(id::kCoinForward,
                        std::string(1, static_cast<char>(method)) + change.SerializeAsString());
            if (client.recv(3s)) ++answered;
          }
        } catch (const std::exception&) {
          // the host died under us: expected
        }
      });
    }
    while (answered < kClients * kPerClient / 3) std::this_thread::sleep_for(1ms);
    ::kill(host->pid(), SIGKILL);
    stop = true;
    for (auto& t : clients) t.join();
    host->wait_exit(5s);
  }
  const auto uid = std::to_string(account);
  const auto applied_before =
      sql("SELECT COUNT(*) FROM user_coin_requests WHERE idempotency_key LIKE 'burst-%'");
  EXPECT_GT(applied_before, 0);
  EXPECT_LT(applied_before, kClients * kPerClient);  // the kill did land mid-burst
  // The database is consistent right after the crash, before anything repairs it.
  EXPECT_EQ(sql("SELECT balance FROM user_coins WHERE user_id = " + uid),
            sql("SELECT SUM(amount) FROM user_ledger WHERE user_id = " + uid));

  auto host = start();
  TcpClient retry(host->tcp_port());
  int replayed = 0;
  for (int c = 0; c < kClients; ++c) {
    for (int i = 0; i < kPerClient; ++i) {
      const auto r = coin_change(retry, amount(c, i) < 0 ? user::DEBIT : user::CREDIT, account,
                                 std::abs(amount(c, i)), key(c, i));
      EXPECT_TRUE(r.error() == 0 || r.error() == user::ERROR_INSUFFICIENT_COINS) << r.error();
      if (r.replayed()) ++replayed;
    }
  }
  EXPECT_EQ(replayed, applied_before);  // what landed before the kill is not applied again
  EXPECT_EQ(sql("SELECT COUNT(*) FROM user_ledger WHERE user_id = " + uid +
                " AND idempotency_key LIKE 'burst-%'"),
            sql("SELECT COUNT(DISTINCT idempotency_key) FROM user_ledger WHERE user_id = " + uid +
                " AND idempotency_key LIKE 'burst-%'"));
  EXPECT_EQ(sql("SELECT balance FROM user_coins WHERE user_id = " + uid),
            sql("SELECT SUM(amount) FROM user_ledger WHERE user_id = " + uid));
}

TEST_P(StorageSuite, ChangedMigrationRefusesStartAndFailingOneIsRolledBack) {
  // A private copy of the migrations the host applies, to edit afterwards.
  const auto migrations = db_dir_.str() + "/migrations";
  fs::copy(source_migrations(), migrations, fs::copy_options::recursive);
  { auto host = start(migrations); }

  // An operator edits an applied migration: the host refuses to start, naming it.
  const std::string applied_file = std::string("/user/0001_profiles_and_coins") +
                                   (GetParam() == "mysql" ? ".mysql.sql" : ".sql");
  { std::ofstream(migrations + applied_file, std::ios::app) << "\n-- edited\n"; }
  auto refused = HostProcess::with_config(
      HostProcess::config_text(db_dir_, plugins_toml(url_, migrations), ""));
  EXPECT_EQ(refused.wait_exit(20s), 3);
  EXPECT_NE(refused.log().find(applied_file + " was changed after it was applied"),
            std::string::npos)
      << refused.log();

  // Restore it, and add a migration whose third statement fails: rolled back, reported.
  fs::copy_file(source_migrations() + applied_file, migrations + applied_file,
                fs::copy_options::overwrite_existing);
  std::ofstream(migrations + "/user/0002_broken.sql")
      << "INSERT INTO user_profiles (user_id, nickname, avatar, level, experience, created_at_ms) "
         "VALUES (1, 'x', '', 1, 0, 0);\n"
         "INSERT INTO user_profiles (user_id, nickname, avatar, level, experience, created_at_ms) "
         "VALUES (2, 'y', '', 1, 0, 0);\n"
         "INSERT INTO no_such_table VALUES (3);\n";
  auto failing = HostProcess::with_config(
      HostProcess::config_text(db_dir_, plugins_toml(url_, migrations), ""));
  EXPECT_EQ(failing.wait_exit(20s), 3);
  const auto log = failing.log();
  EXPECT_NE(log.find("0002_broken.sql: statement 3"), std::string::npos) << log;
  EXPECT_NE(log.find("rolled back"), std::string::npos) << log;
  EXPECT_EQ(sql("SELECT COUNT(*) FROM user_profiles WHERE user_id IN (1, 2)"), 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM gamehost_migrations WHERE name = '0002_broken.sql'"), 0);
  // The host leaves no private plugin copy behind: not the refused plugin's, not the others'.
  const auto copies = db_dir_.path() / "data" / "run" / "plugins";
  ASSERT_TRUE(fs::exists(copies));
  for (const auto& f : fs::directory_iterator(copies)) ADD_FAILURE() << "left behind: " << f.path();
}

TEST_P(StorageSuite, LockedDatabaseGivesAnErrorReplyNotAHungHost) {
  auto host = start();
  TcpClient hank(host->tcp_port());
  register_user(hank, "hank");
  {
    // Another program holds a write lock on the table the user plugin writes.
    storage::DatabaseSettings settings;
    settings.url = storage::parse_storage_url(url_, "/tmp");
    storage::Database db(settings);
    auto lease = db.acquire(5s);
    auto& c = lease->connection();
    if (settings.url.dialect == storage::Dialect::mysql) {
      c.execute("LOCK TABLES user_profiles WRITE");
    } else {
      c.execute("BEGIN EXCLUSIVE");
    }
    user::UpdateProfile update;
    update.set_nickname("Hank");
    const auto start_time = std::chrono::steady_clock::now();
    hank.send(id::kUpdateProfile, update);
    EXPECT_EQ(hank.expect_error(id::kUpdateProfile, 15s).code(), GH_CODE_STORAGE_UNAVAILABLE);
    EXPECT_LT(std::chrono::steady_clock::now() - start_time, 10s);
    // Meanwhile the host serves everything else.
    TcpClient other(host->tcp_port());
    gamehost::echo::EchoRequest echo_request;
    echo_request.set_data("still here");
    other.send(90000, echo_request);
    EXPECT_EQ(other.expect(90001).as<gamehost::echo::EchoReply>().data(), "still here");
    if (settings.url.dialect == storage::Dialect::mysql) {
      c.execute("UNLOCK TABLES");
    } else {
      c.execute("ROLLBACK");
    }
  }
  // The lock is gone: the same request now works.
  user::UpdateProfile update;
  update.set_nickname("Hank");
  hank.send(id::kUpdateProfile, update);
  EXPECT_EQ(hank.expect(id::kProfileUpdated, 15s).as<user::Profile>().nickname(), "Hank");
  // Operators see it in the metrics: the error code, and the user plugin's statements.
  const auto metrics = http_get(host->admin_port(), "/metrics");
  EXPECT_NE(metrics.find("gamehost_errors_total{code=\"15\",name=\"storage_unavailable\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("gamehost_plugin_db_failures_total{plugin=\"user\"}"), std::string::npos);
  EXPECT_EQ(metrics.find("gamehost_plugin_db_statements_total{plugin=\"auth\"} 0\n"),
            std::string::npos);
}

// A live reload applies the new build's migrations before the swap; a failing one refuses
// the reload and the running build serves on. Players stay connected throughout.
TEST_P(StorageSuite, LiveReloadAppliesNewMigrationsOrRefusesAFailingOne) {
  const auto migrations = db_dir_.str() + "/migrations";
  fs::copy(source_migrations(), migrations, fs::copy_options::recursive);
  auto host = start(migrations);
  TcpClient ivy(host->tcp_port());
  register_user(ivy, "ivy");
  const auto reload = [&] {
    const auto cmd =
        std::string(GAMEHOSTCTL_BINARY) + " --config " + host->config_path() + " reload user 2>&1";
    return std::system(cmd.c_str());
  };

  std::ofstream(migrations + "/user/0002_titles.sql")
      << "CREATE TABLE user_titles (user_id BIGINT NOT NULL PRIMARY KEY, title VARCHAR(32) NOT "
         "NULL);\n";
  EXPECT_EQ(reload(), 0) << host->log();
  EXPECT_EQ(sql("SELECT COUNT(*) FROM gamehost_migrations WHERE name = '0002_titles.sql'"), 1);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM user_titles"), 0);  // the table exists
  ivy.send(id::kGetProfile, user::GetProfile{});
  EXPECT_EQ(ivy.expect(id::kProfile, 10s).as<user::Profile>().coins(), 100);

  std::ofstream(migrations + "/user/0003_broken.sql") << "INSERT INTO no_such_table VALUES (1);\n";
  EXPECT_NE(reload(), 0);
  EXPECT_NE(host->log().find("0003_broken.sql: statement 1"), std::string::npos) << host->log();
  ivy.send(id::kGetBalance, user::GetBalance{});
  EXPECT_EQ(ivy.expect(id::kBalance, 10s).as<user::Balance>().coins(),
            100);  // the old build serves on
}

INSTANTIATE_TEST_SUITE_P(Databases, StorageSuite, ::testing::Values("sqlite", "mysql"),
                         [](const auto& info) { return info.param; });

struct CommandRun {
  int exit_code;
  std::string output;
};
CommandRun run_command(const std::string& command) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  while (const auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// The operator's view of migrations, without starting the host.
TEST(StorageStartup, MigrateCommandShowsDryRunsAppliesAndFlagsChangedFiles) {
  TempDir dir;
  const auto migrations = dir.str() + "/migrations";
  fs::copy(source_migrations(), migrations, fs::copy_options::recursive);
  const auto config = dir.str() + "/gamehost.toml";
  std::ofstream(config) << HostProcess::config_text(
      dir, plugins_toml("sqlite:" + dir.str() + "/g.db", migrations), "");
  const auto migrate = std::string(GAMEHOST_BINARY) + " --config " + config + " migrate";

  auto run = run_command(migrate + " --status");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("0001_accounts.sql"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("pending"), std::string::npos) << run.output;
  run = run_command(migrate + " --dry-run");
  EXPECT_NE(run.output.find("would apply"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("CREATE TABLE auth_accounts"), std::string::npos) << run.output;
  EXPECT_EQ(run_command(migrate + " --status").output.find("applied "),
            std::string::npos);  // dry: nothing applied

  run = run_command(migrate);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("applied user/0001_profiles_and_coins.sql"), std::string::npos)
      << run.output;
  run = run_command(migrate + " --status");
  EXPECT_EQ(run.output.find("pending"), std::string::npos) << run.output;

  std::ofstream(migrations + "/auth/0001_accounts.sql", std::ios::app) << "\n-- edited\n";
  run = run_command(migrate + " --status");
  EXPECT_EQ(run.exit_code, 6) << run.output;
  EXPECT_NE(run.output.find("CHANGED"), std::string::npos) << run.output;
}

TEST(StorageStartup, UnreachableDatabaseRefusesToStart) {
  TempDir dir;
  auto host = HostProcess::with_config(HostProcess::config_text(
      dir, plugins_toml("mysql://game:pw@127.0.0.1:1/game", source_migrations()), ""));
  EXPECT_EQ(host.wait_exit(30s), 5);
  EXPECT_NE(host.log().find("storage: cannot open mysql://game:***@127.0.0.1:1/game"),
            std::string::npos)
      << host.log();
  EXPECT_EQ(host.log().find(":pw@"), std::string::npos);  // the password never reaches the log
}

TEST(StorageStartup, ProductionModeRefusesTheDefaultSecret) {
  TempDir dir;
  auto config = HostProcess::config_text(
      dir, plugins_toml("sqlite:" + dir.str() + "/g.db", source_migrations()), "");
  config.replace(config.find("[server]\n"), 9, "[server]\nmode = \"production\"\n");
  auto refused = HostProcess::with_config(config);
  EXPECT_EQ(refused.wait_exit(20s), 3);
  EXPECT_NE(refused.log().find("token_secret"), std::string::npos) << refused.log();

  ::setenv("GAMEHOST_AUTH_SECRET", "0123456789abcdef0123456789abcdef-production", 1);
  auto host = HostProcess::with_config(config);
  ::unsetenv("GAMEHOST_AUTH_SECRET");
  EXPECT_FALSE(host.wait_exit(3s).has_value()) << host.log();  // still running
}

}  // namespace
}  // namespace gamehost::testing
