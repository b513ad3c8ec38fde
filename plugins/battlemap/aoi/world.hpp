// Internal to the battlemap plugin: one map instance's area of interest. Entities stand in
// the cells of a Grid; each sees the entities of its 9-grid (its cell and the 8 around it,
// with the hysteresis of Grid::sticky_cell), and is told about changes in what it sees once
// per tick, in one Batch: who came into view (with their position), who left it, and who
// of those it sees moved. Nothing is told to an observer whose view did not change.
//
// Pure C++: no host, no protobuf, no clock. Not thread-safe: one World belongs to one
// instance, touched only from that instance's keyed lane.
//
// How it stays exact: whenever two entities start or stop seeing each other (an enter, a
// leave, a move into another cell) each gets a pending Appear or Disappear op for the
// other. For one pair the ops alternate, so what the client must be told at the flush is
// their sum: +1 Appear, -1 Disappear, 0 nothing (the client's picture is still right).
// Moves are pulled at the flush: every entity whose position changed this tick is reported
// to the observers whose 9-grid holds its cell, except those that get it as an Appear.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "aoi/grid.hpp"

namespace gh_battlemap::aoi {

using EntityId = std::uint32_t;

struct EntityView {
  EntityId id = 0;
  Vec2 pos;
  float dir = 0;
};

// What one observer is told at the end of a tick.
struct Batch {
  EntityId observer = 0;
  std::vector<EntityView> appeared;   // came into view; by id
  std::vector<EntityId> disappeared;  // left the view (or the map); by id
  std::vector<EntityView> moved;      // in view before and now, with a new position or dir
  bool empty() const { return appeared.empty() && disappeared.empty() && moved.empty(); }
  void clear() {
    appeared.clear();
    disappeared.clear();
    moved.clear();
  }
};

class World {
 public:
  explicit World(const Grid& grid);

  const Grid& grid() const { return grid_; }
  std::size_t size() const { return by_id_.size(); }
  bool contains(EntityId id) const { return by_id_.contains(id); }
  std::optional<EntityView> find(EntityId id) const;
  std::optional<Cell> cell_of(EntityId id) const;

  // Adds an entity at p. False (and nothing changes) when the id is taken or p is off the
  // map. The entity and everyone in its 9-grid are told of each other at the next flush.
  bool enter(EntityId id, Vec2 p, float dir);
  // Removes an entity; whoever saw it is told Disappear at the next flush. False if absent.
  bool leave(EntityId id);
  // Puts an entity at p facing dir (the caller has judged the move; see movement.hpp).
  // Crossing into another cell changes what it sees and who sees it. False if the entity is
  // absent or p is off the map.
  bool place(EntityId id, Vec2 p, float dir);
  // The client of `observer` knows nothing any more (it reconnected): the next flush tells
  // it everyone it sees, as Appear.
  void forget(EntityId observer);

  // Calls fn(const EntityView&) for everyone `observer` sees now (not itself).
  template <class Fn>
  void for_each_in_view(EntityId observer, Fn&& fn) const {
    const auto it = by_id_.find(observer);
    if (it == by_id_.end()) return;
    const Slot& self = slots_[it->second];
    grid_.for_each_near(self.cell, [&](Cell c) {
      for (const auto s : cells_[grid_.index(c)].members) {
        if (s != it->second) fn(slots_[s].view);
      }
    });
  }
  std::vector<EntityId> in_view(EntityId observer) const;

  // Ends the tick: sink(const Batch&) once for every observer with something to be told,
  // in no promised order; the Batch is reused after sink returns.
  template <class Sink>
  void flush(Sink&& sink) {
    begin_flush();
    for (std::uint32_t s = 0; s < slots_.size(); ++s) {
      if (!slots_[s].alive) continue;
      if (collect(s)) sink(static_cast<const Batch&>(batch_));
    }
    end_flush();
  }

  // ---- Handover: everything needed to go on exactly where this World is -----------------
  struct PendingOp {
    EntityId other = 0;
    bool appear = false;
  };
  struct SavedEntity {
    EntityView view;
    Cell cell;           // the cell it counts in (hysteresis: not always cell_of(pos))
    bool moved = false;  // changed since the last flush
    std::vector<PendingOp> pending;
  };
  std::vector<SavedEntity> save() const;
  // A World holding `entities` exactly as saved; nullopt if they do not fit the grid (an
  // id twice, a position off the map, a cell out of range or too far from the position).
  static std::optional<World> restore(const Grid& grid, const std::vector<SavedEntity>& entities);

 private:
  struct Slot {
    EntityView view;
    Cell cell;
    std::uint32_t index_in_cell = 0;
    bool alive = false;
    bool moved = false;
    std::uint64_t mark = 0;  // == mark_ while it is in the current batch's appeared
    std::vector<PendingOp> pending;
  };
  struct CellData {
    std::vector<std::uint32_t> members;  // slots
    std::uint64_t moved_tick = 0;        // == tick_ when a member moved this tick
  };

  void add_to_cell(std::uint32_t slot);
  void remove_from_cell(std::uint32_t slot);
  // Both entities of every pair (slot, member of cell c) are told of each other.
  void meet_cell(std::uint32_t slot, Cell c, bool appear);
  void mark_moved(std::uint32_t slot);
  void begin_flush();
  bool collect(std::uint32_t observer);
  void end_flush();

  Grid grid_;
  std::vector<CellData> cells_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::unordered_map<EntityId, std::uint32_t> by_id_;
  std::vector<std::uint32_t> moved_;  // slots marked moved this tick (may hold dead ones)
  std::uint64_t tick_ = 0;
  std::uint64_t mark_ = 0;
  Batch batch_;
};

}  // namespace gh_battlemap::aoi
