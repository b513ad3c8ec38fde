// Internal to the battlemap plugin: the map's area cut into square cells, and the
// hysteresis rule that decides which cell an entity counts in. Pure C++: no host, no
// protobuf, no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace gh_battlemap::aoi {

struct Vec2 {
  float x = 0;
  float y = 0;
};

float distance(Vec2 a, Vec2 b);

// A cell of the grid: column x, row y, both from 0.
struct Cell {
  std::int32_t x = 0;
  std::int32_t y = 0;
  friend bool operator==(Cell, Cell) = default;
};

// The 9-grid rule: two cells see each other when they are the same or touch, diagonals
// included.
inline bool near(Cell a, Cell b) {
  return std::abs(a.x - b.x) <= 1 && std::abs(a.y - b.y) <= 1;
}

class Grid {
 public:
  // The largest number of cells a map may have (settings refuse bigger grids): the cells
  // are a dense array in every instance.
  static constexpr std::size_t kMaxCells = 65'536;

  // width, height and cell_size > 0, 0 <= margin <= cell_size / 2, at most kMaxCells cells
  // (the caller checks; see valid()).
  Grid(float width, float height, float cell_size, float margin);
  static bool valid(float width, float height, float cell_size, float margin);

  float width() const { return width_; }
  float height() const { return height_; }
  float cell_size() const { return cell_; }
  float margin() const { return margin_; }
  std::int32_t columns() const { return columns_; }
  std::int32_t rows() const { return rows_; }
  std::size_t cell_count() const {
    return static_cast<std::size_t>(columns_) * static_cast<std::size_t>(rows_);
  }

  // Finite and within [0, width] x [0, height].
  bool inside(Vec2 p) const;
  bool in_range(Cell c) const { return c.x >= 0 && c.y >= 0 && c.x < columns_ && c.y < rows_; }
  // The cell p lies in (clamped to the grid: the far edges belong to the last cells).
  Cell cell_of(Vec2 p) const;
  // The cell an entity counts in once it is at p, having counted in `current`: `current`
  // while p stays within `margin` of it (so walking along a border does not flicker), else
  // cell_of(p).
  Cell sticky_cell(Cell current, Vec2 p) const;
  std::size_t index(Cell c) const {
    return static_cast<std::size_t>(c.y) * static_cast<std::size_t>(columns_) +
           static_cast<std::size_t>(c.x);
  }

  // Calls fn(Cell) for each cell of c's 9-grid that lies on the map.
  template <class Fn>
  void for_each_near(Cell c, Fn&& fn) const {
    const std::int32_t x0 = c.x > 0 ? c.x - 1 : 0, y0 = c.y > 0 ? c.y - 1 : 0;
    const std::int32_t x1 = c.x + 1 < columns_ ? c.x + 1 : c.x;
    const std::int32_t y1 = c.y + 1 < rows_ ? c.y + 1 : c.y;
    for (std::int32_t y = y0; y <= y1; ++y) {
      for (std::int32_t x = x0; x <= x1; ++x) fn(Cell{x, y});
    }
  }

 private:
  float width_, height_, cell_, margin_;
  std::int32_t columns_, rows_;
};

}  // namespace gh_battlemap::aoi
