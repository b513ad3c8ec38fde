#include "table_index.hpp"

#include <utility>

namespace gh_card {

bool TableIndex::claim(std::uint64_t game_id, const std::vector<gamehost::UserId>& users) {
  const std::lock_guard lock(mutex_);
  for (const auto user : users) {
    const auto it = game_of_user_.find(user);
    if (it != game_of_user_.end() && it->second != game_id) return false;
  }
  for (const auto user : users) game_of_user_[user] = game_id;
  return true;
}

void TableIndex::release(std::uint64_t game_id, const std::vector<gamehost::UserId>& users) {
  const std::lock_guard lock(mutex_);
  for (const auto user : users) {
    const auto it = game_of_user_.find(user);
    if (it != game_of_user_.end() && it->second == game_id) game_of_user_.erase(it);
  }
}

std::optional<std::uint64_t> TableIndex::game_of(gamehost::UserId user) const {
  const std::lock_guard lock(mutex_);
  const auto it = game_of_user_.find(user);
  if (it == game_of_user_.end()) return std::nullopt;
  return it->second;
}

bool TableIndex::plays(gamehost::UserId user, std::uint64_t game_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = game_of_user_.find(user);
  return it != game_of_user_.end() && it->second == game_id;
}

Table& TableIndex::insert(std::unique_ptr<Table> table) {
  Table& t = *table;
  const auto game_id = t.game_id;
  std::unique_ptr<Table> replaced;  // none in practice; destroyed after the lock is let go
  {
    const std::lock_guard lock(mutex_);
    auto& slot = tables_[game_id];
    replaced = std::exchange(slot, std::move(table));
  }
  return t;
}

Table* TableIndex::find(std::uint64_t game_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = tables_.find(game_id);
  return it == tables_.end() ? nullptr : it->second.get();
}

std::unique_ptr<Table> TableIndex::erase(std::uint64_t game_id) {
  const std::lock_guard lock(mutex_);
  const auto it = tables_.find(game_id);
  if (it == tables_.end()) return nullptr;
  auto table = std::move(it->second);
  tables_.erase(it);
  return table;
}

std::vector<const Table*> TableIndex::all() const {
  const std::lock_guard lock(mutex_);
  std::vector<const Table*> out;
  out.reserve(tables_.size());
  for (const auto& [id, table] : tables_) out.push_back(table.get());
  return out;
}

std::size_t TableIndex::size() const {
  const std::lock_guard lock(mutex_);
  return tables_.size();
}

Dealer::FirstDeal Dealer::first_deal() {
  const std::lock_guard lock(mutex_);
  const auto first_bidder = static_cast<Seat>(shuffler_->uniform(kSeats));
  return {first_bidder, deal_cards(*shuffler_)};
}

Deal Dealer::deal() {
  const std::lock_guard lock(mutex_);
  return deal_cards(*shuffler_);
}

}  // namespace gh_card
