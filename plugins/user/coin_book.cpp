#include "coin_book.hpp"

#include <algorithm>
#include <limits>

#include "errors.hpp"
#include "text.hpp"

namespace gh_user {
namespace {

namespace pb = gamehost::user;
using Kind = CoinRequest::Kind;

constexpr std::int64_t kMaxBalance = std::numeric_limits<std::int64_t>::max();

}  // namespace

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kCredit:
      return "credit";
    case Kind::kDebit:
      return "debit";
    case Kind::kTransfer:
      return "transfer";
    case Kind::kSettle:
      return "settle";
  }
  return "?";
}

namespace {

// Ids are uint64 in messages and BIGINT (signed) in tables; snowflakes fit in 63 bits.
std::int64_t sql_id(std::uint64_t id) {
  return static_cast<std::int64_t>(id);
}

}  // namespace

CoinOutcome CoinBook::apply(const CoinRequest& request) {
  validate(request);
  // Two rounds at most: the second only after a concurrent request with the same key
  // recorded it first, and then finds that record.
  // [coin-apply]
  for (int round = 0;; ++round) {
    auto db = host_.db();
    auto tx = db.begin();
    if (auto recorded = find_request(db, request.idempotency_key)) {
      if (!recorded->matches(request)) {
        throw Refusal(
            pb::ERROR_IDEMPOTENCY_CONFLICT,
            gamehost::concat("idempotency key already used for a ", recorded->kind, " of ",
                             recorded->amount, " coins of user ", recorded->user));
      }
      return recorded->outcome;
    }
    const auto outcome = apply_in(db, request);
    try {
      record(db, request, outcome);
    } catch (const gamehost::DbError& e) {
      if (!e.constraint() || round > 0) throw;
      continue;  // the transaction rolls back here; the next round reads the record
    }
    tx.commit();
    log_change(request, outcome);
    return outcome;
  }
  // [coin-apply]
}

std::optional<std::int64_t> CoinBook::balance(UserId user) {
  auto db = host_.db();
  return balance(db, user);
}

std::optional<std::int64_t> CoinBook::balance(gamehost::Db& db, UserId user) {
  const auto row = db.query_one("SELECT balance FROM user_coins WHERE user_id = ?", sql_id(user));
  if (!row) return std::nullopt;
  return row->int64(0);
}

std::optional<std::pair<CoinRequest, CoinOutcome>> CoinBook::open_account(
    gamehost::Db& db, UserId user, std::int64_t starting_coins) {
  ensure_account(db, user);
  if (starting_coins <= 0) return std::nullopt;
  CoinRequest welcome{
      Kind::kCredit, user, 0, starting_coins, "welcome", "", gamehost::concat("welcome:", user),
      "user"};
  if (find_request(db, welcome.idempotency_key)) return std::nullopt;
  auto outcome = apply_in(db, welcome);
  record(db, welcome, outcome);
  return std::pair{std::move(welcome), outcome};
}

std::vector<LedgerRow> CoinBook::ledger(UserId user, std::uint32_t limit, std::uint64_t before_id) {
  const auto below = before_id == 0 ? std::numeric_limits<std::int64_t>::max() : sql_id(before_id);
  // [ledger-query]
  // The limit is a number this code chose, written into the text: some drivers bind `?`
  // in LIMIT as a quoted string, which MySQL refuses.
  auto db = host_.db();
  const auto rows = db.query(
      gamehost::concat("SELECT id, amount, reason, reference, balance_after, created_at_ms "
                       "FROM user_ledger WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ",
                       limit),
      sql_id(user), below);
  // [ledger-query]
  std::vector<LedgerRow> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    out.push_back(LedgerRow{static_cast<std::uint64_t>(row.int64(0)), row.int64(1), row.text(2),
                            row.text(3), row.int64(4), static_cast<std::uint64_t>(row.int64(5))});
  }
  return out;
}

void CoinBook::log_change(const CoinRequest& r, const CoinOutcome& outcome) {
  const auto line = [&](UserId user, std::int64_t amount, std::int64_t balance) {
    host_.log_info("coins: user ", user, amount > 0 ? " +" : " ", amount, " (", r.reason,
                   r.reference.empty() ? "" : ", ref ", r.reference, ", by ", r.caller,
                   "), balance ", balance);
  };
  switch (r.kind) {
    case Kind::kCredit:
      line(r.user, r.amount, outcome.balance);
      break;
    case Kind::kDebit:
      line(r.user, -r.amount, outcome.balance);
      break;
    case Kind::kTransfer:
      line(r.user, -r.amount, outcome.balance);
      line(r.other, r.amount, outcome.other_balance);
      break;
    case Kind::kSettle:
      break;  // logged per user by settle()
  }
}

void CoinBook::validate(const CoinRequest& r) const {
  if (r.user == 0 || (r.kind == Kind::kTransfer && r.other == 0)) {
    throw Refusal(pb::ERROR_INVALID_REQUEST, "user id 0");
  }
  if (r.kind == Kind::kTransfer && r.user == r.other) {
    throw Refusal(pb::ERROR_INVALID_REQUEST, "transfer to the same user");
  }
  if (r.amount <= 0 || r.amount > settings_.max_coin_change) {
    throw Refusal(
        pb::ERROR_INVALID_AMOUNT,
        gamehost::concat("amount ", r.amount, " is not within 1-", settings_.max_coin_change));
  }
  validate_texts(r.idempotency_key, r.reason, r.reference);
}

void CoinBook::validate_texts(const std::string& key, const std::string& reason,
                              const std::string& reference) const {
  if (key.empty() || key.size() > kMaxKeyBytes) {
    throw Refusal(pb::ERROR_INVALID_IDEMPOTENCY_KEY,
                  gamehost::concat("idempotency key must be 1-", kMaxKeyBytes, " bytes"));
  }
  if (reason.empty() || reason.size() > kMaxReasonBytes || !is_clean_text(reason)) {
    throw Refusal(pb::ERROR_INVALID_REQUEST,
                  gamehost::concat("reason must be 1-", kMaxReasonBytes,
                                   " bytes of UTF-8 without control characters"));
  }
  if (reference.size() > kMaxReferenceBytes || !is_clean_text(reference)) {
    throw Refusal(pb::ERROR_INVALID_REQUEST,
                  gamehost::concat("reference must be up to ", kMaxReferenceBytes,
                                   " bytes of UTF-8 without control characters"));
  }
}

std::optional<CoinBook::Recorded> CoinBook::find_request(gamehost::Db& db, const std::string& key) {
  const auto row = db.query_one(
      "SELECT user_id, kind, amount, other_user_id, result_balance, result_other_balance, "
      "ledger_id FROM user_coin_requests WHERE idempotency_key = ?",
      key);
  if (!row) return std::nullopt;
  return Recorded{
      static_cast<UserId>(row->int64(0)), row->text(1), row->int64(2),
      static_cast<UserId>(row->int64(3)),
      CoinOutcome{row->int64(4), row->int64(5), static_cast<std::uint64_t>(row->int64(6)), true}};
}

CoinOutcome CoinBook::apply_in(gamehost::Db& db, const CoinRequest& r) {
  CoinOutcome out;
  switch (r.kind) {
    case Kind::kCredit:
      out.balance = add(db, r.user, r.amount);
      out.ledger_id = write_ledger(db, r.user, r.amount, out.balance, r);
      break;
    case Kind::kDebit:
      out.balance = subtract(db, r.user, r.amount);
      out.ledger_id = write_ledger(db, r.user, -r.amount, out.balance, r);
      break;
    case Kind::kTransfer:
      // Rows are locked in user id order, so two opposite transfers cannot deadlock on
      // MySQL (SQLite's BEGIN IMMEDIATE already runs writers one at a time).
      if (r.user < r.other) {
        out.balance = subtract(db, r.user, r.amount);
        out.other_balance = add(db, r.other, r.amount);
      } else {
        out.other_balance = add(db, r.other, r.amount);
        out.balance = subtract(db, r.user, r.amount);
      }
      out.ledger_id = write_ledger(db, r.user, -r.amount, out.balance, r);
      write_ledger(db, r.other, r.amount, out.other_balance, r);
      break;
    case Kind::kSettle:
      break;  // settle() moves the coins itself
  }
  return out;
}

void CoinBook::record(gamehost::Db& db, const CoinRequest& r, const CoinOutcome& outcome) {
  db.exec(
      "INSERT INTO user_coin_requests (idempotency_key, user_id, kind, amount, other_user_id, "
      "result_balance, result_other_balance, ledger_id, created_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      r.idempotency_key, sql_id(r.user), std::string(kind_name(r.kind)), r.amount, sql_id(r.other),
      outcome.balance, outcome.other_balance, sql_id(outcome.ledger_id), host_.now_ms());
}

void CoinBook::ensure_account(gamehost::Db& db, UserId user) {
  if (balance(db, user)) return;
  try {
    db.exec("INSERT INTO user_coins (user_id, balance) VALUES (?, 0)", sql_id(user));
  } catch (const gamehost::DbError& e) {
    // Another node opened it between the SELECT and the INSERT (MySQL); the statement
    // failed alone, the transaction goes on.
    if (!e.constraint()) throw;
  }
}

std::int64_t CoinBook::add(gamehost::Db& db, UserId user, std::int64_t amount) {
  ensure_account(db, user);
  const auto changed =
      db.exec("UPDATE user_coins SET balance = balance + ? WHERE user_id = ? AND balance <= ?",
              amount, sql_id(user), kMaxBalance - amount);
  if (changed == 0) {
    throw Refusal(pb::ERROR_INVALID_AMOUNT,
                  gamehost::concat("the balance of user ", user, " would overflow"));
  }
  return balance(db, user).value_or(0);
}

// [coin-subtract]
std::int64_t CoinBook::subtract(gamehost::Db& db, UserId user, std::int64_t amount) {
  const auto changed =
      db.exec("UPDATE user_coins SET balance = balance - ? WHERE user_id = ? AND balance >= ?",
              amount, sql_id(user), amount);
  if (changed == 0) {
    const auto current = balance(db, user);
    if (!current) {
      throw Refusal(pb::ERROR_UNKNOWN_USER, gamehost::concat("user ", user, " has no coins"));
    }
    throw Refusal(pb::ERROR_INSUFFICIENT_COINS, gamehost::concat("user ", user, " has ", *current,
                                                                 " coins, ", amount, " needed"));
  }
  return balance(db, user).value_or(0);
}
// [coin-subtract]

std::uint64_t CoinBook::write_ledger(gamehost::Db& db, UserId user, std::int64_t amount,
                                     std::int64_t balance_after, const CoinRequest& r) {
  const auto id = host_.next_id();
  db.exec(
      "INSERT INTO user_ledger (id, user_id, amount, reason, reference, balance_after, "
      "idempotency_key, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      sql_id(id), sql_id(user), amount, r.reason, r.reference, balance_after, r.idempotency_key,
      host_.now_ms());
  return id;
}

}  // namespace gh_user
