// The user plugin's methods for other plugins: each name with its request and result type,
// declared once and included by the plugin (serve) and by its callers (call):
//
//   call("user", gh_user::api::kCredit, change, [](gamehost::CallOutcome<CoinResult> r) {...});
//
// A caller compiles user.proto in its own PROTOS (or links gamehost_user_proto). Every
// business outcome comes back as the result with its `error` field (0 = done); a CallError
// means the request did not decode (bad_request) or storage was busy or failed (busy /
// failed: nothing changed, retry with the same idempotency key). See docs/protocol.md.
#pragma once

#include <gamehost/plugin.hpp>

#include "user.pb.h"

namespace gh_user::api {

namespace pb = gamehost::user;

inline constexpr gamehost::Method<pb::CoinChange, pb::CoinResult> kCredit{"credit"};
// Never below zero: a larger debit is refused with ERROR_INSUFFICIENT_COINS.
inline constexpr gamehost::Method<pb::CoinChange, pb::CoinResult> kDebit{"debit"};
// Both sides or neither, in one transaction.
inline constexpr gamehost::Method<pb::Transfer, pb::TransferResult> kTransfer{"transfer"};
// A zero-sum result of several users (a game), capped by what the losers have, in one
// transaction: see Settle in user.proto.
inline constexpr gamehost::Method<pb::Settle, pb::SettleResult> kSettle{"settle"};
// The balance only (CoinResult.balance).
inline constexpr gamehost::Method<pb::BalanceQuery, pb::CoinResult> kBalance{"balance"};
// Not idempotent: send it once.
inline constexpr gamehost::Method<pb::AddExperience, pb::ExperienceResult> kAddExperience{
    "add_experience"};

}  // namespace gh_user::api
