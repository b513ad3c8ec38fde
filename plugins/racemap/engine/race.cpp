#include "engine/race.hpp"

#include <algorithm>
#include <limits>

namespace gh_racemap {

std::string_view to_string(PassError e) {
  switch (e) {
    case PassError::kOk:
      return "ok";
    case PassError::kFinished:
      return "you have finished the race";
    case PassError::kBadPosition:
      return "the position is not a finite point";
    case PassError::kNoSuchCheckpoint:
      return "no such checkpoint or lap on this track";
    case PassError::kSkipped:
      return "a checkpoint was skipped: pass the next one first";
    case PassError::kAlreadyPassed:
      return "that checkpoint was passed already";
    case PassError::kOutsideRadius:
      return "the position is outside the checkpoint's radius";
    case PassError::kTooFast:
      return "too little time since the previous checkpoint";
  }
  return "unknown";
}

std::uint32_t Progress::lap(const Track& t) const {
  if (finished()) return t.laps;
  return passes / t.checkpoint_count() + 1;
}

std::uint32_t Progress::checkpoint_in_lap(const Track& t) const {
  if (finished()) return t.checkpoint_count();
  return passes % t.checkpoint_count();
}

PassError check_pass(const Track& t, const Progress& p, const PassReport& r) {
  if (p.finished()) return PassError::kFinished;
  if (!finite(r.position)) return PassError::kBadPosition;
  const std::uint32_t n = t.checkpoint_count();
  if (r.checkpoint >= n || r.lap > t.laps) return PassError::kNoSuchCheckpoint;
  // Where the report sits in the whole race, against where the racer is.
  const std::uint64_t expected = p.passes;
  const std::uint64_t reported = r.lap == 0 ? std::uint64_t{p.passes / n} * n + r.checkpoint
                                            : std::uint64_t{r.lap - 1} * n + r.checkpoint;
  if (reported > expected) return PassError::kSkipped;
  if (reported < expected) return PassError::kAlreadyPassed;
  const Checkpoint& cp = t.checkpoints[r.checkpoint];
  if (distance(r.position, cp.at) > cp.radius) return PassError::kOutsideRadius;
  const std::uint64_t since = r.at_ms > p.last_pass_ms ? r.at_ms - p.last_pass_ms : 0;
  if (since < t.min_ms_to(r.checkpoint, p.passes == 0)) return PassError::kTooFast;
  return PassError::kOk;
}

PassError pass(const Track& t, Progress& p, const PassReport& r) {
  const auto verdict = check_pass(t, p, r);
  if (verdict != PassError::kOk) return verdict;
  ++p.passes;
  p.last_pass_ms = r.at_ms;
  p.position = r.position;
  if (p.passes >= t.passes_to_finish()) p.finish_ms = r.at_ms;
  return verdict;
}

double distance_to_next(const Track& t, const Progress& p) {
  if (p.finished() || !p.position) return std::numeric_limits<double>::infinity();
  return distance(*p.position, t.checkpoints[p.next_checkpoint(t)].at);
}

namespace {

int group(const Entrant& e) {
  if (e.progress.finished()) return 0;
  switch (e.presence) {
    case Presence::kConnected:
      return 1;
    case Presence::kDisconnected:
      return 2;
    case Presence::kRetired:
      return 3;
  }
  return 3;
}

struct Key {
  int group;
  std::uint64_t finish_ms;
  std::uint32_t passes;
  double distance;
  std::uint64_t last_pass_ms;
  std::uint64_t user;
};

// <0: a ahead of b; 0: a tie; >0: b ahead.
int compare(const Key& a, const Key& b) {
  if (a.group != b.group) return a.group < b.group ? -1 : 1;
  if (a.group == 0) {
    return a.finish_ms == b.finish_ms ? 0 : (a.finish_ms < b.finish_ms ? -1 : 1);
  }
  if (a.passes != b.passes) return a.passes > b.passes ? -1 : 1;
  if (a.distance != b.distance) return a.distance < b.distance ? -1 : 1;
  if (a.last_pass_ms != b.last_pass_ms) return a.last_pass_ms < b.last_pass_ms ? -1 : 1;
  return 0;
}

}  // namespace

std::vector<Standing> rank(const Track& t, const std::vector<Entrant>& entrants) {
  std::vector<Key> keys;
  keys.reserve(entrants.size());
  for (const auto& e : entrants) {
    keys.push_back(Key{group(e), e.progress.finish_ms.value_or(0), e.progress.passes,
                       distance_to_next(t, e.progress), e.progress.last_pass_ms, e.user});
  }
  std::vector<std::size_t> order(entrants.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const int c = compare(keys[a], keys[b]);
    if (c != 0) return c < 0;
    if (keys[a].user != keys[b].user) return keys[a].user < keys[b].user;
    return a < b;
  });
  std::vector<Standing> out;
  out.reserve(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::uint32_t place = static_cast<std::uint32_t>(i + 1);
    if (i > 0 && compare(keys[order[i - 1]], keys[order[i]]) == 0) place = out.back().place;
    out.push_back(Standing{order[i], place, keys[order[i]].distance});
  }
  return out;
}

}  // namespace gh_racemap
