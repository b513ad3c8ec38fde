// libFuzzer: what a card client can send the rules engine, and the stored record format.
// Any set of card ids is classified without crashing and every reading it gives is a
// combination of exactly those cards; any text given to parse_record is read or refused,
// and a record that parses replays or names the first entry the rules refuse.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/combination.hpp"
#include "rules/game.hpp"
#include "table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gh_card;
  CardSet cards;
  for (std::size_t i = 0; i < size && i < 20; ++i) cards.insert(Card(data[i] % 54));
  for (const auto& reading : classify(cards).readings) {
    if (reading.card_count != cards.size()) std::abort();
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto parsed = parse_record(text)) {
    const auto replayed = replay(parsed->deal, parsed->first_bidder, parsed->actions);
    if (!replayed.game && replayed.failed_at >= parsed->actions.size() &&
        !parsed->actions.empty()) {
      std::abort();  // a failed replay names an entry of the record
    }
  }
  return 0;
}
