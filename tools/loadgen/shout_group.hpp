// The load generator's side of one shout group. Every member is one of our own connections
// and they all live on the same worker thread, so we can tell, without locks, when all of a
// shout's deliveries have arrived.
//
// Why it matters: if a shouter got its credit back as soon as its *own* copy returned, nothing
// would bound the copies still queued for the other members, and "saturated" would measure
// how far a server's queues can grow. Crediting per group-size deliveries keeps at most
// pipeline x group-size deliveries per shouter in flight: a true closed loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>

namespace gamehost::loadgen {

class ShoutGroup {
 public:
  using Credit = std::function<void()>;

  // A member that finished setting up; `credit` lets its writer send one more shout.
  void join(std::uint32_t sender, Credit credit) {
    members_[sender] = Member{std::move(credit), 0};
  }
  // A member whose connection dropped: later shouts reach one receiver fewer.
  void leave(std::uint32_t sender) { members_.erase(sender); }

  // One ShoutHeard from `sender` arrived at one of the members.
  void delivered(std::uint32_t sender) {
    const auto it = members_.find(sender);
    if (it == members_.end()) return;
    if (++it->second.deliveries >= members_.size()) {
      it->second.deliveries -= members_.size();
      it->second.credit();
    }
  }

 private:
  struct Member {
    Credit credit;
    std::size_t deliveries;  // received since the last credit
  };
  std::unordered_map<std::uint32_t, Member> members_;
};

}  // namespace gamehost::loadgen
