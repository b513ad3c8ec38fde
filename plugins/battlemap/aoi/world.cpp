#include "aoi/world.hpp"

#include <algorithm>
#include <cmath>

namespace gh_battlemap::aoi {

World::World(const Grid& grid) : grid_(grid), cells_(grid.cell_count()) {}

std::optional<EntityView> World::find(EntityId id) const {
  const auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return slots_[it->second].view;
}

std::optional<Cell> World::cell_of(EntityId id) const {
  const auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return slots_[it->second].cell;
}

std::vector<EntityId> World::in_view(EntityId observer) const {
  std::vector<EntityId> out;
  for_each_in_view(observer, [&](const EntityView& v) { out.push_back(v.id); });
  std::sort(out.begin(), out.end());
  return out;
}

void World::add_to_cell(std::uint32_t slot) {
  auto& members = cells_[grid_.index(slots_[slot].cell)].members;
  slots_[slot].index_in_cell = static_cast<std::uint32_t>(members.size());
  members.push_back(slot);
}

void World::remove_from_cell(std::uint32_t slot) {
  auto& members = cells_[grid_.index(slots_[slot].cell)].members;
  const auto i = slots_[slot].index_in_cell;
  members[i] = members.back();
  slots_[members[i]].index_in_cell = i;
  members.pop_back();
}

void World::meet_cell(std::uint32_t slot, Cell c, bool appear) {
  Slot& self = slots_[slot];
  for (const auto other : cells_[grid_.index(c)].members) {
    if (other == slot) continue;
    Slot& o = slots_[other];
    o.pending.push_back({self.view.id, appear});
    self.pending.push_back({o.view.id, appear});
  }
}

void World::mark_moved(std::uint32_t slot) {
  if (slots_[slot].moved) return;
  slots_[slot].moved = true;
  moved_.push_back(slot);
}

bool World::enter(EntityId id, Vec2 p, float dir) {
  if (by_id_.contains(id) || !grid_.inside(p)) return false;
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.view = EntityView{id, p, dir};
  s.cell = grid_.cell_of(p);
  s.alive = true;
  s.moved = false;
  s.mark = 0;
  s.pending.clear();
  by_id_.emplace(id, slot);
  grid_.for_each_near(s.cell, [&](Cell c) { meet_cell(slot, c, true); });
  add_to_cell(slot);
  // Someone who saw this id leave in this tick and sees it again gets its new position.
  mark_moved(slot);
  return true;
}

bool World::leave(EntityId id) {
  const auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  const auto slot = it->second;
  remove_from_cell(slot);
  Slot& s = slots_[slot];
  grid_.for_each_near(s.cell, [&](Cell c) {
    for (const auto other : cells_[grid_.index(c)].members) {
      slots_[other].pending.push_back({id, false});
    }
  });
  s.alive = false;
  s.moved = false;
  s.pending.clear();
  by_id_.erase(it);
  free_slots_.push_back(slot);
  return true;
}

bool World::place(EntityId id, Vec2 p, float dir) {
  const auto it = by_id_.find(id);
  if (it == by_id_.end() || !grid_.inside(p)) return false;
  const auto slot = it->second;
  Slot& s = slots_[slot];
  if (s.view.pos.x == p.x && s.view.pos.y == p.y && s.view.dir == dir) return true;
  s.view.pos = p;
  s.view.dir = dir;
  mark_moved(slot);
  const Cell from = s.cell;
  const Cell to = grid_.sticky_cell(from, p);
  if (to == from) return true;
  remove_from_cell(slot);
  // Cells that leave the view, then cells that come into it (the jump may be any length).
  grid_.for_each_near(from, [&](Cell c) {
    if (!near(c, to)) meet_cell(slot, c, false);
  });
  grid_.for_each_near(to, [&](Cell c) {
    if (!near(c, from)) meet_cell(slot, c, true);
  });
  slots_[slot].cell = to;
  add_to_cell(slot);
  return true;
}

void World::forget(EntityId observer) {
  const auto it = by_id_.find(observer);
  if (it == by_id_.end()) return;
  auto& pending = slots_[it->second].pending;
  pending.clear();
  for_each_in_view(observer, [&](const EntityView& v) { pending.push_back({v.id, true}); });
}

void World::begin_flush() {
  ++tick_;
  for (const auto slot : moved_) {
    const Slot& s = slots_[slot];
    if (s.alive && s.moved) cells_[grid_.index(s.cell)].moved_tick = tick_;
  }
}

bool World::collect(std::uint32_t observer) {
  Slot& self = slots_[observer];
  batch_.clear();
  batch_.observer = self.view.id;
  ++mark_;
  auto& pending = self.pending;
  if (!pending.empty()) {
    std::sort(pending.begin(), pending.end(),
              [](const PendingOp& a, const PendingOp& b) { return a.other < b.other; });
    for (std::size_t i = 0; i < pending.size();) {
      const EntityId other = pending[i].other;
      int sum = 0;
      for (; i < pending.size() && pending[i].other == other; ++i)
        sum += pending[i].appear ? 1 : -1;
      if (sum > 0) {
        // Appear: the other is in view now (its last op for this pair was an Appear).
        const auto slot = by_id_.at(other);
        slots_[slot].mark = mark_;
        batch_.appeared.push_back(slots_[slot].view);
      } else if (sum < 0) {
        batch_.disappeared.push_back(other);
      }
    }
    pending.clear();
  }
  grid_.for_each_near(self.cell, [&](Cell c) {
    const CellData& cell = cells_[grid_.index(c)];
    if (cell.moved_tick != tick_) return;
    for (const auto s : cell.members) {
      const Slot& o = slots_[s];
      if (o.moved && s != observer && o.mark != mark_) batch_.moved.push_back(o.view);
    }
  });
  return !batch_.empty();
}

void World::end_flush() {
  for (const auto slot : moved_) slots_[slot].moved = false;
  moved_.clear();
}

std::vector<World::SavedEntity> World::save() const {
  std::vector<SavedEntity> out;
  out.reserve(by_id_.size());
  for (const auto& s : slots_) {
    if (!s.alive) continue;
    out.push_back(SavedEntity{s.view, s.cell, s.moved, s.pending});
  }
  return out;
}

std::optional<World> World::restore(const Grid& grid, const std::vector<SavedEntity>& entities) {
  World w(grid);
  for (const auto& e : entities) {
    if (w.by_id_.contains(e.view.id) || !grid.inside(e.view.pos) || !grid.in_range(e.cell)) {
      return std::nullopt;
    }
    // The cell it counts in is its own or one it is still within the margin of.
    if (grid.sticky_cell(e.cell, e.view.pos) != e.cell) return std::nullopt;
    const auto slot = static_cast<std::uint32_t>(w.slots_.size());
    w.slots_.emplace_back();
    Slot& s = w.slots_.back();
    s.view = e.view;
    s.cell = e.cell;
    s.alive = true;
    s.pending = e.pending;
    w.by_id_.emplace(e.view.id, slot);
    w.add_to_cell(slot);
    if (e.moved) w.mark_moved(slot);
  }
  return w;
}

}  // namespace gh_battlemap::aoi
