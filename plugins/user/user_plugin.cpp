// The user plugin: each player's profile (nickname, avatar, level, experience) and coins.
//
// Clients read and change their own profile, see other players' public profiles, and read
// their balance and coin history (ids 1100-1109, see user.proto). Other plugins change
// coins and experience only through the methods of user_api.hpp (credit, debit, transfer,
// balance, add_experience): every coin change is one transaction with a ledger row and an
// idempotency key (see coin_book.hpp).
//
// Threading: handlers run on the plugin's queue, each session's in the order sent; their
// database work runs with run_blocking on the host's blocking threads (the session's next
// messages wait for it), and the methods are served with serve_blocking. That work uses
// only the coin book and profile store, which hold nothing but constants: no lock anywhere.
// Concurrent changes of one user's coins are kept apart by the database (transactions,
// conditional updates, idempotency keys), not by the order they run in.
#include <gamehost/plugin.hpp>

#include <algorithm>
#include <optional>
#include <string>

#include "coin_book.hpp"
#include "errors.hpp"
#include "profile_store.hpp"
#include "protocol.hpp"
#include "settings.hpp"
#include "user_api.hpp"

namespace gh_user {
namespace {

namespace pb = gamehost::user;

constexpr std::uint32_t kDefaultLedgerLimit = 20;
constexpr std::uint32_t kMaxLedgerLimit = 100;

// Client requests act for the session's user. The host lets only logged-in sessions send
// these ids; the check keeps a misconfigured `public` range from acting for user 0.
void require_login(const gamehost::Request& req) {
  if (req.user == 0) throw gamehost::ClientError(GH_CODE_NOT_AUTHENTICATED, "log in first");
}

class UserPlugin final : public gamehost::Plugin {
 public:
  explicit UserPlugin(gamehost::Host& host)
      : Plugin(host),
        settings_(Settings::read(host)),
        coins_(host, settings_),
        profiles_(host, settings_, coins_) {
    handle<pb::GetProfile>([this](gamehost::Request& req, const pb::GetProfile&) {
      require_login(req);
      run_blocking(
          req, [this, user = req.user] { return profile_message(profiles_.ensure(user)); },
          [req](const pb::Profile& out) { req.reply(out); });
    });
    handle<pb::UpdateProfile>([this](gamehost::Request& req, const pb::UpdateProfile& in) {
      require_login(req);
      const auto nickname = in.has_nickname() ? std::optional(in.nickname()) : std::nullopt;
      const auto avatar = in.has_avatar() ? std::optional(in.avatar()) : std::nullopt;
      run_blocking(
          req,
          [this, user = req.user, nickname, avatar] {
            return profile_message(profiles_.update(user, nickname, avatar));
          },
          [req](const pb::Profile& profile) {
            pb::UpdateProfileReply out;
            out.set_user_id(profile.user_id());
            out.set_nickname(profile.nickname());
            out.set_avatar(profile.avatar());
            out.set_level(profile.level());
            out.set_experience(profile.experience());
            out.set_created_at_ms(profile.created_at_ms());
            out.set_coins(profile.coins());
            req.reply(out);
          });
    });
    // [user-blocking-handler]
    handle<pb::GetPublicProfile>([this](gamehost::Request& req, const pb::GetPublicProfile& in) {
      require_login(req);
      const auto id = in.user_id();
      run_blocking(
          req, [this, id] { return id == 0 ? std::nullopt : profiles_.find(id); },
          [req, id](const std::optional<ProfileRow>& found) {
            if (!found) {
              throw Refusal(pb::ERROR_UNKNOWN_USER, gamehost::concat("no player with id ", id));
            }
            pb::PublicProfile out;
            out.set_user_id(found->user);
            out.set_nickname(found->nickname);
            out.set_avatar(found->avatar);
            out.set_level(found->level);
            out.set_created_at_ms(found->created_at_ms);
            req.reply(out);
          });
    });
    // [user-blocking-handler]
    handle<pb::GetBalance>([this](gamehost::Request& req, const pb::GetBalance&) {
      require_login(req);
      run_blocking(
          req, [this, user = req.user] { return own_balance(user); },
          [req](std::int64_t coins) {
            pb::Balance out;
            out.set_coins(coins);
            req.reply(out);
          });
    });
    handle<pb::GetLedger>([this](gamehost::Request& req, const pb::GetLedger& in) {
      require_login(req);
      const auto limit =
          in.limit() == 0 ? kDefaultLedgerLimit : std::min(in.limit(), kMaxLedgerLimit);
      run_blocking(
          req,
          [this, user = req.user, limit, before = in.before_id()] {
            pb::Ledger out;
            for (const auto& row : coins_.ledger(user, limit, before)) {
              auto* entry = out.add_entries();
              entry->set_id(row.id);
              entry->set_amount(row.amount);
              entry->set_reason(row.reason);
              entry->set_reference(row.reference);
              entry->set_balance_after(row.balance_after);
              entry->set_created_at_ms(row.created_at_ms);
            }
            return out;
          },
          [req](const pb::Ledger& out) { req.reply(out); });
    });

    // [user-serve]
    serve_blocking(api::kCredit, [this](const pb::CoinChange& in, std::string_view caller) {
      return change(CoinRequest::Kind::kCredit, in, caller);
    });
    // [user-serve]
    serve_blocking(api::kDebit, [this](const pb::CoinChange& in, std::string_view caller) {
      return change(CoinRequest::Kind::kDebit, in, caller);
    });
    serve_blocking(api::kTransfer, [this](const pb::Transfer& in, std::string_view caller) {
      return transfer(in, caller);
    });
    serve_blocking(api::kSettle, [this](const pb::Settle& in, std::string_view caller) {
      return settle(in, caller);
    });
    serve_blocking(api::kBalance, [this](const pb::BalanceQuery& in, std::string_view caller) {
      return balance(in, caller);
    });
    serve_blocking(api::kAddExperience,
                   [this](const pb::AddExperience& in, std::string_view caller) {
                     return add_experience(in, caller);
                   });
    // Callers built against SDK 1.2 name the methods by the numbers of user.proto's Method.
    serve_number(pb::CREDIT, api::kCredit.name);
    serve_number(pb::DEBIT, api::kDebit.name);
    serve_number(pb::TRANSFER, api::kTransfer.name);
    serve_number(pb::BALANCE, api::kBalance.name);
    serve_number(pb::ADD_EXPERIENCE, api::kAddExperience.name);
  }

  // The profile (with coin account and starting coins) exists from the first login on: the
  // work started here holds the session's later requests until it is done.
  // [user-session-job]
  void on_session_authenticated(gamehost::SessionId, gamehost::UserId user) override {
    if (user == 0) return;  // logged out
    try {
      run_blocking([this, user] { profiles_.ensure(user); },
                   [this, user](gamehost::Result<void>& done) {
                     try {
                       done.value();
                     } catch (const std::exception& e) {
                       host().log_warn("cannot create the profile of user ", user, " now (",
                                       e.what(), "); its first request will create it");
                     }
                   });
    } catch (const std::exception& e) {
      host().log_warn("cannot queue the profile of user ", user, " (", e.what(),
                      "); its first profile request will create it");
    }
  }
  // [user-session-job]

 private:
  // ---- Calls (blocking threads) ---------------------------------------------------------
  // Runs fill(result); a Refusal becomes the result's error code instead.
  template <class Result, class Fill>
  Result refusable(const char* what, std::string_view caller, Fill fill) {
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

  pb::CoinResult change(CoinRequest::Kind kind, const pb::CoinChange& in, std::string_view caller) {
    const char* what = kind == CoinRequest::Kind::kCredit ? "credit" : "debit";
    return refusable<pb::CoinResult>(what, caller, [&](pb::CoinResult& out) {
      const auto done =
          coins_.apply(CoinRequest{kind, in.user_id(), 0, in.amount(), in.reason(), in.reference(),
                                   in.idempotency_key(), std::string(caller)});
      out.set_balance(done.balance);
      out.set_ledger_id(done.ledger_id);
      out.set_replayed(done.replayed);
    });
  }

  pb::TransferResult transfer(const pb::Transfer& in, std::string_view caller) {
    return refusable<pb::TransferResult>("transfer", caller, [&](pb::TransferResult& out) {
      const auto done = coins_.apply(
          CoinRequest{CoinRequest::Kind::kTransfer, in.from_user_id(), in.to_user_id(), in.amount(),
                      in.reason(), in.reference(), in.idempotency_key(), std::string(caller)});
      out.set_from_balance(done.balance);
      out.set_to_balance(done.other_balance);
      out.set_replayed(done.replayed);
    });
  }

  pb::SettleResult settle(const pb::Settle& in, std::string_view caller) {
    return refusable<pb::SettleResult>("settle", caller, [&](pb::SettleResult& out) {
      SettleRequest request{
          {}, in.reason(), in.reference(), in.idempotency_key(), std::string(caller)};
      for (const auto& e : in.entries()) request.entries.push_back({e.user_id(), e.amount()});
      const auto done = coins_.settle(request);
      for (std::size_t i = 0; i < request.entries.size(); ++i) {
        auto* applied = out.add_applied();
        applied->set_user_id(request.entries[i].user);
        applied->set_amount(done.applied[i]);
        applied->set_balance_after(done.balances[i]);
      }
      out.set_replayed(done.replayed);
    });
  }

  pb::CoinResult balance(const pb::BalanceQuery& in, std::string_view caller) {
    return refusable<pb::CoinResult>("balance", caller, [&](pb::CoinResult& out) {
      const auto coins = in.user_id() == 0 ? std::nullopt : coins_.balance(in.user_id());
      if (!coins) {
        throw Refusal(pb::ERROR_UNKNOWN_USER,
                      gamehost::concat("user ", in.user_id(), " has no coins"));
      }
      out.set_balance(*coins);
    });
  }

  pb::ExperienceResult add_experience(const pb::AddExperience& in, std::string_view caller) {
    return refusable<pb::ExperienceResult>(
        "add_experience", caller, [&](pb::ExperienceResult& out) {
          const auto profile = profiles_.add_experience(in.user_id(), in.amount());
          out.set_level(profile.level);
          out.set_experience(profile.experience);
        });
  }

  // ---- Client requests (blocking threads)
  // -----------------------------------------------------------------
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
};

}  // namespace
}  // namespace gh_user

GAMEHOST_PLUGIN(gh_user::UserPlugin,
                "name = user\n"
                "version = 1.0.0\n"
                "ranges = 1100-1199\n",
                USER_MESSAGES)
