#include "rules/deck.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace gh_card {
namespace {

void start_sodium() {
  // Idempotent and thread-safe; 1 means it was already started.
  if (sodium_init() < 0) throw std::runtime_error("card: libsodium failed to initialise");
}

// Unbiased [0, bound) from a source of uniform 32-bit numbers: reject the few values
// below 2^32 mod bound, so every remainder is equally likely.
template <class Next>
std::uint32_t uniform_from(std::uint32_t bound, Next&& next) {
  if (bound <= 1) return 0;
  const std::uint32_t reject_below = static_cast<std::uint32_t>(-bound) % bound;
  for (;;) {
    const std::uint32_t value = next();
    if (value >= reject_below) return value % bound;
  }
}

}  // namespace

SystemShuffler::SystemShuffler() {
  start_sodium();
}

std::uint32_t SystemShuffler::uniform(std::uint32_t bound) {
  return bound <= 1 ? 0 : randombytes_uniform(bound);
}

SeededShuffler::SeededShuffler(const Seed& seed) : seed_(seed) {
  static_assert(sizeof(Seed) == randombytes_SEEDBYTES);
  start_sodium();
}

SeededShuffler::SeededShuffler(std::uint64_t seed) : seed_{} {
  for (int i = 0; i < 8; ++i) seed_[i] = static_cast<std::uint8_t>(seed >> (8 * i));
  start_sodium();
}

void SeededShuffler::refill() {
  std::array<std::uint8_t, sizeof(Seed) + sizeof(block_)> bytes;
  randombytes_buf_deterministic(bytes.data(), bytes.size(), seed_.data());
  std::memcpy(seed_.data(), bytes.data(), sizeof(Seed));
  std::memcpy(block_.data(), bytes.data() + sizeof(Seed), sizeof(block_));
  used_ = 0;
}

std::uint32_t SeededShuffler::next() {
  if (used_ + 4 > sizeof(block_)) refill();
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= std::uint32_t{block_[used_ + i]} << (8 * i);
  used_ += 4;
  return value;
}

std::uint32_t SeededShuffler::uniform(std::uint32_t bound) {
  return uniform_from(bound, [this] { return next(); });
}

std::array<Card, Card::kDeckSize> shuffled_deck(Shuffler& shuffler) {
  std::array<Card, Card::kDeckSize> deck;
  for (int i = 0; i < Card::kDeckSize; ++i) deck[i] = Card(static_cast<std::uint8_t>(i));
  for (int i = Card::kDeckSize - 1; i > 0; --i) {
    const auto j = shuffler.uniform(static_cast<std::uint32_t>(i + 1));
    std::swap(deck[i], deck[j]);
  }
  return deck;
}

Deal deal_cards(Shuffler& shuffler) {
  const auto deck = shuffled_deck(shuffler);
  Deal deal;
  for (int i = 0; i < kSeats * kHandSize; ++i) deal.hands[i / kHandSize].insert(deck[i]);
  for (int i = kSeats * kHandSize; i < Card::kDeckSize; ++i) deal.hole.insert(deck[i]);
  return deal;
}

bool is_valid_deal(const Deal& deal) {
  CardSet all = deal.hole;
  int total = deal.hole.size();
  for (CardSet hand : deal.hands) {
    if (hand.size() != kHandSize) return false;
    all = all | hand;
    total += hand.size();
  }
  return deal.hole.size() == kHoleSize && total == Card::kDeckSize && all == CardSet::full_deck();
}

}  // namespace gh_card
