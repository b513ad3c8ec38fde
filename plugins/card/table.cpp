#include "table.hpp"

#include <charconv>
#include <sstream>

namespace gh_card {
namespace {

namespace pb = gamehost::card;

pb::Phase phase_message(Phase phase) {
  switch (phase) {
    case Phase::kPlaying:
      return pb::PHASE_PLAYING;
    case Phase::kFinished:
      return pb::PHASE_FINISHED;
    default:
      return pb::PHASE_BIDDING;  // kAwaitingRedeal lasts no longer than one event batch
  }
}

void write_cards(std::ostream& out, CardSet cards) {
  bool first = true;
  for (const auto card : cards.cards()) {
    out << (first ? "" : ",") << static_cast<int>(card.id());
    first = false;
  }
}

std::optional<CardSet> read_cards(std::string_view text) {
  CardSet out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    int id = 0;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
    if (ec != std::errc() || ptr != item.data() + item.size() || id < 0 || id >= Card::kDeckSize) {
      return std::nullopt;
    }
    out.insert(Card(static_cast<std::uint8_t>(id)));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

void write_deal(std::ostream& out, const Deal& deal) {
  for (const auto& hand : deal.hands) {
    write_cards(out, hand);
    out << '/';
  }
  write_cards(out, deal.hole);
}

std::optional<Deal> read_deal(std::string_view text) {
  Deal deal;
  for (int i = 0; i <= kSeats; ++i) {
    const auto slash = text.find('/');
    const auto part = read_cards(text.substr(0, slash));
    if (!part) return std::nullopt;
    (i < kSeats ? deal.hands[i] : deal.hole) = *part;
    if (i < kSeats && slash == std::string_view::npos) return std::nullopt;
    text = slash == std::string_view::npos ? std::string_view() : text.substr(slash + 1);
  }
  if (!is_valid_deal(deal)) return std::nullopt;
  return deal;
}

constexpr char kSourceLetter[] = {'p', 't', 'a'};  // player, timeout, auto

}  // namespace

void add_cards(google::protobuf::RepeatedField<std::uint32_t>* out, CardSet cards) {
  for (const auto card : cards.cards()) out->Add(card.id());
}

std::optional<CardSet> cards_from(const google::protobuf::RepeatedField<std::uint32_t>& ids) {
  CardSet out;
  for (const auto id : ids) {
    if (id >= static_cast<std::uint32_t>(Card::kDeckSize)) return std::nullopt;
    const Card card(static_cast<std::uint8_t>(id));
    if (out.contains(card)) return std::nullopt;
    out.insert(card);
  }
  return out;
}

pb::Result result_message(const GameResult& result, const Coins& coins, bool settled) {
  pb::Result r;
  r.set_winner(result.winner);
  r.set_landlord_won(result.landlord_won);
  r.set_score(result.score);
  r.set_spring(result.spring);
  r.set_anti_spring(result.anti_spring);
  for (const auto c : coins) r.add_coins(c);
  r.set_settled(settled);
  return r;
}

pb::GameView view_for(const Table& table, Seat seat, std::uint64_t now) {
  const auto v = table.game.view(seat);
  pb::GameView out;
  out.set_game_id(table.game_id);
  out.set_room_id(table.room_id);
  out.set_seat(seat);
  for (const auto& p : table.players) out.add_players(p.user);
  out.set_phase(phase_message(v.phase));
  add_cards(out.mutable_hand(), v.hand);
  for (const auto n : v.card_counts) out.add_card_counts(static_cast<std::uint32_t>(n));
  if (v.hole) add_cards(out.mutable_hole(), *v.hole);
  out.set_landlord(v.landlord ? static_cast<int>(*v.landlord) : -1);
  out.set_bid(static_cast<std::uint32_t>(v.bid));
  out.set_turn(v.turn);
  out.set_turn_ms_left(table.ms_left(now));
  if (v.last_play && v.last_player) {
    auto* last = out.mutable_last_play();
    last->set_seat(*v.last_player);
    add_cards(last->mutable_cards(), v.last_play->cards);
    last->set_type(static_cast<pb::ComboType>(v.last_play->combo.type));
  }
  for (const auto a : v.auto_play) out.add_auto_play(a);
  out.set_bombs(static_cast<std::uint32_t>(v.bombs));
  out.set_redeals(static_cast<std::uint32_t>(v.redeals));
  if (v.result) *out.mutable_result() = result_message(*v.result, v.result->deltas, false);
  return out;
}

// "deal;first_bidder;action action ...": a deal is "hand0/hand1/hand2/hole" of card ids;
// actions: B<seat><src>:<bid>, P<seat><src> (pass), C<seat><src>:<ids> (play),
// R<seat>:<deal> (redeal, seat = the new first bidder), A<seat>:<0|1> (auto-play).
std::string record_text(const Game& game) {
  std::ostringstream out;
  write_deal(out, game.initial_deal());
  out << ';' << static_cast<int>(game.initial_first_bidder()) << ';';
  bool first = true;
  for (const auto& a : game.record()) {
    out << (first ? "" : " ");
    first = false;
    const int seat = a.seat;
    const char src = kSourceLetter[static_cast<int>(a.source)];
    switch (a.kind) {
      case ActionKind::kBid:
        out << 'B' << seat << src << ':' << static_cast<int>(a.bid);
        break;
      case ActionKind::kPass:
        out << 'P' << seat << src;
        break;
      case ActionKind::kPlay:
        out << 'C' << seat << src << ':';
        write_cards(out, a.cards);
        out << ':' << static_cast<int>(a.combo.type) << '.' << index(a.combo.main) << '.'
            << static_cast<int>(a.combo.length);
        break;
      case ActionKind::kRedeal:
        out << 'R' << seat << ':';
        write_deal(out, a.deal);
        break;
      case ActionKind::kSetAuto:
        out << 'A' << seat << ':' << (a.auto_on ? 1 : 0);
        break;
    }
  }
  return out.str();
}

std::optional<ParsedRecord> parse_record(std::string_view text) {
  ParsedRecord out;
  const auto semi1 = text.find(';');
  const auto semi2 = semi1 == std::string_view::npos ? semi1 : text.find(';', semi1 + 1);
  if (semi2 == std::string_view::npos) return std::nullopt;
  const auto deal = read_deal(text.substr(0, semi1));
  const auto bidder = text.substr(semi1 + 1, semi2 - semi1 - 1);
  if (!deal || bidder.size() != 1 || bidder[0] < '0' || bidder[0] > '2') return std::nullopt;
  out.deal = *deal;
  out.first_bidder = static_cast<Seat>(bidder[0] - '0');
  auto rest = text.substr(semi2 + 1);
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    const auto item = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (item.size() < 2 || item[1] < '0' || item[1] > '2') return std::nullopt;
    Action a;
    a.seat = static_cast<Seat>(item[1] - '0');
    const auto source_of = [&](char c) -> bool {
      for (int i = 0; i < 3; ++i) {
        if (kSourceLetter[i] == c) {
          a.source = static_cast<ActionSource>(i);
          return true;
        }
      }
      return false;
    };
    switch (item[0]) {
      case 'B':
        if (item.size() != 5 || !source_of(item[2]) || item[3] != ':') return std::nullopt;
        a.kind = ActionKind::kBid;
        a.bid = static_cast<std::uint8_t>(item[4] - '0');
        break;
      case 'P':
        if (item.size() != 3 || !source_of(item[2])) return std::nullopt;
        a.kind = ActionKind::kPass;
        break;
      case 'C': {
        if (item.size() < 5 || !source_of(item[2]) || item[3] != ':') return std::nullopt;
        const auto body = item.substr(4);
        const auto colon = body.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        const auto cards = read_cards(body.substr(0, colon));
        int type = 0, main = 0, length = 0;
        char dot1 = 0, dot2 = 0;
        std::istringstream reading{std::string(body.substr(colon + 1))};
        if (!cards || !(reading >> type >> dot1 >> main >> dot2 >> length) || dot1 != '.' ||
            dot2 != '.' || type < 0 || type >= kComboTypeCount || main < 0 || main >= kRankCount ||
            length < 1 || length > 20) {
          return std::nullopt;
        }
        a.kind = ActionKind::kPlay;
        a.cards = *cards;
        a.combo = Combination{static_cast<ComboType>(type), rank_at(main),
                              static_cast<std::uint8_t>(length),
                              static_cast<std::uint8_t>(cards->size())};
        break;
      }
      case 'R': {
        if (item.size() < 3 || item[2] != ':') return std::nullopt;
        const auto d = read_deal(item.substr(3));
        if (!d) return std::nullopt;
        a.kind = ActionKind::kRedeal;
        a.deal = *d;
        break;
      }
      case 'A':
        if (item.size() != 4 || item[2] != ':') return std::nullopt;
        a.kind = ActionKind::kSetAuto;
        a.auto_on = item[3] == '1';
        break;
      default:
        return std::nullopt;
    }
    out.actions.push_back(a);
  }
  return out;
}

}  // namespace gh_card
