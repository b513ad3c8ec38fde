// Internal to the card plugin: what the plugin's queue and the tables' keyed lanes share.
//
// Each table runs on the keyed lane of its game id; the queue (client messages' key_of,
// GameStart, session events) has to find a player's table from outside it. TableIndex is
// that: which tables exist, and which user plays at which. Dealer is the shuffler every
// lane deals from.
//
// Thread-safe: every method may be called from the queue or any lane. Each takes one mutex
// for a few map operations and calls nothing else meanwhile (no host service, no table
// code). The index owns the tables, so a table's address is stable until it is erased; a
// table's contents belong to its lane and are never read or written under the mutex.
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "rules/deck.hpp"
#include "table.hpp"

namespace gh_card {

class TableIndex {
 public:
  // ---- Players (a user plays at most one running game) ----------------------------------
  // Claims every user in `users` for game_id, or none and false when one of them plays
  // another running game. On the queue, when a game starts (and in the constructor).
  bool claim(std::uint64_t game_id, const std::vector<gamehost::UserId>& users);
  // The users of game_id are free again; one claimed by another game since is left alone.
  // On the game's lane, when it finishes.
  void release(std::uint64_t game_id, const std::vector<gamehost::UserId>& users);
  // The running game `user` plays, if any.
  std::optional<std::uint64_t> game_of(gamehost::UserId user) const;
  bool plays(gamehost::UserId user, std::uint64_t game_id) const;

  // ---- Tables (running and settling) -----------------------------------------------------
  // Adds a table; on its lane (or in the constructor, when nothing else runs).
  Table& insert(std::unique_ptr<Table> table);
  // The table of game_id, or nullptr. Dereference it only on that game's lane (or when
  // nothing else of the plugin runs: export_state).
  Table* find(std::uint64_t game_id) const;
  // Removes the table and hands it to the caller, who destroys it outside the lock. On its
  // lane.
  std::unique_ptr<Table> erase(std::uint64_t game_id);
  // Every table, by game id: for export_state, which runs while every lane is idle.
  std::vector<const Table*> all() const;
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::unique_ptr<Table>> tables_;            // by game id
  std::unordered_map<gamehost::UserId, std::uint64_t> game_of_user_;  // players of running games
};

// The shuffler, behind a mutex: lanes deal in parallel and SeededShuffler is not thread-safe.
// With a seed, the deals follow one another in the order the lanes ask for them.
class Dealer {
 public:
  explicit Dealer(std::unique_ptr<Shuffler> shuffler) : shuffler_(std::move(shuffler)) {}

  struct FirstDeal {
    Seat first_bidder;
    Deal deal;
  };
  // A new game's first bidder, then its cards.
  FirstDeal first_deal();
  // The cards of a redeal.
  Deal deal();

 private:
  std::mutex mutex_;
  std::unique_ptr<Shuffler> shuffler_;  // guarded by mutex_
};

}  // namespace gh_card
