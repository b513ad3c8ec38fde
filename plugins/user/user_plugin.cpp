// The user plugin: each player's profile (nickname, avatar, level, experience) and coins.
//
// Clients read and change their own profile, see other players' public profiles, and read
// their balance and coin history (ids 1100-1109, see user.proto). Other plugins change
// coins and experience only through calls to this plugin (methods CREDIT, DEBIT, TRANSFER,
// BALANCE, ADD_EXPERIENCE): every coin change is one transaction with a ledger row and an
// idempotency key (see coin_book.hpp).
//
// All database work runs on keyed lanes, keyed by the user it is about (a transfer by the
// payer), so different users are served in parallel and one user's work in order.
#include <gamehost/plugin.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coin_book.hpp"
#include "errors.hpp"
#include "profile_store.hpp"
#include "settings.hpp"
#include "user.pb.h"

namespace gh_user {
namespace {

namespace pb = gamehost::user;

constexpr std::uint32_t kDefaultLedgerLimit = 20;
constexpr std::uint32_t kMaxLedgerLimit = 100;

const char* method_name(std::uint32_t method) {
  switch (method) {
    case pb::CREDIT:
      return "CREDIT";
    case pb::DEBIT:
      return "DEBIT";
    case pb::TRANSFER:
      return "TRANSFER";
    case pb::BALANCE:
      return "BALANCE";
    case pb::ADD_EXPERIENCE:
      return "ADD_EXPERIENCE";
    default:
      return "unknown";
  }
}

// The lane of a client request: its user's. The host lets only logged-in sessions send
// these ids; the check keeps a misconfigured `public` range from acting for user 0.
// [user-own-lane]
template <class Msg>
std::uint64_t own_lane(const gamehost::Request& req, const Msg&) {
  if (req.user == 0) throw gamehost::ClientError(GH_CODE_NOT_AUTHENTICATED, "log in first");
  return req.user;
}
// [user-own-lane]

class UserPlugin final : public gamehost::Plugin {
 public:
  explicit UserPlugin(gamehost::Host& host)
      : Plugin(host),
        settings_(Settings::read(host)),
        coins_(host, settings_),
        profiles_(host, settings_, coins_) {
    handlers_.push_back(handle_keyed<pb::GetProfile>(
        msg::kGetProfile, own_lane<pb::GetProfile>,
        [this](gamehost::Request& req, const pb::GetProfile&) {
          req.reply(msg::kProfile, profile_message(profiles_.ensure(req.user)));
        }));
    handlers_.push_back(handle_keyed<pb::UpdateProfile>(
        msg::kUpdateProfile, own_lane<pb::UpdateProfile>,
        [this](gamehost::Request& req, const pb::UpdateProfile& in) {
          const auto nickname = in.has_nickname() ? std::optional(in.nickname()) : std::nullopt;
          const auto avatar = in.has_avatar() ? std::optional(in.avatar()) : std::nullopt;
          req.reply(msg::kUpdateProfileReply,
                    profile_message(profiles_.update(req.user, nickname, avatar)));
        }));
    // [user-keyed-handler]
    handlers_.push_back(handle_keyed<pb::GetPublicProfile>(
        msg::kGetPublicProfile, own_lane<pb::GetPublicProfile>,
        [this](gamehost::Request& req, const pb::GetPublicProfile& in) {
          const auto found = in.user_id() == 0 ? std::nullopt : profiles_.find(in.user_id());
          if (!found) {
            throw Refusal(pb::ERROR_UNKNOWN_USER,
                          gamehost::concat("no player with id ", in.user_id()));
          }
          pb::PublicProfile out;
          out.set_user_id(found->user);
          out.set_nickname(found->nickname);
          out.set_avatar(found->avatar);
          out.set_level(found->level);
          out.set_created_at_ms(found->created_at_ms);
          req.reply(msg::kPublicProfile, out);
        }));
    // [user-keyed-handler]
    handlers_.push_back(
        handle_keyed<pb::GetBalance>(msg::kGetBalance, own_lane<pb::GetBalance>,
                                     [this](gamehost::Request& req, const pb::GetBalance&) {
                                       pb::Balance out;
                                       out.set_coins(own_balance(req.user));
                                       req.reply(msg::kBalance, out);
                                     }));
    handlers_.push_back(handle_keyed<pb::GetLedger>(
        msg::kGetLedger, own_lane<pb::GetLedger>,
        [this](gamehost::Request& req, const pb::GetLedger& in) {
          const auto limit =
              in.limit() == 0 ? kDefaultLedgerLimit : std::min(in.limit(), kMaxLedgerLimit);
          pb::Ledger out;
          for (const auto& row : coins_.ledger(req.user, limit, in.before_id())) {
            auto* entry = out.add_entries();
            entry->set_id(row.id);
            entry->set_amount(row.amount);
            entry->set_reason(row.reason);
            entry->set_reference(row.reference);
            entry->set_balance_after(row.balance_after);
            entry->set_created_at_ms(row.created_at_ms);
          }
          req.reply(msg::kLedger, out);
        }));
  }

  // The profile (with coin account and starting coins) exists from the first login on.
  // Runs on the user's lane, before any request of that user the session sends later.
  void on_session_authenticated(gamehost::SessionId, gamehost::UserId user) override {
    if (user == 0) return;  // logged out
    try {
      post_keyed(user, [this, user] {
        try {
          profiles_.ensure(user);
        } catch (const std::exception& e) {
          host().log_warn("cannot create the profile of user ", user, " now (", e.what(),
                          "); its first request will create it");
        }
      });
    } catch (const std::exception& e) {
      host().log_warn("cannot queue the profile of user ", user, " (", e.what(),
                      "); its first profile request will create it");
    }
  }

  void on_call(const gamehost::IncomingCall& call) override {
    switch (call.method) {
      case pb::CREDIT:
        serve<pb::CoinChange>(
            call, [](const auto& in) { return in.user_id(); },
            [this](const auto& in, const std::string& caller) {
              return change(CoinRequest::Kind::kCredit, in, caller);
            });
        break;
      case pb::DEBIT:
        serve<pb::CoinChange>(
            call, [](const auto& in) { return in.user_id(); },
            [this](const auto& in, const std::string& caller) {
              return change(CoinRequest::Kind::kDebit, in, caller);
            });
        break;
      case pb::TRANSFER:
        serve<pb::Transfer>(
            call, [](const auto& in) { return in.from_user_id(); },
            [this](const auto& in, const std::string& caller) { return transfer(in, caller); });
        break;
      case pb::BALANCE:
        serve<pb::BalanceQuery>(
            call, [](const auto& in) { return in.user_id(); },
            [this](const auto& in, const std::string&) { return balance(in); });
        break;
      case pb::ADD_EXPERIENCE:
        serve<pb::AddExperience>(
            call, [](const auto& in) { return in.user_id(); },
            [this](const auto& in, const std::string&) { return add_experience(in); });
        break;
      default:
        host().log_warn("call from ", call.caller, ": unknown method ", call.method);
        reply(call.call_id, GH_ERR_UNSUPPORTED, {});
        break;
    }
  }

 private:
  // ---- Calls --------------------------------------------------------------------------
  // Decodes the request, then answers it exactly once from the lane of key_of(request):
  // GH_OK with the result message (a refusal is its `error` field), or a non-OK status
  // when the request does not decode or storage failed.
  template <class Request, class KeyFn, class Fn>
  void serve(const gamehost::IncomingCall& call, KeyFn key_of, Fn fn) {
    auto request = std::make_shared<Request>();
    if (!request->ParseFromArray(call.data.data(), static_cast<int>(call.data.size()))) {
      host().log_warn("call ", method_name(call.method), " from ", call.caller,
                      ": the request is not a ", request->GetTypeName());
      reply(call.call_id, GH_ERR_INVALID_ARGUMENT, {});
      return;
    }
    const auto call_id = call.call_id;
    const auto method = call.method;
    std::string caller(call.caller);
    try {
      post_keyed(key_of(*request), [this, call_id, method, caller, request, fn] {
        gh_status status = GH_OK;
        std::string result;
        try {
          result = fn(*request, caller).SerializeAsString();
        } catch (const gamehost::DbError& e) {
          host().log_error("call ", method_name(method), " from ", caller, ": storage: ", e.what());
          const bool busy = e.status() == GH_ERR_BUSY || e.status() == GH_ERR_TIMEOUT;
          status = busy ? GH_ERR_BUSY : GH_ERR_FAILED;
        } catch (const std::exception& e) {
          host().log_error("call ", method_name(method), " from ", caller, " failed: ", e.what());
          status = GH_ERR_FAILED;
        } catch (...) {
          host().log_error("call ", method_name(method), " from ", caller, " failed");
          status = GH_ERR_FAILED;
        }
        reply(call_id, status, status == GH_OK ? std::string_view(result) : std::string_view());
      });
    } catch (const std::exception& e) {
      // The lane refused the task (full): it will not run, so this is the one answer.
      host().log_warn("call ", method_name(method), " from ", caller, " not queued: ", e.what());
      reply(call_id, GH_ERR_BUSY, {});
    }
  }

  // Runs fill(result); a Refusal becomes the result's error code instead.
  template <class Result, class Fill>
  Result refusable(const char* what, const std::string& caller, Fill fill) {
    Result out;
    try {
      fill(out);
    } catch (const Refusal& refusal) {
      out.Clear();
      out.set_error(refusal.code());
      host().log_debug(what, " from ", caller, " refused (", refusal.code(), "): ", refusal.what());
    }
    return out;
  }

  pb::CoinResult change(CoinRequest::Kind kind, const pb::CoinChange& in,
                        const std::string& caller) {
    const char* what = kind == CoinRequest::Kind::kCredit ? "CREDIT" : "DEBIT";
    return refusable<pb::CoinResult>(what, caller, [&](pb::CoinResult& out) {
      const auto done = coins_.apply(CoinRequest{kind, in.user_id(), 0, in.amount(), in.reason(),
                                                 in.reference(), in.idempotency_key(), caller});
      out.set_balance(done.balance);
      out.set_ledger_id(done.ledger_id);
      out.set_replayed(done.replayed);
    });
  }

  pb::TransferResult transfer(const pb::Transfer& in, const std::string& caller) {
    return refusable<pb::TransferResult>("TRANSFER", caller, [&](pb::TransferResult& out) {
      const auto done = coins_.apply(CoinRequest{CoinRequest::Kind::kTransfer, in.from_user_id(),
                                                 in.to_user_id(), in.amount(), in.reason(),
                                                 in.reference(), in.idempotency_key(), caller});
      out.set_from_balance(done.balance);
      out.set_to_balance(done.other_balance);
      out.set_replayed(done.replayed);
    });
  }

  pb::CoinResult balance(const pb::BalanceQuery& in) {
    return refusable<pb::CoinResult>("BALANCE", "", [&](pb::CoinResult& out) {
      const auto coins = in.user_id() == 0 ? std::nullopt : coins_.balance(in.user_id());
      if (!coins) {
        throw Refusal(pb::ERROR_UNKNOWN_USER,
                      gamehost::concat("user ", in.user_id(), " has no coins"));
      }
      out.set_balance(*coins);
    });
  }

  pb::ExperienceResult add_experience(const pb::AddExperience& in) {
    return refusable<pb::ExperienceResult>("ADD_EXPERIENCE", "", [&](pb::ExperienceResult& out) {
      const auto profile = profiles_.add_experience(in.user_id(), in.amount());
      out.set_level(profile.level);
      out.set_experience(profile.experience);
    });
  }

  // ---- Client requests -----------------------------------------------------------------
  std::int64_t own_balance(gamehost::UserId user) {
    if (const auto coins = coins_.balance(user)) return *coins;
    profiles_.ensure(user);  // first contact: opens the account with the starting coins
    return coins_.balance(user).value_or(0);
  }

  pb::Profile profile_message(const ProfileRow& row) {
    pb::Profile out;
    out.set_user_id(row.user);
    out.set_nickname(row.nickname);
    out.set_avatar(row.avatar);
    out.set_level(row.level);
    out.set_experience(row.experience);
    out.set_created_at_ms(row.created_at_ms);
    out.set_coins(coins_.balance(row.user).value_or(0));
    return out;
  }

  const Settings settings_;
  CoinBook coins_;
  ProfileStore profiles_;
  std::vector<gamehost::Token> handlers_;
};

}  // namespace
}  // namespace gh_user

GAMEHOST_PLUGIN(gh_user::UserPlugin,
                "name = user\n"
                "version = 1.0.0\n"
                "ranges = 1100-1199\n")
