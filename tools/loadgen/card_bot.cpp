#include "card_bot.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <unistd.h>

#include <vector>

#include "auth.pb.h"
#include "card.pb.h"
#include "gamehost/host.pb.h"
#include "room.pb.h"
#include "rules/hand_search.hpp"
#include "wire.hpp"

namespace gamehost::loadgen {
namespace {

namespace asio = boost::asio;
namespace pb = gamehost::card;
namespace rpb = gamehost::room;

// The ids the bot speaks (docs/protocol.md sections 8, 10 and 11).
constexpr std::uint32_t kGuestLogin = 1004, kLoginReply = 1001;
constexpr std::uint32_t kRoomState = 2001, kSetReady = 2007, kQuickMatch = 2009, kRoomUpdate = 2010,
                        kMatchFound = 2011, kConfirmSeat = 2012;
constexpr std::uint32_t kBid = 2100, kPlay = 2101, kActionDone = 2102, kGameView = 2103,
                        kGameEvent = 2104;

// Guest login, matching and 9,000 of them at once on two cores take a while.
constexpr auto kSetupTimeout = std::chrono::seconds(60);

gh_card::CardSet cards_of(const google::protobuf::RepeatedField<std::uint32_t>& ids) {
  gh_card::CardSet out;
  for (const auto id : ids) {
    if (id < 54) out.insert(gh_card::Card(static_cast<std::uint8_t>(id)));
  }
  return out;
}

std::string ready_payload() {
  rpb::SetReady r;
  r.set_ready(true);
  return r.SerializeAsString();
}

}  // namespace

CardBot::CardBot(asio::io_context& io, const Options& options,
                 const asio::ip::tcp::endpoint& endpoint, std::uint32_t index, RunStats& stats,
                 SetupProgress& progress)
    : executor_(io.get_executor()),
      options_(options),
      endpoint_(endpoint),
      index_(index),
      stats_(stats),
      progress_(progress),
      transport_(options.transport == TransportKind::kTcp ? make_tcp_transport(executor_)
                                                          : make_ws_transport(executor_)),
      wake_(executor_),
      think_(executor_),
      watchdog_(executor_) {}

void CardBot::launch() {
  asio::co_spawn(executor_, run(shared_from_this()), asio::detached);
  asio::co_spawn(executor_, write_loop(shared_from_this()), asio::detached);
}

void CardBot::start(const RunWindow& window) {
  window_ = window;
  started_ = true;
}

void CardBot::stop() {
  stopping_ = true;
  think_.cancel();
  wake_.cancel();
  transport_->abort();
}

void CardBot::send(std::uint32_t id, std::string payload) {
  outbox_.emplace_back(id, std::move(payload));
  if (writer_waiting_) wake_.cancel();
}

asio::awaitable<void> CardBot::write_loop(Self self) {
  std::vector<std::pair<std::uint32_t, std::string>> batch;
  std::vector<OutFrame> frames;
  while (!stopping_) {
    if (outbox_.empty()) {
      writer_waiting_ = true;
      wake_.expires_at(Clock::time_point::max());
      boost::system::error_code ec;
      co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      writer_waiting_ = false;
      continue;
    }
    batch.assign(std::make_move_iterator(outbox_.begin()), std::make_move_iterator(outbox_.end()));
    outbox_.clear();
    frames.clear();
    for (const auto& [id, payload] : batch) frames.push_back(OutFrame{id, payload});
    try {
      co_await transport_->write_frames(frames);
    } catch (const std::exception&) {
      co_return;  // the reader notices and counts the loss
    }
  }
}

asio::awaitable<void> CardBot::run(Self self) {
  watchdog_.expires_after(kSetupTimeout);
  watchdog_.async_wait([self](boost::system::error_code ec) {
    if (ec || self->ready_ || self->stopping_) return;
    ++self->stats_.setup_failures;
    self->stats_.note_error("card bot setup timed out (login, match or ready)");
    ++self->progress_.failed;
    self->stopping_ = true;
    self->transport_->abort();
  });
  try {
    co_await transport_->connect(endpoint_, options_.host);
    auth::GuestLoginRequest guest;
    // Unique per process and bot: a device id of 16+ characters.
    guest.set_device_id("loadgen-" + std::to_string(::getpid()) + "-bot-" +
                        std::to_string(1'000'000 + index_));
    send(kGuestLogin, guest.SerializeAsString());
    for (;;) {
      const auto frames = co_await transport_->read_frames();
      const auto now = Clock::now();
      for (const InFrame& f : frames) on_frame(f.id, f.payload, now);
      if (stopping_) co_return;
      maybe_act();  // after the whole batch: a bid and the landlord it made arrive together
    }
  } catch (const std::exception& e) {
    if (stopping_) co_return;
    if (ready_) {
      ++stats_.disconnects;
      stats_.note_error(std::string("card bot lost its connection: ") + e.what());
    } else {
      ++stats_.setup_failures;
      stats_.note_error(std::string("card bot setup failed: ") + e.what());
      ++progress_.failed;
      watchdog_.cancel();
    }
  }
}

void CardBot::on_frame(std::uint32_t id, std::string_view payload, Clock::time_point now) {
  const auto data = payload.data();
  const int size = static_cast<int>(payload.size());
  switch (id) {
    case msg::kHello:
      return;
    case kLoginReply: {
      rpb::QuickMatch q;
      q.set_game_type("doudizhu");
      send(kQuickMatch, q.SerializeAsString());
      return;
    }
    case kMatchFound: {
      rpb::MatchFound found;
      found.ParseFromArray(data, size);
      rpb::ConfirmSeat c;
      c.set_room_id(found.room_id());
      send(kConfirmSeat, c.SerializeAsString());
      return;
    }
    case kRoomState:
      if (!ready_) {
        send(kSetReady, ready_payload());
        ready_ = true;
        watchdog_.cancel();
        ++progress_.ready;
      }
      return;
    case kRoomUpdate: {
      rpb::RoomUpdate u;
      u.ParseFromArray(data, size);
      if (u.change_case() == rpb::RoomUpdate::kGameOver) send(kSetReady, ready_payload());
      return;
    }
    case kGameView: {
      pb::GameView v;
      v.ParseFromArray(data, size);
      game_ = v.game_id();
      seat_ = static_cast<int>(v.seat());
      bidding_ = v.phase() == pb::PHASE_BIDDING;
      bid_ = v.bid();
      turn_ = v.turn();
      hand_ = cards_of(v.hand());
      last_seat_.reset();
      last_.reset();
      acting_ = false;
      return;
    }
    case kGameEvent:
      on_game_event(payload, now);
      return;
    case kActionDone:
      return;
    case msg::kError: {
      wire::Error e;
      e.ParseFromArray(data, size);
      // Racing a turn timeout or a game's end is expected now and then; anything else is not.
      const bool race = e.code() == 2185 || e.code() == 2182 || e.code() == 2181 ||
                        e.code() == 2180 || e.code() == 2086;
      if (!race) {
        ++stats_.error_replies;
        stats_.note_error("error " + std::to_string(e.code()) + " for " +
                          std::to_string(e.request_id()) + ": " + e.text());
      }
      if (e.request_id() == kBid || e.request_id() == kPlay) acting_ = false;
      return;
    }
    default:
      ++stats_.other_frames;
  }
}

void CardBot::on_game_event(std::string_view payload, Clock::time_point now) {
  pb::GameEvent e;
  e.ParseFromArray(payload.data(), static_cast<int>(payload.size()));
  if (e.game_id() != game_) return;
  turn_ = e.turn();
  const bool mine = static_cast<int>(e.seat()) == seat_;
  switch (e.kind()) {
    case pb::GameEvent::BID:
      bid_ = std::max(bid_, e.bid());
      break;
    case pb::GameEvent::LANDLORD:
      bidding_ = false;
      last_seat_.reset();
      last_.reset();
      if (mine) hand_ = hand_ | cards_of(e.cards());
      break;
    case pb::GameEvent::PLAY: {
      const auto cards = cards_of(e.cards());
      if (mine) hand_ = hand_ - cards;
      last_seat_ = static_cast<int>(e.seat());
      last_.reset();
      for (const auto& r : gh_card::classify(cards).readings) {
        if (static_cast<int>(r.type) == e.type()) last_ = r;
      }
      break;
    }
    case pb::GameEvent::FINISHED:
      if (seat_ == 0 && measuring(now)) ++stats_.games;
      seat_ = -1;  // in no game until the next GameView
      acting_ = false;
      think_.cancel();
      return;
    default:
      break;
  }
  const bool own_action = mine && e.source() == pb::PLAYER &&
                          (e.kind() == pb::GameEvent::BID || e.kind() == pb::GameEvent::PASS ||
                           e.kind() == pb::GameEvent::PLAY);
  if (own_action && acting_) {
    acting_ = false;
    if (measuring(sent_at_)) {
      ++stats_.received;
      stats_.latency.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - sent_at_).count()));
    }
  }
}

void CardBot::maybe_act() {
  if (acting_ || stopping_ || seat_ < 0 || static_cast<int>(turn_) != seat_) return;
  acting_ = true;
  if (options_.think_ms <= 0) {
    act();
    return;
  }
  think_.expires_after(std::chrono::milliseconds(options_.think_ms));
  think_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && !self->stopping_) self->act();
  });
}

void CardBot::act() {
  sent_at_ = Clock::now();
  if (measuring(sent_at_)) ++stats_.sent;
  if (bidding_) {
    pb::Bid b;
    b.set_amount(bid_ == 0 ? 1 : 0);
    send(kBid, b.SerializeAsString());
    return;
  }
  std::optional<gh_card::Play> choice;
  if (!last_ || !last_seat_ || *last_seat_ == seat_) {
    if (!hand_.empty()) choice = gh_card::smallest_lead(hand_);
  } else {
    choice = gh_card::smallest_beating(hand_, *last_);
  }
  pb::Play p;
  if (choice) {
    for (const auto card : choice->cards.cards()) p.add_cards(card.id());
  }
  send(kPlay, p.SerializeAsString());
}

}  // namespace gamehost::loadgen
