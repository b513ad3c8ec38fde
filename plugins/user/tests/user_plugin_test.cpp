// Unit tests of the user plugin against the SDK's fake host, on in-memory SQLite with the
// plugin's real migrations. Each test checks what a player (messages, Error frames) or a
// calling plugin (call results) would see, and what the tables hold afterwards.
#include <gtest/gtest.h>
#include <gamehost/plugin.hpp>
#include <gamehost/testing.hpp>

#include <cstdint>
#include <string>

#include "../protocol.hpp"
#include "../settlement.hpp"
#include "../user_api.hpp"

namespace {

using gamehost::testing::FakeHost;
namespace pb = gamehost::user;

// The ids, from the plugin's one list (protocol.hpp).
using gamehost::message_id_v;
constexpr auto kGetProfile = message_id_v<pb::GetProfile>;
constexpr auto kProfile = message_id_v<pb::Profile>;
constexpr auto kUpdateProfile = message_id_v<pb::UpdateProfile>;
constexpr auto kUpdateProfileReply = message_id_v<pb::UpdateProfileReply>;
constexpr auto kGetPublicProfile = message_id_v<pb::GetPublicProfile>;
constexpr auto kPublicProfile = message_id_v<pb::PublicProfile>;
constexpr auto kGetBalance = message_id_v<pb::GetBalance>;
constexpr auto kBalance = message_id_v<pb::Balance>;
constexpr auto kGetLedger = message_id_v<pb::GetLedger>;
constexpr auto kLedger = message_id_v<pb::Ledger>;
namespace api = gh_user::api;

constexpr std::uint64_t kAlice = 1001;
constexpr std::uint64_t kBob = 1002;
constexpr std::uint64_t kCarol = 1003;

class UserTest : public ::testing::Test {
 protected:
  // [user-fixture]
  void SetUp() override {
    host.apply_migrations(USER_MIGRATIONS_DIR);
    host.load(gamehost_plugin_v1());
  }
  // [user-fixture]
  // Loads the plugin again with `key` set (settings are read when it is created).
  void reload_with(const std::string& key, FakeHost::Setting value) {
    host.set_setting(key, std::move(value));
    host.load(gamehost_plugin_v1());
  }

  gh_session_id login(std::uint64_t user) {
    const auto s = host.connect();
    host.authenticate(s, user);
    return s;
  }

  pb::Profile get_profile(gh_session_id s) {
    EXPECT_TRUE(host.deliver(s, kGetProfile, pb::GetProfile{}).ok());
    return host.last_sent<pb::Profile>(s, kProfile);
  }
  std::int64_t get_balance(gh_session_id s) {
    host.deliver(s, kGetBalance, pb::GetBalance{});
    return host.last_sent<pb::Balance>(s, kBalance).coins();
  }
  pb::Ledger get_ledger(gh_session_id s, std::uint32_t limit, std::uint64_t before_id = 0) {
    pb::GetLedger req;
    req.set_limit(limit);
    req.set_before_id(before_id);
    host.deliver(s, kGetLedger, req);
    return host.last_sent<pb::Ledger>(s, kLedger);
  }
  // The code of the newest Error frame sent to `s` (0 when there is none).
  std::uint32_t last_error(gh_session_id s) {
    const auto& errors = host.errors(s);
    return errors.empty() ? 0 : errors.back().code;
  }

  // A call from the card plugin that must be answered GH_OK with a Result.
  template <class Req, class Result>
  Result call(const gamehost::Method<Req, Result>& method, const Req& request) {
    const auto answer = host.call_plugin(method.id(), request.SerializeAsString(), "card");
    Result out;
    EXPECT_TRUE(answer.has_value()) << "no reply";
    if (!answer) return out;
    EXPECT_EQ(answer->first, GH_OK);
    EXPECT_TRUE(out.ParseFromString(answer->second));
    return out;
  }
  pb::CoinResult change(const gamehost::Method<pb::CoinChange, pb::CoinResult>& method,
                        std::uint64_t user, std::int64_t amount, const std::string& key,
                        const std::string& reason = "game_won") {
    pb::CoinChange req;
    req.set_user_id(user);
    req.set_amount(amount);
    req.set_reason(reason);
    req.set_reference("game:7");
    req.set_idempotency_key(key);
    return call(method, req);
  }
  pb::CoinResult credit(std::uint64_t user, std::int64_t amount, const std::string& key) {
    return change(api::kCredit, user, amount, key);
  }
  pb::CoinResult debit(std::uint64_t user, std::int64_t amount, const std::string& key) {
    return change(api::kDebit, user, amount, key, "game_lost");
  }
  pb::TransferResult transfer(std::uint64_t from, std::uint64_t to, std::int64_t amount,
                              const std::string& key) {
    pb::Transfer req;
    req.set_from_user_id(from);
    req.set_to_user_id(to);
    req.set_amount(amount);
    req.set_reason("pot");
    req.set_idempotency_key(key);
    return call(api::kTransfer, req);
  }

  std::int64_t sql_int(const std::string& query) { return std::stoll(host.sql_value(query)); }
  std::int64_t balance_row(std::uint64_t user) {
    return sql_int("SELECT balance FROM user_coins WHERE user_id = " + std::to_string(user));
  }
  std::int64_t ledger_rows(std::uint64_t user) {
    return sql_int("SELECT COUNT(*) FROM user_ledger WHERE user_id = " + std::to_string(user));
  }
  // Users whose balance differs from the sum of their ledger amounts: must always be 0.
  std::int64_t unbalanced_accounts() {
    return sql_int(
        "SELECT COUNT(*) FROM user_coins c WHERE c.balance != "
        "(SELECT COALESCE(SUM(l.amount), 0) FROM user_ledger l WHERE l.user_id = c.user_id)");
  }

  FakeHost host;
};

// ---- Profiles ---------------------------------------------------------------------------

TEST_F(UserTest, LoginCreatesProfileWithDefaultsAndStartingCoins) {
  reload_with("starting_coins", std::int64_t{500});
  const auto alice = login(kAlice);

  const auto profile = get_profile(alice);
  EXPECT_EQ(profile.user_id(), kAlice);
  EXPECT_EQ(profile.nickname(), "player1001");
  EXPECT_EQ(profile.avatar(), "");
  EXPECT_EQ(profile.level(), 1);
  EXPECT_EQ(profile.experience(), 0);
  EXPECT_EQ(profile.created_at_ms(), host.now());
  EXPECT_EQ(profile.coins(), 500);

  const auto ledger = get_ledger(alice, 0);
  ASSERT_EQ(ledger.entries_size(), 1);
  EXPECT_EQ(ledger.entries(0).amount(), 500);
  EXPECT_EQ(ledger.entries(0).reason(), "welcome");
  EXPECT_EQ(ledger.entries(0).balance_after(), 500);
  EXPECT_EQ(host.sql_value("SELECT idempotency_key FROM user_ledger"), "welcome:1001");
  EXPECT_EQ(unbalanced_accounts(), 0);
}

TEST_F(UserTest, ProfileExistsRightAfterLoginBeforeAnyRequest) {
  login(kAlice);
  EXPECT_EQ(host.sql_value("SELECT nickname FROM user_profiles WHERE user_id = 1001"),
            "player1001");
  EXPECT_EQ(balance_row(kAlice), 0);
  EXPECT_EQ(ledger_rows(kAlice), 0);  // no starting coins, no ledger row
}

TEST_F(UserTest, DefaultNicknameUsesTheLastSixDigitsOfTheId) {
  const auto s = login(7234567890123456789ull);
  EXPECT_EQ(get_profile(s).nickname(), "player456789");
}

TEST_F(UserTest, SecondLoginFindsTheProfileAndPaysNoSecondWelcome) {
  reload_with("starting_coins", std::int64_t{500});
  const auto first = login(kAlice);
  pb::UpdateProfile update;
  update.set_nickname("Alice");
  host.deliver(first, kUpdateProfile, update);
  host.disconnect(first);

  const auto second = login(kAlice);
  const auto profile = get_profile(second);
  EXPECT_EQ(profile.nickname(), "Alice");
  EXPECT_EQ(profile.coins(), 500);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_profiles"), 1);
  EXPECT_EQ(ledger_rows(kAlice), 1);
}

TEST_F(UserTest, LogoutEventCreatesNothing) {
  const auto s = host.connect();
  host.authenticate(s, 0);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_profiles"), 0);
}

TEST_F(UserTest, FirstRequestCreatesTheProfileWhenTheLoginEventDidNot) {
  reload_with("starting_coins", std::int64_t{50});
  const auto s = host.connect();
  host.fail_storage();
  host.authenticate(s, kAlice);  // profile creation fails: logged, not fatal
  EXPECT_TRUE(host.logged("cannot create the profile of user 1001"));
  host.fail_storage(false);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_profiles"), 0);

  EXPECT_EQ(get_balance(s), 50);
  EXPECT_EQ(get_profile(s).nickname(), "player1001");
  EXPECT_EQ(ledger_rows(kAlice), 1);
}

TEST_F(UserTest, UpdateOwnProfile) {
  const auto alice = login(kAlice);
  pb::UpdateProfile update;
  update.set_nickname("Zoë 🎲");
  update.set_avatar("avatars/7.png");
  ASSERT_TRUE(host.deliver(alice, kUpdateProfile, update).ok());
  const auto reply = host.last_sent<pb::UpdateProfileReply>(alice, kUpdateProfileReply);
  EXPECT_EQ(reply.nickname(), "Zoë 🎲");
  EXPECT_EQ(reply.avatar(), "avatars/7.png");

  // A field left unset keeps its value; an empty avatar clears it.
  pb::UpdateProfile avatar_only;
  avatar_only.set_avatar("");
  host.deliver(alice, kUpdateProfile, avatar_only);
  const auto profile = get_profile(alice);
  EXPECT_EQ(profile.nickname(), "Zoë 🎲");
  EXPECT_EQ(profile.avatar(), "");
  EXPECT_TRUE(host.errors(alice).empty());
}

TEST_F(UserTest, InvalidNicknamesAreRefusedAndChangeNothing) {
  reload_with("nickname_max_length", std::int64_t{8});
  const auto alice = login(kAlice);
  for (const std::string& bad : {std::string(), std::string("ninechars"), std::string("tab\there"),
                                 std::string("nul\0x", 5), std::string("c1\xc2\x85")}) {
    pb::UpdateProfile update;
    update.set_nickname(bad);
    update.set_avatar("never stored");
    host.deliver(alice, kUpdateProfile, update);
    EXPECT_EQ(last_error(alice), 1185u) << "nickname of " << bad.size() << " bytes";
  }
  // Not UTF-8 at all: the payload does not decode as a proto3 string field.
  host.deliver(alice, kUpdateProfile, std::string("\x0a\x02\xff\xfe", 4));
  EXPECT_EQ(last_error(alice), static_cast<std::uint32_t>(GH_CODE_MALFORMED));
  EXPECT_EQ(host.count_sent(alice, kUpdateProfileReply), 0u);
  const auto profile = get_profile(alice);
  EXPECT_EQ(profile.nickname(), "player1001");
  EXPECT_EQ(profile.avatar(), "");

  pb::UpdateProfile exactly_max;
  exactly_max.set_nickname("eightchr");
  host.deliver(alice, kUpdateProfile, exactly_max);
  EXPECT_EQ(host.last_sent<pb::UpdateProfileReply>(alice, kUpdateProfileReply).nickname(),
            "eightchr");
}

TEST_F(UserTest, InvalidAvatarsAreRefused) {
  const auto alice = login(kAlice);
  for (const std::string& bad : {std::string(257, 'a'), std::string("line\nbreak")}) {
    pb::UpdateProfile update;
    update.set_avatar(bad);
    host.deliver(alice, kUpdateProfile, update);
    EXPECT_EQ(last_error(alice), 1186u);
  }
  pb::UpdateProfile longest;
  longest.set_avatar(std::string(256, 'a'));
  host.deliver(alice, kUpdateProfile, longest);
  EXPECT_EQ(host.last_sent<pb::UpdateProfileReply>(alice, kUpdateProfileReply).avatar().size(),
            256u);
}

TEST_F(UserTest, PublicProfileShowsNoCoinsOrExperience) {
  reload_with("starting_coins", std::int64_t{500});
  const auto alice = login(kAlice);
  const auto bob = login(kBob);
  pb::UpdateProfile update;
  update.set_nickname("Alice");
  update.set_avatar("a.png");
  host.deliver(alice, kUpdateProfile, update);

  pb::GetPublicProfile req;
  req.set_user_id(kAlice);
  ASSERT_TRUE(host.deliver(bob, kGetPublicProfile, req).ok());
  const auto seen = host.last_sent<pb::PublicProfile>(bob, kPublicProfile);
  EXPECT_EQ(seen.user_id(), kAlice);
  EXPECT_EQ(seen.nickname(), "Alice");
  EXPECT_EQ(seen.avatar(), "a.png");
  EXPECT_EQ(seen.level(), 1);
  EXPECT_EQ(seen.created_at_ms(), host.now());
  // The frame holds exactly these five fields: nothing else to decode coins from.
  pb::PublicProfile only_known;
  only_known.set_user_id(seen.user_id());
  only_known.set_nickname(seen.nickname());
  only_known.set_avatar(seen.avatar());
  only_known.set_level(seen.level());
  only_known.set_created_at_ms(seen.created_at_ms());
  EXPECT_EQ(host.sent(bob).back().bytes, only_known.SerializeAsString());
  EXPECT_EQ(host.count_sent(bob, kProfile), 0u);
}

TEST_F(UserTest, PublicProfileOfUnknownUserIs1180) {
  const auto bob = login(kBob);
  pb::GetPublicProfile req;
  req.set_user_id(424242);
  host.deliver(bob, kGetPublicProfile, req);
  ASSERT_EQ(host.errors(bob).size(), 1u);
  EXPECT_EQ(host.errors(bob)[0].code, 1180u);
  EXPECT_EQ(host.errors(bob)[0].request_id, kGetPublicProfile);
  req.set_user_id(0);
  host.deliver(bob, kGetPublicProfile, req);
  EXPECT_EQ(last_error(bob), 1180u);
}

TEST_F(UserTest, RequestWithoutLoggedInUserIsRefused) {
  const auto anonymous = host.connect();
  host.deliver(anonymous, kGetProfile, pb::GetProfile{});
  EXPECT_EQ(last_error(anonymous), static_cast<std::uint32_t>(GH_CODE_NOT_AUTHENTICATED));
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_profiles"), 0);
}

// ---- Coins through calls ----------------------------------------------------------------

TEST_F(UserTest, CreditAndDebitChangeBalanceAndWriteLedgerRows) {
  const auto alice = login(kAlice);
  const auto credited = credit(kAlice, 100, "k1");
  EXPECT_EQ(credited.error(), 0u);
  EXPECT_EQ(credited.balance(), 100);
  EXPECT_FALSE(credited.replayed());
  EXPECT_NE(credited.ledger_id(), 0u);

  const auto debited = debit(kAlice, 30, "k2");
  EXPECT_EQ(debited.error(), 0u);
  EXPECT_EQ(debited.balance(), 70);
  EXPECT_NE(debited.ledger_id(), credited.ledger_id());

  EXPECT_EQ(get_balance(alice), 70);
  const auto ledger = get_ledger(alice, 0);
  ASSERT_EQ(ledger.entries_size(), 2);
  EXPECT_EQ(ledger.entries(0).id(), debited.ledger_id());  // newest first
  EXPECT_EQ(ledger.entries(0).amount(), -30);
  EXPECT_EQ(ledger.entries(0).reason(), "game_lost");
  EXPECT_EQ(ledger.entries(0).reference(), "game:7");
  EXPECT_EQ(ledger.entries(0).balance_after(), 70);
  EXPECT_EQ(ledger.entries(1).amount(), 100);
  EXPECT_EQ(ledger.entries(1).balance_after(), 100);
  EXPECT_EQ(ledger.entries(1).created_at_ms(), host.now());
  EXPECT_TRUE(host.logged("coins: user 1001 -30 (game_lost, ref game:7, by card), balance 70"));
}

TEST_F(UserTest, CreditOpensAnAccountForAUserNotSeenYet) {
  reload_with("starting_coins", std::int64_t{10});
  EXPECT_EQ(credit(kCarol, 5, "early").balance(), 5);
  const auto carol = login(kCarol);  // the welcome credit still comes, once
  EXPECT_EQ(get_balance(carol), 15);
  EXPECT_EQ(ledger_rows(kCarol), 2);
  EXPECT_EQ(unbalanced_accounts(), 0);
}

TEST_F(UserTest, DebitBeyondBalanceIsRefusedAndWritesNothing) {
  login(kAlice);
  credit(kAlice, 50, "k1");
  const auto refused = debit(kAlice, 51, "k2");
  EXPECT_EQ(refused.error(), 1182u);
  EXPECT_EQ(balance_row(kAlice), 50);
  EXPECT_EQ(ledger_rows(kAlice), 1);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM user_coin_requests WHERE idempotency_key = 'k2'"),
            "0");
  // Not recorded: the same key works once the coins are there.
  credit(kAlice, 1, "k3");
  EXPECT_EQ(debit(kAlice, 51, "k2").balance(), 0);
}

TEST_F(UserTest, DebitOfUnknownUserIs1180) {
  EXPECT_EQ(debit(424242, 1, "k1").error(), 1180u);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_coins"), 0);
}

TEST_F(UserTest, RetriedRequestIsAppliedOnceAndAnsweredWithTheRecordedResult) {
  login(kAlice);
  const auto first = credit(kAlice, 100, "card:game7:1001");
  credit(kAlice, 5, "other");
  const auto again = credit(kAlice, 100, "card:game7:1001");
  EXPECT_EQ(again.error(), 0u);
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.balance(), first.balance());  // as recorded then, not now
  EXPECT_EQ(again.ledger_id(), first.ledger_id());
  EXPECT_EQ(balance_row(kAlice), 105);
  EXPECT_EQ(ledger_rows(kAlice), 2);

  const auto debited = debit(kAlice, 5, "d1");
  const auto debit_again = debit(kAlice, 5, "d1");
  EXPECT_TRUE(debit_again.replayed());
  EXPECT_EQ(debit_again.balance(), debited.balance());
  EXPECT_EQ(balance_row(kAlice), 100);
}

TEST_F(UserTest, SameKeyForADifferentRequestIs1183) {
  login(kAlice);
  login(kBob);
  credit(kAlice, 100, "k1");
  EXPECT_EQ(credit(kAlice, 101, "k1").error(), 1183u);
  EXPECT_EQ(credit(kBob, 100, "k1").error(), 1183u);
  EXPECT_EQ(debit(kAlice, 100, "k1").error(), 1183u);
  EXPECT_EQ(transfer(kAlice, kBob, 100, "k1").error(), 1183u);
  EXPECT_EQ(balance_row(kAlice), 100);
  EXPECT_EQ(balance_row(kBob), 0);
  EXPECT_EQ(ledger_rows(kAlice), 1);
}

TEST_F(UserTest, KeysAreComparedByteForByte) {
  login(kAlice);
  credit(kAlice, 1, "Key");
  EXPECT_FALSE(credit(kAlice, 1, "key").replayed());
  EXPECT_FALSE(credit(kAlice, 1, "Key ").replayed());
  EXPECT_EQ(balance_row(kAlice), 3);
}

TEST_F(UserTest, InvalidRequestsAreRefusedWithTheirCodes) {
  login(kAlice);
  EXPECT_EQ(credit(kAlice, 1, "").error(), 1184u);
  EXPECT_EQ(credit(kAlice, 1, std::string(129, 'k')).error(), 1184u);
  EXPECT_EQ(credit(kAlice, 1, std::string(128, 'k')).error(), 0u);
  EXPECT_EQ(credit(kAlice, 0, "a").error(), 1181u);
  EXPECT_EQ(debit(kAlice, -5, "b").error(), 1181u);
  EXPECT_EQ(credit(kAlice, 1'000'000'000'001, "c").error(), 1181u);
  EXPECT_EQ(change(api::kCredit, kAlice, 1, "d", "").error(), 1187u);  // reason required
  EXPECT_EQ(change(api::kCredit, kAlice, 1, "e", std::string(65, 'r')).error(), 1187u);
  EXPECT_EQ(credit(0, 1, "f").error(), 1187u);
  EXPECT_EQ(balance_row(kAlice), 1);
}

TEST_F(UserTest, MaxCoinChangeIsASetting) {
  reload_with("max_coin_change", 1000.0);  // TOML writes 1e3 as a float: accepted
  login(kAlice);
  EXPECT_EQ(credit(kAlice, 1000, "a").error(), 0u);
  EXPECT_EQ(credit(kAlice, 1001, "b").error(), 1181u);
}

TEST_F(UserTest, CreditThatWouldOverflowIsRefused) {
  login(kAlice);
  host.sql("UPDATE user_coins SET balance = 9223372036854775000 WHERE user_id = 1001");
  EXPECT_EQ(credit(kAlice, 1000, "a").error(), 1181u);
  EXPECT_EQ(ledger_rows(kAlice), 0);
}

TEST_F(UserTest, TransferMovesCoinsAndWritesBothLedgerRows) {
  const auto alice = login(kAlice);
  const auto bob = login(kBob);
  credit(kAlice, 100, "seed");
  const auto done = transfer(kAlice, kBob, 40, "t1");
  EXPECT_EQ(done.error(), 0u);
  EXPECT_EQ(done.from_balance(), 60);
  EXPECT_EQ(done.to_balance(), 40);
  EXPECT_EQ(get_balance(alice), 60);
  EXPECT_EQ(get_balance(bob), 40);
  EXPECT_EQ(get_ledger(alice, 1).entries(0).amount(), -40);
  EXPECT_EQ(get_ledger(bob, 1).entries(0).amount(), 40);
  EXPECT_EQ(get_ledger(bob, 1).entries(0).balance_after(), 40);

  const auto again = transfer(kAlice, kBob, 40, "t1");
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.from_balance(), 60);
  EXPECT_EQ(again.to_balance(), 40);
  EXPECT_EQ(balance_row(kBob), 40);

  // The other direction (the lower user id is locked first either way).
  EXPECT_EQ(transfer(kBob, kAlice, 10, "t2").to_balance(), 70);
  EXPECT_EQ(unbalanced_accounts(), 0);
}

// ---- Settlements ---------------------------------------------------------------------------

pb::Settle settlement(std::vector<std::pair<std::uint64_t, std::int64_t>> entries,
                      const std::string& key = "card:1") {
  pb::Settle s;
  for (const auto& [user, amount] : entries) {
    auto* e = s.add_entries();
    e->set_user_id(user);
    e->set_amount(amount);
  }
  s.set_reason("doudizhu");
  s.set_reference("1");
  s.set_idempotency_key(key);
  return s;
}

std::vector<std::int64_t> applied(const pb::SettleResult& r) {
  std::vector<std::int64_t> out;
  for (const auto& e : r.applied()) out.push_back(e.amount());
  return out;
}

TEST(Settlement, LosersPayWhatTheyHaveAndWinnersShareItByWhatTheyWon) {
  using gh_user::capped_settlement;
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(capped_settlement({-10, 5, 5}, {100, 0, 0}), (V{-10, 5, 5}));
  EXPECT_EQ(capped_settlement({-10, 5, 5}, {4, 0, 0}), (V{-4, 2, 2}));
  // 5 paid for 7 + 3 owed: 3.5 and 1.5 rounded down, the one coin left to the larger remainder
  // (a tie: the earlier entry).
  EXPECT_EQ(capped_settlement({7, 3, -10}, {0, 0, 5}), (V{4, 1, -5}));
  EXPECT_EQ(capped_settlement({5, -2, -3}, {0, 1, 100}), (V{4, -1, -3}));
  EXPECT_EQ(capped_settlement({5, -5}, {0, -7}), (V{0, 0}));  // a negative balance pays nothing
  EXPECT_EQ(capped_settlement({5, -4}, {0, 9}), (V{0, 0}));   // not zero-sum: nothing
  const std::int64_t big = 4'000'000'000'000'000'000;
  EXPECT_EQ(capped_settlement({big, big, -2 * big + 2, -2}, {0, 0, big, 2}),
            (V{big / 2 + 1, big / 2 + 1, -big, -2}));
}

TEST_F(UserTest, ASettlementMovesEveryonesCoinsInOneCallAndARetryPaysNothingTwice) {
  credit(kAlice, 100, "seed-a");
  credit(kBob, 100, "seed-b");
  credit(kCarol, 100, "seed-c");
  const auto done = call(api::kSettle, settlement({{kAlice, 40}, {kBob, -20}, {kCarol, -20}}));
  EXPECT_EQ(done.error(), 0u);
  EXPECT_FALSE(done.replayed());
  EXPECT_EQ(applied(done), (std::vector<std::int64_t>{40, -20, -20}));
  EXPECT_EQ(done.applied(0).balance_after(), 140);
  EXPECT_EQ(balance_row(kBob), 80);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_ledger WHERE idempotency_key = 'card:1'"), 3);
  const auto again = call(api::kSettle, settlement({{kAlice, 40}, {kBob, -20}, {kCarol, -20}}));
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(applied(again), applied(done));
  EXPECT_EQ(again.applied(1).balance_after(), 80);
  EXPECT_EQ(balance_row(kAlice), 140);
  EXPECT_EQ(unbalanced_accounts(), 0);
  // The same key for another result is a conflict, and changes nothing.
  EXPECT_EQ(call(api::kSettle, settlement({{kAlice, 60}, {kBob, -30}, {kCarol, -30}})).error(),
            static_cast<std::uint32_t>(pb::ERROR_IDEMPOTENCY_CONFLICT));
  EXPECT_EQ(balance_row(kAlice), 140);
}

TEST_F(UserTest, ALoserWithoutEnoughCoinsPaysWhatTheyHave) {
  credit(kAlice, 4, "seed-a");  // the landlord lost 10 and has 4
  const auto done = call(api::kSettle, settlement({{kAlice, -10}, {kBob, 5}, {kCarol, 5}}));
  EXPECT_EQ(done.error(), 0u);
  EXPECT_EQ(applied(done), (std::vector<std::int64_t>{-4, 2, 2}));
  EXPECT_EQ(balance_row(kAlice), 0);
  EXPECT_EQ(balance_row(kBob), 2);  // bob had no account: it was opened
  EXPECT_EQ(balance_row(kCarol), 2);
  EXPECT_EQ(unbalanced_accounts(), 0);
}

TEST_F(UserTest, InvalidSettlementsAreRefusedAndChangeNothing) {
  credit(kAlice, 100, "seed-a");
  const auto code = [&](const pb::Settle& s) { return call(api::kSettle, s).error(); };
  const auto invalid = static_cast<std::uint32_t>(pb::ERROR_INVALID_REQUEST);
  const auto amount = static_cast<std::uint32_t>(pb::ERROR_INVALID_AMOUNT);
  EXPECT_EQ(code(settlement({{kAlice, -10}, {kBob, 5}})), amount);    // not zero-sum
  EXPECT_EQ(code(settlement({{kAlice, 0}})), invalid);                // one entry
  EXPECT_EQ(code(settlement({{kAlice, -5}, {kAlice, 5}})), invalid);  // twice
  EXPECT_EQ(code(settlement({{0, -5}, {kBob, 5}})), invalid);
  EXPECT_EQ(code(settlement({{kAlice, -5}, {kBob, 5}}, "")),
            static_cast<std::uint32_t>(pb::ERROR_INVALID_IDEMPOTENCY_KEY));
  EXPECT_EQ(balance_row(kAlice), 100);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_coin_requests WHERE kind = 'settle'"), 0);
}

TEST_F(UserTest, TransferWithoutEnoughCoinsChangesNeitherSide) {
  login(kAlice);
  login(kBob);
  credit(kAlice, 30, "seed");
  credit(kBob, 5, "seed-bob");
  for (const auto& [from, to] : {std::pair{kAlice, kBob}, std::pair{kBob, kAlice}}) {
    EXPECT_EQ(transfer(from, to, 31, "t-" + std::to_string(from)).error(), 1182u);
  }
  EXPECT_EQ(balance_row(kAlice), 30);
  EXPECT_EQ(balance_row(kBob), 5);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_ledger"), 2);
  EXPECT_EQ(transfer(kAlice, kAlice, 1, "self").error(), 1187u);
  EXPECT_EQ(transfer(kAlice, 0, 1, "nobody").error(), 1187u);
  EXPECT_EQ(transfer(424242, kAlice, 1, "ghost").error(), 1180u);
  EXPECT_EQ(balance_row(kAlice), 30);
}

TEST_F(UserTest, BalanceAlwaysEqualsTheLedgerSum) {
  reload_with("starting_coins", std::int64_t{100});
  login(kAlice);
  login(kBob);
  login(kCarol);
  int key = 0;
  const auto next_key = [&key] { return "op" + std::to_string(++key); };
  for (int round = 0; round < 20; ++round) {
    credit(kAlice, 7 + round, next_key());
    debit(kBob, 13, next_key());  // refused once Bob runs dry
    transfer(kAlice, kCarol, 11, next_key());
    transfer(kCarol, kBob, 5 + round % 3, next_key());
    debit(kCarol, 3, next_key());
    credit(kAlice, 7 + round, "op1");  // a replay now and then
    EXPECT_EQ(unbalanced_accounts(), 0) << "round " << round;
  }
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_coins WHERE balance < 0"), 0);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_ledger WHERE balance_after < 0"), 0);
  // Every ledger row's balance_after is the running sum of that user's amounts.
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM user_ledger a WHERE a.balance_after != "
                    "(SELECT SUM(b.amount) FROM user_ledger b "
                    " WHERE b.user_id = a.user_id AND b.id <= a.id)"),
            0);
}

TEST_F(UserTest, BalanceCall) {
  login(kAlice);
  credit(kAlice, 42, "k");
  pb::BalanceQuery query;
  query.set_user_id(kAlice);
  const auto known = call(api::kBalance, query);
  EXPECT_EQ(known.error(), 0u);
  EXPECT_EQ(known.balance(), 42);
  query.set_user_id(424242);
  EXPECT_EQ(call(api::kBalance, query).error(), 1180u);
}

TEST_F(UserTest, LedgerIsNewestFirstWithLimitAndPaging) {
  const auto alice = login(kAlice);
  for (int i = 1; i <= 105; ++i) credit(kAlice, i, "k" + std::to_string(i));

  const auto three = get_ledger(alice, 3);
  ASSERT_EQ(three.entries_size(), 3);
  EXPECT_EQ(three.entries(0).amount(), 105);
  EXPECT_EQ(three.entries(1).amount(), 104);
  EXPECT_EQ(three.entries(2).amount(), 103);
  EXPECT_GT(three.entries(0).id(), three.entries(1).id());

  const auto next = get_ledger(alice, 2, three.entries(2).id());
  ASSERT_EQ(next.entries_size(), 2);
  EXPECT_EQ(next.entries(0).amount(), 102);

  EXPECT_EQ(get_ledger(alice, 0).entries_size(), 20);      // the default
  EXPECT_EQ(get_ledger(alice, 1000).entries_size(), 100);  // the cap
}

TEST_F(UserTest, LedgerShowsOnlyOwnEntries) {
  const auto alice = login(kAlice);
  login(kBob);
  credit(kBob, 10, "bob");
  EXPECT_EQ(get_ledger(alice, 0).entries_size(), 0);
}

// ---- Experience -------------------------------------------------------------------------

TEST_F(UserTest, AddExperienceLevelsUp) {
  reload_with("experience_per_level", std::int64_t{100});
  const auto alice = login(kAlice);
  pb::AddExperience add;
  add.set_user_id(kAlice);
  add.set_amount(99);
  auto result = call(api::kAddExperience, add);
  EXPECT_EQ(result.error(), 0u);
  EXPECT_EQ(result.level(), 1);
  add.set_amount(151);
  result = call(api::kAddExperience, add);
  EXPECT_EQ(result.level(), 3);
  EXPECT_EQ(result.experience(), 250);
  EXPECT_TRUE(host.logged("user 1001 reached level 3"));

  const auto profile = get_profile(alice);
  EXPECT_EQ(profile.level(), 3);
  EXPECT_EQ(profile.experience(), 250);
}

TEST_F(UserTest, AddExperienceRefusals) {
  login(kAlice);
  pb::AddExperience add;
  add.set_user_id(424242);
  add.set_amount(10);
  EXPECT_EQ(call(api::kAddExperience, add).error(), 1180u);
  add.set_user_id(kAlice);
  add.set_amount(0);
  EXPECT_EQ(call(api::kAddExperience, add).error(), 1181u);
  add.set_amount(INT64_MAX);
  EXPECT_EQ(call(api::kAddExperience, add).error(), 1181u);
  EXPECT_EQ(host.sql_value("SELECT experience FROM user_profiles WHERE user_id = 1001"), "0");
}

// ---- Failures ---------------------------------------------------------------------------

// [user-storage-down-test]
TEST_F(UserTest, StorageDownAnswersClientsWith15AndCallsWithAFailure) {
  const auto alice = login(kAlice);
  host.fail_storage();
  for (const auto id : {kGetProfile, kGetBalance, kGetLedger}) {
    host.deliver(alice, id, std::string());
    EXPECT_EQ(last_error(alice), static_cast<std::uint32_t>(GH_CODE_STORAGE_UNAVAILABLE));
  }
  pb::UpdateProfile update;
  update.set_nickname("Alice");
  host.deliver(alice, kUpdateProfile, update);
  EXPECT_EQ(last_error(alice), static_cast<std::uint32_t>(GH_CODE_STORAGE_UNAVAILABLE));

  pb::CoinChange req;
  req.set_user_id(kAlice);
  req.set_amount(10);
  req.set_reason("game_won");
  req.set_idempotency_key("k1");
  const auto answer = host.call_plugin(api::kCredit.id(), req.SerializeAsString(), "card");
  ASSERT_TRUE(answer.has_value());
  EXPECT_NE(answer->first, GH_OK);
  EXPECT_TRUE(host.logged("call credit from card: storage"));

  host.fail_storage(false);  // back: the retry applies, once
  EXPECT_FALSE(credit(kAlice, 10, "k1").replayed());
  EXPECT_EQ(balance_row(kAlice), 10);
}
// [user-storage-down-test]

TEST_F(UserTest, UndecodableOrUnknownCallsGetAStatus) {
  const auto garbage = host.call_plugin(api::kCredit.id(), std::string("\xff\xff\xff", 3), "card");
  ASSERT_TRUE(garbage.has_value());
  EXPECT_EQ(garbage->first, GH_ERR_INVALID_ARGUMENT);
  const auto unknown = host.call_plugin(99, std::string(), "card");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->first, GH_ERR_UNSUPPORTED);
}

// A caller built against SDK 1.2 names the methods by user.proto's numbers: still served,
// by the same code as the named method (one idempotency key applies once across both).
TEST_F(UserTest, NumberedMethodsOfSdk12CallersAreStillServed) {
  pb::CoinChange req;
  req.set_user_id(kAlice);
  req.set_amount(25);
  req.set_reason("game_won");
  req.set_idempotency_key("old-caller");
  const auto answer = host.call_plugin(pb::CREDIT, req.SerializeAsString(), "card");
  ASSERT_TRUE(answer.has_value());
  ASSERT_EQ(answer->first, GH_OK);
  pb::CoinResult result;
  ASSERT_TRUE(result.ParseFromString(answer->second));
  EXPECT_EQ(result.balance(), 25);
  EXPECT_FALSE(result.replayed());
  EXPECT_TRUE(credit(kAlice, 25, "old-caller").replayed());  // the named method, same key
  pb::BalanceQuery query;
  query.set_user_id(kAlice);
  const auto balance = host.call_plugin(pb::BALANCE, query.SerializeAsString(), "card");
  ASSERT_TRUE(balance.has_value());
  ASSERT_TRUE(result.ParseFromString(balance->second));
  EXPECT_EQ(result.balance(), 25);
}

// 1103 has its own type now; its bytes are those of a Profile, so a client that decoded
// 1103 as a Profile (SDK 1.2 days) reads the same fields.
TEST_F(UserTest, UpdateProfileReplyHasTheBytesOfAProfile) {
  const auto alice = login(kAlice);
  pb::UpdateProfile update;
  update.set_nickname("Alice");
  update.set_avatar("cat.png");
  ASSERT_TRUE(host.deliver(alice, update).ok());
  const std::string bytes = host.sent(alice).back().bytes;
  pb::Profile as_profile;
  ASSERT_TRUE(as_profile.ParseFromString(bytes));
  const auto reply = host.last_sent<pb::UpdateProfileReply>(alice);
  EXPECT_EQ(as_profile.user_id(), kAlice);
  EXPECT_EQ(as_profile.nickname(), "Alice");
  EXPECT_EQ(as_profile.avatar(), "cat.png");
  EXPECT_EQ(as_profile.coins(), reply.coins());
  EXPECT_EQ(as_profile.created_at_ms(), reply.created_at_ms());
  EXPECT_EQ(as_profile.level(), reply.level());
  EXPECT_EQ(as_profile.SerializeAsString(), bytes);  // every field, none unknown
  EXPECT_EQ(get_profile(alice).SerializeAsString(), bytes);
}

TEST(UserSettings, OutOfRangeSettingIsRefusedAtLoadWithItsName) {
  FakeHost host;
  host.apply_migrations(USER_MIGRATIONS_DIR);
  host.set_setting("experience_per_level", std::int64_t{0});
  try {
    host.load(gamehost_plugin_v1());
    FAIL() << "loaded with experience_per_level = 0";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("experience_per_level"), std::string::npos) << e.what();
  }
  host.set_setting("experience_per_level", std::string("a lot"));
  EXPECT_THROW(host.load(gamehost_plugin_v1()), std::runtime_error);
}

TEST(UserDescriptor, ManifestFacts) {
  const auto* d = gamehost_plugin_v1();
  EXPECT_STREQ(d->name, "user");
  EXPECT_STREQ(d->version, "1.0.0");
  ASSERT_EQ(d->range_count, 1u);
  EXPECT_EQ(d->ranges[0].first, 1100u);
  EXPECT_EQ(d->ranges[0].last, 1199u);
  EXPECT_EQ(d->public_range_count, 0u);
}

}  // namespace
