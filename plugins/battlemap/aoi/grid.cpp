#include "aoi/grid.hpp"

#include <cmath>

namespace gh_battlemap::aoi {

float distance(Vec2 a, Vec2 b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

namespace {

std::int32_t cells_along(float length, float cell) {
  return std::max<std::int32_t>(1, static_cast<std::int32_t>(std::ceil(length / cell)));
}

}  // namespace

bool Grid::valid(float width, float height, float cell_size, float margin) {
  if (!(std::isfinite(width) && std::isfinite(height) && std::isfinite(cell_size) &&
        std::isfinite(margin))) {
    return false;
  }
  if (width <= 0 || height <= 0 || cell_size <= 0 || margin < 0 || margin > cell_size / 2) {
    return false;
  }
  const double cells = std::ceil(static_cast<double>(width) / cell_size) *
                       std::ceil(static_cast<double>(height) / cell_size);
  return cells <= static_cast<double>(kMaxCells);
}

Grid::Grid(float width, float height, float cell_size, float margin)
    : width_(width),
      height_(height),
      cell_(cell_size),
      margin_(margin),
      columns_(cells_along(width, cell_size)),
      rows_(cells_along(height, cell_size)) {}

bool Grid::inside(Vec2 p) const {
  return std::isfinite(p.x) && std::isfinite(p.y) && p.x >= 0 && p.y >= 0 && p.x <= width_ &&
         p.y <= height_;
}

Cell Grid::cell_of(Vec2 p) const {
  auto along = [this](float v, std::int32_t n) {
    const auto i = static_cast<std::int32_t>(std::floor(v / cell_));
    return i < 0 ? 0 : (i >= n ? n - 1 : i);
  };
  return Cell{along(p.x, columns_), along(p.y, rows_)};
}

Cell Grid::sticky_cell(Cell current, Vec2 p) const {
  const float x0 = static_cast<float>(current.x) * cell_ - margin_;
  const float y0 = static_cast<float>(current.y) * cell_ - margin_;
  const float x1 = static_cast<float>(current.x + 1) * cell_ + margin_;
  const float y1 = static_cast<float>(current.y + 1) * cell_ + margin_;
  if (p.x >= x0 && p.x < x1 && p.y >= y0 && p.y < y1) return current;
  return cell_of(p);
}

}  // namespace gh_battlemap::aoi
