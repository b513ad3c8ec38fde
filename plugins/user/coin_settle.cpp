// CoinBook::settle: a game's zero-sum result in one transaction (see coin_book.hpp).
#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "coin_book.hpp"
#include "errors.hpp"
#include "settlement.hpp"

namespace gh_user {
namespace {

namespace pb = gamehost::user;

constexpr std::size_t kMinEntries = 2;
constexpr std::size_t kMaxEntries = 16;
// A concurrent debit may take coins between reading a loser's balance and paying: then the
// settlement is computed again, a few times at most.
constexpr int kRounds = 4;

}  // namespace

void CoinBook::validate(const SettleRequest& r) const {
  if (r.entries.size() < kMinEntries || r.entries.size() > kMaxEntries) {
    throw Refusal(pb::ERROR_INVALID_REQUEST,
                  gamehost::concat("a settlement has ", kMinEntries, "-", kMaxEntries,
                                   " entries, not ", r.entries.size()));
  }
  std::set<UserId> users;
  __int128 sum = 0;
  for (const auto& e : r.entries) {
    if (e.user == 0) throw Refusal(pb::ERROR_INVALID_REQUEST, "user id 0");
    if (!users.insert(e.user).second) {
      throw Refusal(pb::ERROR_INVALID_REQUEST,
                    gamehost::concat("user ", e.user, " is listed twice"));
    }
    if (e.amount > settings_.max_coin_change || e.amount < -settings_.max_coin_change) {
      throw Refusal(pb::ERROR_INVALID_AMOUNT,
                    gamehost::concat("amount ", e.amount, " of user ", e.user, " is beyond ",
                                     settings_.max_coin_change, " either way"));
    }
    sum += e.amount;
  }
  if (sum != 0) throw Refusal(pb::ERROR_INVALID_AMOUNT, "the amounts do not sum to zero");
  validate_texts(r.idempotency_key, r.reason, r.reference);
}

SettleOutcome CoinBook::settle(const SettleRequest& r) {
  validate(r);
  const auto n = r.entries.size();
  std::int64_t owed = 0;
  for (const auto& e : r.entries) owed += std::max<std::int64_t>(e.amount, 0);
  // What user_coin_requests keeps of it: the first user, the entry count, what was owed.
  const CoinRequest record_of{CoinRequest::Kind::kSettle,
                              r.entries[0].user,
                              static_cast<UserId>(n),
                              owed,
                              r.reason,
                              r.reference,
                              r.idempotency_key,
                              r.caller};
  // Coins move in user id order, so two settlements cannot deadlock on MySQL.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return r.entries[a].user < r.entries[b].user; });
  for (int round = 0;; ++round) {
    auto db = host_.db();
    auto tx = db.begin();
    if (auto recorded = find_request(db, r.idempotency_key)) {
      if (!recorded->matches(record_of)) {
        throw Refusal(
            pb::ERROR_IDEMPOTENCY_CONFLICT,
            gamehost::concat("idempotency key already used for a ", recorded->kind, " of ",
                             recorded->amount, " coins of user ", recorded->user));
      }
      return replay_settlement(db, r);
    }
    std::vector<std::int64_t> amounts(n), balances(n);
    for (std::size_t i = 0; i < n; ++i) {
      amounts[i] = r.entries[i].amount;
      balances[i] = balance(db, r.entries[i].user).value_or(0);  // no account: pays nothing
    }
    SettleOutcome out;
    out.applied = capped_settlement(amounts, balances);
    out.balances = balances;
    try {
      for (const auto i : order) {
        const auto amount = out.applied[i];
        if (amount < 0) out.balances[i] = subtract(db, r.entries[i].user, -amount);
        if (amount > 0) out.balances[i] = add(db, r.entries[i].user, amount);
      }
    } catch (const Refusal& e) {
      if (e.code() != pb::ERROR_INSUFFICIENT_COINS || round + 1 >= kRounds) throw;
      continue;  // a balance changed under us: roll back, read again
    }
    std::uint64_t first_ledger = 0;
    std::int64_t paid = 0;
    for (const auto i : order) {
      if (out.applied[i] == 0) continue;
      const auto id =
          write_ledger(db, r.entries[i].user, out.applied[i], out.balances[i], record_of);
      if (first_ledger == 0) first_ledger = id;
      if (out.applied[i] > 0) paid += out.applied[i];
    }
    try {
      record(db, record_of, CoinOutcome{paid, 0, first_ledger, false});
    } catch (const gamehost::DbError& e) {
      if (!e.constraint() || round + 1 >= kRounds) throw;
      continue;  // the same key was recorded concurrently: the next round replays it
    }
    tx.commit();
    for (std::size_t i = 0; i < n; ++i) {
      if (out.applied[i] == 0) continue;
      host_.log_info("coins: user ", r.entries[i].user, out.applied[i] > 0 ? " +" : " ",
                     out.applied[i], " (", r.reason, r.reference.empty() ? "" : ", ref ",
                     r.reference, ", by ", r.caller, ", settlement), balance ", out.balances[i]);
    }
    return out;
  }
}

// The recorded result, from the ledger rows the settlement wrote under its key.
SettleOutcome CoinBook::replay_settlement(gamehost::Db& db, const SettleRequest& r) {
  std::map<UserId, std::pair<std::int64_t, std::int64_t>> moved;  // amount, balance after
  for (const auto& row :
       db.query("SELECT user_id, amount, balance_after FROM user_ledger WHERE idempotency_key = ?",
                r.idempotency_key)) {
    moved[static_cast<UserId>(row.int64(0))] = {row.int64(1), row.int64(2)};
  }
  SettleOutcome out;
  out.replayed = true;
  for (const auto& e : r.entries) {
    const auto it = moved.find(e.user);
    out.applied.push_back(it == moved.end() ? 0 : it->second.first);
    out.balances.push_back(it == moved.end() ? balance(db, e.user).value_or(0) : it->second.second);
  }
  return out;
}

}  // namespace gh_user
