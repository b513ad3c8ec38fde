// The World against a brute-force reference: thousands of random enters, moves, leaves,
// reconnects and flushes. After every flush the set each client has been told about (the
// batches applied one after the other, as a client would) equals the set of entities in
// its 9-grid, computed from scratch with the hysteresis rule, and every position it holds
// is the entity's true one. An Appear for an entity the client already knows, a Disappear
// or a move for one it does not, or a batch for an observer whose view did not change
// fails the test.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "aoi/world.hpp"

namespace gh_battlemap::aoi {
namespace {

// The reference: positions, and the cell each entity counts in, by the rule of the issue
// written out again (not Grid::sticky_cell).
struct Reference {
  float width, height, cell, margin;
  struct Entity {
    Vec2 pos;
    float dir;
    std::int32_t cx, cy;
  };
  std::map<EntityId, Entity> entities;

  std::int32_t cols() const { return static_cast<std::int32_t>(std::ceil(width / cell)); }
  std::int32_t rows() const { return static_cast<std::int32_t>(std::ceil(height / cell)); }
  std::pair<std::int32_t, std::int32_t> plain_cell(Vec2 p) const {
    auto cx = static_cast<std::int32_t>(std::floor(p.x / cell));
    auto cy = static_cast<std::int32_t>(std::floor(p.y / cell));
    return {std::clamp(cx, 0, cols() - 1), std::clamp(cy, 0, rows() - 1)};
  }
  void enter(EntityId id, Vec2 p, float dir) {
    const auto [cx, cy] = plain_cell(p);
    entities[id] = {p, dir, cx, cy};
  }
  void place(EntityId id, Vec2 p, float dir) {
    auto& e = entities.at(id);
    e.pos = p;
    e.dir = dir;
    const bool within = p.x >= e.cx * cell - margin && p.x < (e.cx + 1) * cell + margin &&
                        p.y >= e.cy * cell - margin && p.y < (e.cy + 1) * cell + margin;
    if (!within) std::tie(e.cx, e.cy) = plain_cell(p);
  }
  std::set<EntityId> view_of(EntityId id) const {
    const auto& me = entities.at(id);
    std::set<EntityId> out;
    for (const auto& [other, e] : entities) {
      if (other != id && std::abs(e.cx - me.cx) <= 1 && std::abs(e.cy - me.cy) <= 1) {
        out.insert(other);
      }
    }
    return out;
  }
};

struct Known {
  Vec2 pos;
  float dir;
};
using ClientView = std::map<EntityId, Known>;

class Scenario {
 public:
  Scenario(std::uint32_t seed, float width, float height, float cell, float margin,
           std::uint32_t population)
      : rng_(seed),
        grid_(width, height, cell, margin),
        world_(grid_),
        ref_{width, height, cell, margin, {}},
        population_(population) {}

  Vec2 random_pos() {
    std::uniform_real_distribution<float> x(0, grid_.width()), y(0, grid_.height());
    return {x(rng_), y(rng_)};
  }
  float random_dir() { return std::uniform_real_distribution<float>(0, 6.28f)(rng_); }
  EntityId random_present() {
    auto it = ref_.entities.begin();
    std::advance(it, std::uniform_int_distribution<std::size_t>(0, ref_.entities.size() - 1)(rng_));
    return it->first;
  }

  void step() {
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng_);
    if (ref_.entities.empty() || (roll < 8 && ref_.entities.size() < population_)) {
      EntityId id;
      do {
        id = std::uniform_int_distribution<EntityId>(1, population_ * 2)(rng_);
      } while (ref_.entities.contains(id));
      const auto p = random_pos();
      const auto d = random_dir();
      ASSERT_TRUE(world_.enter(id, p, d));
      ref_.enter(id, p, d);
      clients_[id] = {};  // a new client knows nobody
      touched_.insert(id);
    } else if (roll < 13) {
      const auto id = random_present();
      ASSERT_TRUE(world_.leave(id));
      ref_.entities.erase(id);
      clients_.erase(id);
      touched_.insert(id);
    } else if (roll < 15) {
      const auto id = random_present();
      world_.forget(id);
      clients_[id] = {};  // a reconnect: the new connection knows nobody yet
      forgotten_.insert(id);
    } else {
      const auto id = random_present();
      auto p = ref_.entities.at(id).pos;
      if (roll < 20) {
        p = random_pos();  // a jump: the engine takes any accepted position
      } else {
        // A walk, often along a cell border where hysteresis matters.
        std::normal_distribution<float> step(0, grid_.cell_size() / 6);
        p.x = std::clamp(p.x + step(rng_), 0.0f, grid_.width());
        p.y = std::clamp(p.y + step(rng_), 0.0f, grid_.height());
      }
      const auto d = random_dir();
      ASSERT_TRUE(world_.place(id, p, d));
      ref_.place(id, p, d);
      touched_.insert(id);
    }
  }

  // Flushes and checks every client against the reference.
  void flush_and_check() {
    std::set<EntityId> batched;
    world_.flush([&](const Batch& b) {
      ASSERT_FALSE(b.empty()) << "an empty batch was sent";
      ASSERT_TRUE(batched.insert(b.observer).second) << "two batches in one tick";
      ASSERT_TRUE(ref_.entities.contains(b.observer)) << "a batch for an absent observer";
      auto& client = clients_.at(b.observer);
      std::set<EntityId> in_batch;
      for (const auto& v : b.appeared) {
        ASSERT_FALSE(client.contains(v.id))
            << "duplicate Appear of " << v.id << " to " << b.observer;
        client[v.id] = {v.pos, v.dir};
        in_batch.insert(v.id);
      }
      for (const auto id : b.disappeared) {
        ASSERT_EQ(client.erase(id), 1u) << "Disappear of " << id << " not known to " << b.observer;
        ASSERT_TRUE(in_batch.insert(id).second);
      }
      for (const auto& v : b.moved) {
        ASSERT_TRUE(client.contains(v.id)) << "move of " << v.id << " not known to " << b.observer;
        ASSERT_TRUE(in_batch.insert(v.id).second) << "an entity twice in one batch";
        client[v.id] = {v.pos, v.dir};
      }
    });
    if (::testing::Test::HasFatalFailure()) return;
    for (const auto& [id, e] : ref_.entities) {
      const auto expected = ref_.view_of(id);
      const auto& client = clients_.at(id);
      std::set<EntityId> told;
      for (const auto& [other, k] : client) told.insert(other);
      ASSERT_EQ(told, expected) << "observer " << id << " after " << ops_ << " ops";
      bool changed = forgotten_.contains(id) && !expected.empty();
      for (const auto other : expected) {
        const auto& truth = ref_.entities.at(other);
        ASSERT_EQ(client.at(other).pos.x, truth.pos.x);
        ASSERT_EQ(client.at(other).pos.y, truth.pos.y);
        ASSERT_EQ(client.at(other).dir, truth.dir);
        if (touched_.contains(other)) changed = true;
      }
      if (previous_.contains(id) && previous_.at(id) != expected) changed = true;
      if (!previous_.contains(id) && !expected.empty()) changed = true;
      if (!changed) {
        ASSERT_FALSE(batched.contains(id)) << "a batch to " << id << " whose view did not change";
      }
      // The engine's own view agrees too.
      const auto engine_view = world_.in_view(id);
      ASSERT_EQ(std::set<EntityId>(engine_view.begin(), engine_view.end()), expected);
    }
    previous_.clear();
    for (const auto& [id, e] : ref_.entities) previous_[id] = ref_.view_of(id);
    touched_.clear();
    forgotten_.clear();
  }

  void run(int ops, int max_ops_per_tick) {
    std::uniform_int_distribution<int> per_tick(1, max_ops_per_tick);
    int until_flush = per_tick(rng_);
    for (ops_ = 0; ops_ < ops; ++ops_) {
      step();
      if (::testing::Test::HasFatalFailure()) return;
      if (--until_flush == 0) {
        flush_and_check();
        if (::testing::Test::HasFatalFailure()) return;
        until_flush = per_tick(rng_);
      }
    }
    flush_and_check();
  }

  // A handover in the middle: the restored World goes on as if nothing happened.
  void swap_for_restored() {
    auto restored = World::restore(grid_, world_.save());
    ASSERT_TRUE(restored.has_value());
    world_ = std::move(*restored);
  }

 private:
  std::mt19937 rng_;
  Grid grid_;
  World world_;
  Reference ref_;
  std::uint32_t population_;
  std::map<EntityId, ClientView> clients_;
  std::map<EntityId, std::set<EntityId>> previous_;
  std::set<EntityId> touched_, forgotten_;
  int ops_ = 0;
};

struct Params {
  float width, height, cell, margin;
  std::uint32_t population;
  int max_ops_per_tick;
};

class AoiReference : public ::testing::TestWithParam<Params> {};

TEST_P(AoiReference, ToldSetEqualsNineGridAfterEveryFlush) {
  const auto p = GetParam();
  for (std::uint32_t seed = 1; seed <= 4; ++seed) {
    Scenario s(seed, p.width, p.height, p.cell, p.margin, p.population);
    s.run(5000, p.max_ops_per_tick);
    ASSERT_FALSE(HasFatalFailure()) << "seed " << seed;
  }
}

TEST_P(AoiReference, SurvivesSaveAndRestoreMidTick) {
  const auto p = GetParam();
  Scenario s(99, p.width, p.height, p.cell, p.margin, p.population);
  for (int round = 0; round < 20; ++round) {
    s.run(150, p.max_ops_per_tick);
    ASSERT_FALSE(HasFatalFailure());
    for (int i = 0; i < 7; ++i) s.step();  // pending ops and moves not yet flushed
    s.swap_for_restored();
    ASSERT_FALSE(HasFatalFailure());
  }
  s.run(500, p.max_ops_per_tick);
}

INSTANTIATE_TEST_SUITE_P(
    Maps, AoiReference,
    ::testing::Values(Params{500, 500, 50, 0, 40, 1},     // a flush after every op
                      Params{500, 500, 50, 0, 80, 25},    // plain 9-grid
                      Params{500, 500, 50, 10, 80, 25},   // hysteresis
                      Params{500, 500, 50, 25, 40, 10},   // the largest margin allowed
                      Params{330, 170, 40, 4, 120, 40},   // ragged edges, crowded
                      Params{100, 100, 100, 0, 30, 5}));  // one cell: everyone sees everyone

TEST(World, NoBatchWhenNothingInViewChanged) {
  Grid grid(1000, 1000, 50, 0);
  World w(grid);
  ASSERT_TRUE(w.enter(1, {10, 10}, 0));
  ASSERT_TRUE(w.enter(2, {20, 20}, 0));
  ASSERT_TRUE(w.enter(3, {900, 900}, 0));
  int batches = 0;
  w.flush([&](const Batch&) { ++batches; });
  EXPECT_EQ(batches, 2);  // 1 and 2 meet; 3 sees nobody
  batches = 0;
  w.flush([&](const Batch&) { ++batches; });
  EXPECT_EQ(batches, 0);
  ASSERT_TRUE(w.place(3, {901, 900}, 0));  // nobody sees 3
  w.flush([&](const Batch&) { ++batches; });
  EXPECT_EQ(batches, 0);
  ASSERT_TRUE(w.place(2, {21, 20}, 1));
  std::vector<EntityId> told;
  w.flush([&](const Batch& b) {
    told.push_back(b.observer);
    ASSERT_EQ(b.moved.size(), 1u);
    EXPECT_EQ(b.moved[0].id, 2u);
    EXPECT_EQ(b.moved[0].pos.x, 21);
  });
  EXPECT_EQ(told, std::vector<EntityId>{1});
}

TEST(World, HysteresisKeepsTheCellNearTheBorder) {
  Grid grid(1000, 1000, 50, 5);
  World w(grid);
  ASSERT_TRUE(w.enter(1, {49, 10}, 0));   // cell 0
  ASSERT_TRUE(w.enter(2, {148, 10}, 0));  // cell 2: sees 1's neighbours up to cell 1 only
  w.flush([](const Batch&) {});
  EXPECT_TRUE(w.in_view(1).empty());
  ASSERT_TRUE(w.place(1, {53, 10}, 0));  // over the border, within the margin: still cell 0
  EXPECT_EQ(w.cell_of(1)->x, 0);
  EXPECT_TRUE(w.in_view(1).empty());
  ASSERT_TRUE(w.place(1, {56, 10}, 0));  // beyond the margin: cell 1, sees 2
  EXPECT_EQ(w.cell_of(1)->x, 1);
  EXPECT_EQ(w.in_view(1), std::vector<EntityId>{2});
  ASSERT_TRUE(w.place(1, {47, 10}, 0));  // back, within the margin of cell 1
  EXPECT_EQ(w.cell_of(1)->x, 1);
  ASSERT_TRUE(w.place(1, {44, 10}, 0));
  EXPECT_EQ(w.cell_of(1)->x, 0);
}

TEST(World, RefusesWhatDoesNotFit) {
  Grid grid(100, 100, 10, 0);
  World w(grid);
  EXPECT_FALSE(w.enter(1, {-1, 5}, 0));
  EXPECT_FALSE(w.enter(1, {5, 100.5f}, 0));
  EXPECT_FALSE(w.enter(1, {NAN, 5}, 0));
  EXPECT_TRUE(w.enter(1, {100, 100}, 0));  // the far corner is on the map
  EXPECT_FALSE(w.enter(1, {5, 5}, 0));     // the id is taken
  EXPECT_FALSE(w.place(1, {101, 5}, 0));
  EXPECT_FALSE(w.place(2, {5, 5}, 0));
  EXPECT_FALSE(w.leave(2));
  EXPECT_FALSE(Grid::valid(100, 100, 10, 6));       // margin above half a cell
  EXPECT_FALSE(Grid::valid(100000, 100000, 1, 0));  // too many cells
  EXPECT_TRUE(Grid::valid(1000, 1000, 50, 25));
}

}  // namespace
}  // namespace gh_battlemap::aoi
