// Internal to the user plugin: coin balances, their ledger and idempotent changes.
//
// Every change runs in one transaction that updates user_coins, writes one user_ledger row
// per balance changed (with the balance after it), and records the request's idempotency
// key in user_coin_requests: a crash applies all of it or none, and a retried request finds
// its key and gets the recorded result instead of being applied twice. A debit is a
// conditional UPDATE (balance >= amount), so a balance never goes below zero, also under
// concurrent changes.
//
// Thread-safety: no state of its own beyond constants; the plugin calls it from the host's
// blocking threads (run_blocking, serve_blocking), several at once. Changes of one user may
// run concurrently: the transactions and conditional updates keep them apart.
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "settings.hpp"

namespace gh_user {

using gamehost::UserId;

struct CoinRequest {
  enum class Kind { kCredit, kDebit, kTransfer, kSettle };
  Kind kind = Kind::kCredit;
  UserId user = 0;   // credited or debited; for a transfer, the payer
  UserId other = 0;  // for a transfer, the payee; 0 otherwise
  std::int64_t amount = 0;
  std::string reason;
  std::string reference;
  std::string idempotency_key;
  std::string caller;  // the plugin asking, for the log
};

struct CoinOutcome {
  std::int64_t balance = 0;        // of `user`, right after the change
  std::int64_t other_balance = 0;  // of `other` (transfers)
  std::uint64_t ledger_id = 0;     // the ledger row of `user`
  bool replayed = false;           // the key was applied before: this is that result
};

// A zero-sum result of several users in one transaction (user.proto's Settle).
struct SettleRequest {
  struct Entry {
    UserId user = 0;
    std::int64_t amount = 0;  // > 0 won, < 0 lost
  };
  std::vector<Entry> entries;
  std::string reason;
  std::string reference;
  std::string idempotency_key;
  std::string caller;
};

struct SettleOutcome {
  std::vector<std::int64_t> applied;   // what moved, in the request's order
  std::vector<std::int64_t> balances;  // each balance right after
  bool replayed = false;
};

struct LedgerRow {
  std::uint64_t id = 0;
  std::int64_t amount = 0;
  std::string reason;
  std::string reference;
  std::int64_t balance_after = 0;
  std::uint64_t created_at_ms = 0;
};

// "credit", "debit", "transfer", "settle": as user_coin_requests.kind stores it.
const char* kind_name(CoinRequest::Kind kind);

class CoinBook {
 public:
  static constexpr std::size_t kMaxKeyBytes = 128;
  static constexpr std::size_t kMaxReasonBytes = 64;
  static constexpr std::size_t kMaxReferenceBytes = 128;

  CoinBook(gamehost::Host& host, const Settings& settings) : host_(host), settings_(settings) {}

  // Applies `request` once per idempotency key, in its own transaction. Throws Refusal
  // (nothing changed) or gamehost::DbError (nothing changed, or - when the commit itself
  // failed - perhaps applied: a retry with the same key then answers the recorded result).
  CoinOutcome apply(const CoinRequest& request);

  // Settles `request` once per idempotency key: the losers pay what they can (see
  // settlement.hpp), one ledger row per coin moved to or from a user. Throws as apply does.
  SettleOutcome settle(const SettleRequest& request);
  // The balance, or nothing when the user has no coin account.
  std::optional<std::int64_t> balance(UserId user);
  std::optional<std::int64_t> balance(gamehost::Db& db, UserId user);

  // Inside the caller's transaction: gives `user` a coin account (if missing) and credits
  // `starting_coins` once (idempotency key "welcome:<user>"). Returns the credit to log
  // with log_change() after the commit, if one was made.
  std::optional<std::pair<CoinRequest, CoinOutcome>> open_account(gamehost::Db& db, UserId user,
                                                                  std::int64_t starting_coins);

  // The newest `limit` ledger rows of `user` with an id below `before_id` (0: no bound).
  std::vector<LedgerRow> ledger(UserId user, std::uint32_t limit, std::uint64_t before_id);

  // The info line(s) of an applied change: user, signed amount, reason, balance after.
  void log_change(const CoinRequest& request, const CoinOutcome& outcome);

 private:
  // A key found in user_coin_requests: the request it was used for and its result.
  struct Recorded {
    UserId user;
    std::string kind;
    std::int64_t amount;
    UserId other;
    CoinOutcome outcome;

    bool matches(const CoinRequest& r) const {
      return kind == kind_name(r.kind) && user == r.user && other == r.other && amount == r.amount;
    }
  };

  void validate(const CoinRequest& request) const;
  void validate_texts(const std::string& key, const std::string& reason,
                      const std::string& reference) const;
  void validate(const SettleRequest& request) const;
  SettleOutcome replay_settlement(gamehost::Db& db, const SettleRequest& request);
  std::optional<Recorded> find_request(gamehost::Db& db, const std::string& key);
  CoinOutcome apply_in(gamehost::Db& db, const CoinRequest& request);
  void record(gamehost::Db& db, const CoinRequest& request, const CoinOutcome& outcome);
  void ensure_account(gamehost::Db& db, UserId user);
  std::int64_t add(gamehost::Db& db, UserId user, std::int64_t amount);
  std::int64_t subtract(gamehost::Db& db, UserId user, std::int64_t amount);
  std::uint64_t write_ledger(gamehost::Db& db, UserId user, std::int64_t amount,
                             std::int64_t balance_after, const CoinRequest& request);

  gamehost::Host& host_;
  const Settings& settings_;
};

}  // namespace gh_user
