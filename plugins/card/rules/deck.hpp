// Internal to the card plugin: shuffling and dealing the 54 cards.
//
// Shuffles draw from a Shuffler: SystemShuffler (libsodium's CSPRNG) in production,
// SeededShuffler (a ChaCha20 stream from a 32-byte seed, libsodium's
// randombytes_buf_deterministic) where a test needs the same deal again. Both give
// unbiased numbers (rejection sampling), and the shuffle is Fisher-Yates.
#pragma once

#include <array>
#include <cstdint>

#include "rules/cards.hpp"
#include "rules/seat.hpp"

namespace gh_card {

class Shuffler {
 public:
  virtual ~Shuffler() = default;
  // A uniformly random number in [0, bound); bound >= 1.
  virtual std::uint32_t uniform(std::uint32_t bound) = 0;
};

// Thread-safe. Throws std::runtime_error from the constructor if libsodium cannot start.
class SystemShuffler final : public Shuffler {
 public:
  SystemShuffler();
  std::uint32_t uniform(std::uint32_t bound) override;
};

// Not thread-safe; for tests and replays only: the same seed gives the same numbers.
class SeededShuffler final : public Shuffler {
 public:
  using Seed = std::array<std::uint8_t, 32>;
  explicit SeededShuffler(const Seed& seed);
  // The seed's first 8 bytes, little-endian; the rest zero.
  explicit SeededShuffler(std::uint64_t seed);
  std::uint32_t uniform(std::uint32_t bound) override;

 private:
  std::uint32_t next();
  void refill();

  Seed seed_;  // of the next block; each block starts with the one after it
  std::array<std::uint8_t, 256> block_{};
  std::size_t used_ = sizeof(block_);
};

inline constexpr int kHandSize = 17;
inline constexpr int kHoleSize = 3;

struct Deal {
  std::array<CardSet, kSeats> hands;
  CardSet hole;  // the landlord's three extra cards

  friend bool operator==(const Deal&, const Deal&) = default;
};

// The 54 cards in a random order.
std::array<Card, Card::kDeckSize> shuffled_deck(Shuffler& shuffler);

// 17 cards to each seat (seat 0 the first 17 of a shuffled deck, ...) and the last 3 as
// the hole cards.
Deal deal_cards(Shuffler& shuffler);

// Whether `deal` is one: 17, 17, 17 and 3 cards that are the whole deck, none twice.
bool is_valid_deal(const Deal& deal);

}  // namespace gh_card
