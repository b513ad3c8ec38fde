// The racemap plugin: checkpoint races for the rooms of game type "race" (README.md).
//
// room publishes GameStart when a room is ready; this plugin takes it as a race on the
// default track: a countdown (the racers get the track in a RaceView), the go, then each
// racer reports the checkpoints it passes with its position, and the engine (engine/)
// accepts or refuses each pass by order, radius and time. Every tick the live ranking goes
// to every racer. A racer whose connection drops is ranked after the connected ones, and
// is retired when not back (logged in again) within the grace period. The race ends when
// everyone has finished or retired, or at the time limit: the racers get the result, room
// gets GameOver, and the results and new best times are stored (records.hpp); the
// leaderboard reads the best times.
//
// Threading: everything runs on the plugin's queue (no lock); database work runs with
// with_db off it. Each race is a drain key: under a drain reload running races finish on
// the old build; a handover reload hands them over (racemap_state.proto).
#include <gamehost/plugin.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <unordered_map>

#include "errors.hpp"
#include "protocol.hpp"
#include "racemap_state.pb.h"
#include "records.hpp"
#include "room_events.hpp"
#include "settings.hpp"

namespace gh_racemap {
namespace {

namespace pb = gamehost::racemap;
namespace room = gamehost::room;
using gamehost::ClientError;

constexpr std::uint32_t kStateVersion = 1;

struct Racer {
  gamehost::UserId user = 0;
  gamehost::SessionId session = 0;  // 0 while disconnected
  Progress progress;
  std::uint64_t dropped_at_ms = 0;  // host time the connection dropped; 0 = connected
  bool retired = false;

  Presence presence() const {
    if (retired) return Presence::kRetired;
    return session == 0 ? Presence::kDisconnected : Presence::kConnected;
  }
  bool done() const { return retired || progress.finished(); }
};

struct Race {
  std::uint64_t id = 0;
  std::uint64_t room_id = 0;
  Track track;
  std::uint64_t go_at_ms = 0;  // host time
  bool going = false;
  bool over = false;  // ended; its results are being stored
  std::vector<Racer> racers;
  gamehost::Token go_timer, limit_timer, tick;

  Racer* find(gamehost::UserId user) {
    for (auto& r : racers) {
      if (r.user == user) return &r;
    }
    return nullptr;
  }
};

pb::Vec3 to_pb(const Vec3& v) {
  pb::Vec3 out;
  out.set_x(v.x);
  out.set_y(v.y);
  out.set_z(v.z);
  return out;
}

Vec3 from_pb(const pb::Vec3& v) {
  return {v.x(), v.y(), v.z()};
}

pb::TrackInfo track_info(const Track& t) {
  pb::TrackInfo out;
  out.set_name(t.name);
  for (std::uint32_t i = 0; i < t.checkpoint_count(); ++i) {
    auto* cp = out.add_checkpoints();
    *cp->mutable_at() = to_pb(t.checkpoints[i].at);
    cp->set_radius(t.checkpoints[i].radius);
    cp->set_min_ms(t.min_ms_to(i, false));
  }
  out.set_laps(t.laps);
  out.set_countdown_ms(t.countdown_ms);
  out.set_time_limit_ms(t.time_limit_ms);
  out.set_max_speed(t.max_speed);
  return out;
}

class RacemapPlugin final : public gamehost::Plugin {
 public:
  RacemapPlugin(gamehost::Host& host, std::string_view state)
      : Plugin(host), settings_(Settings::read(host)) {
    restore(state);
    handle<pb::PassCheckpoint>([this](gamehost::Request& req, const pb::PassCheckpoint& in) {
      auto [race, racer] = racer_of(req);
      if (racer.retired) throw ClientError(kErrRetired, "you are out of the race");
      if (!race.going) throw ClientError(kErrNotStarted, "the race has not started yet");
      if (!in.has_position()) throw ClientError(kErrBadPosition, "a pass needs its position");
      const PassReport report{in.lap(), in.checkpoint(), from_pb(in.position()), race_ms(race)};
      const auto previous_ms = racer.progress.last_pass_ms;
      const auto verdict = pass(race.track, racer.progress, report);
      if (verdict != PassError::kOk) {
        throw ClientError(error_code(verdict), refusal_text(race, racer, verdict));
      }
      const auto done = racer.progress.passes;
      pb::PassAccepted out;
      out.set_lap((done - 1) / race.track.checkpoint_count() + 1);
      out.set_checkpoint(in.checkpoint());
      out.set_next_checkpoint(racer.progress.next_checkpoint(race.track));
      out.set_race_ms(report.at_ms);
      out.set_split_ms(report.at_ms > previous_ms ? report.at_ms - previous_ms : 0);
      out.set_finished(racer.progress.finished());
      out.set_passes(done);
      req.reply(out);
      if (racer.progress.finished()) {
        auto e = event(race, pb::RaceEvent::FINISHED, racer.user);
        e.set_finish_ms(*racer.progress.finish_ms);
        broadcast(race, e);
        end_if_done(race);
      }
    });
    handle<pb::ReportPosition>([this](gamehost::Request& req, const pb::ReportPosition& in) {
      auto [race, racer] = racer_of(req);
      if (racer.retired) throw ClientError(kErrRetired, "you are out of the race");
      const auto at = from_pb(in.position());
      if (!in.has_position() || !finite(at)) {
        throw ClientError(kErrBadPosition, "the position is not a finite point");
      }
      if (!racer.progress.finished()) racer.progress.position = at;
    });
    handle<pb::GetRace>([this](gamehost::Request& req, const pb::GetRace&) {
      auto [race, racer] = racer_of(req);
      req.reply(view(race, racer.user));
    });
    handle<pb::GetLeaderboard>([this](gamehost::Request& req, const pb::GetLeaderboard& in) {
      const Track* track = in.track().empty() ? &settings_.track() : settings_.find(in.track());
      if (track == nullptr) throw ClientError(kErrUnknownTrack, "no track named " + in.track());
      const auto limit = in.limit() == 0 ? settings_.leaderboard_default
                                         : std::min(in.limit(), settings_.leaderboard_max);
      with_db(
          req,
          [name = track->name, limit, user = req.user](gamehost::Db& db) {
            return leaderboard(db, name, limit, user);
          },
          [req, name = track->name](const Board& board) {
            pb::Leaderboard out;
            out.set_track(name);
            for (const auto& e : board.top) {
              auto* entry = out.add_entries();
              entry->set_rank(e.rank);
              entry->set_user_id(e.user);
              entry->set_best_ms(e.best_ms);
              entry->set_race_id(e.race_id);
              entry->set_achieved_at_ms(e.achieved_at_ms);
            }
            out.set_your_rank(board.own_rank);
            out.set_your_best_ms(board.own_best_ms);
            req.reply(out);
          });
    });
    handle<pb::GetTracks>([this](gamehost::Request& req, const pb::GetTracks&) {
      pb::Tracks out;
      for (const auto& t : settings_.tracks) *out.add_tracks() = track_info(t);
      out.set_default_track(settings_.track().name);
      req.reply(out);
    });
    host.subscribe(gh_room::kGameStartTopic);
  }

  std::string export_state() override {
    pb::RacemapState state;
    for (const auto& [id, race] : races_) {
      if (race->over) continue;  // its store has run (a reload waits for jobs); it is gone
      auto* saved = state.add_races();
      saved->set_race_id(id);
      saved->set_room_id(race->room_id);
      saved->set_track(format_track(race->track));
      saved->set_go_at_ms(race->go_at_ms);
      saved->set_going(race->going);
      for (const auto& r : race->racers) {
        auto* s = saved->add_racers();
        s->set_user_id(r.user);
        s->set_session_id(r.session);
        s->set_passes(r.progress.passes);
        s->set_last_pass_ms(r.progress.last_pass_ms);
        if (r.progress.position) {
          s->set_has_position(true);
          s->set_x(r.progress.position->x);
          s->set_y(r.progress.position->y);
          s->set_z(r.progress.position->z);
        }
        if (r.progress.finish_ms) {
          s->set_finished(true);
          s->set_finish_ms(*r.progress.finish_ms);
        }
        s->set_dropped_at_ms(r.dropped_at_ms);
        s->set_retired(r.retired);
      }
    }
    return gamehost::versioned_state(kStateVersion, state.SerializeAsString());
  }

  void on_event(const gamehost::Event& event) override {
    if (event.topic != gh_room::kGameStartTopic) return;
    room::GameStart start;
    if (!start.ParseFromArray(event.data.data(), static_cast<int>(event.data.size()))) {
      host().log_warn("a GameStart from ", event.publisher, " does not decode");
      return;
    }
    if (start.game_type() == settings_.game_type) begin(start);
  }

  void on_session_authenticated(gamehost::SessionId session, gamehost::UserId user) override {
    // A logout, or a login as someone else, on a racer's connection drops that racer.
    if (const auto it = user_of_session_.find(session);
        it != user_of_session_.end() && it->second != user) {
      dropped(session, it->second);
    }
    const auto it = race_of_user_.find(user);
    if (user == 0 || it == race_of_user_.end()) return;
    Race& race = *races_.at(it->second);
    Racer& racer = *race.find(user);
    if (!racer.retired) {
      const bool was_dropped = racer.session == 0;
      if (racer.session != 0 && racer.session != session) user_of_session_.erase(racer.session);
      racer.session = session;
      racer.dropped_at_ms = 0;
      user_of_session_[session] = user;
      host().key_bind(race.id, session);
      if (was_dropped) broadcast(race, event(race, pb::RaceEvent::RECONNECTED, user));
    }
    host().send(session, view(race, user));
  }

  void on_session_closed(gamehost::SessionId session, gamehost::UserId) override {
    const auto it = user_of_session_.find(session);
    if (it != user_of_session_.end()) dropped(session, it->second);
  }

 private:
  struct Seated {
    Race& race;
    Racer& racer;
  };

  Seated racer_of(const gamehost::Request& req) {
    const auto it = race_of_user_.find(req.user);
    if (req.user == 0 || it == race_of_user_.end()) {
      throw ClientError(kErrNotInRace, "you are not in a race");
    }
    Race& race = *races_.at(it->second);
    return {race, *race.find(req.user)};
  }

  std::uint64_t race_ms(const Race& race) {
    const auto now = host().now_ms();
    return race.going && now > race.go_at_ms ? now - race.go_at_ms : 0;
  }

  std::uint64_t time_left_ms(const Race& race) {
    const auto elapsed = race_ms(race);
    return elapsed >= race.track.time_limit_ms ? 0 : race.track.time_limit_ms - elapsed;
  }

  static std::string refusal_text(const Race& race, const Racer& racer, PassError e) {
    const auto& t = race.track;
    if (e == PassError::kFinished) return std::string(to_string(e));
    return gamehost::concat(to_string(e), " (next: checkpoint ", racer.progress.next_checkpoint(t),
                            " of lap ", racer.progress.lap(t), ")");
  }

  // ---- The race's life ----------------------------------------------------------------------
  void begin(const room::GameStart& start) {
    // During a drain reload both builds hear the start; the new one takes the race.
    if (!host().try_key_open(start.game_id())) return;
    const auto refuse = [&](const char* why) {
      host().key_close(start.game_id());
      game_over(start.room_id(), start.game_id(), why);
    };
    if (start.players_size() == 0) return refuse("a race needs at least one player");
    for (const auto& p : start.players()) {
      if (race_of_user_.contains(p.user_id())) return refuse("a player is in another race");
    }
    auto race = std::make_unique<Race>();
    Race& r = *race;
    r.id = start.game_id();
    r.room_id = start.room_id();
    r.track = settings_.track();
    const auto now = host().now_ms();
    r.go_at_ms = now + r.track.countdown_ms;
    for (const auto& p : start.players()) {
      Racer racer;
      racer.user = p.user_id();
      racer.session = p.session_id();
      if (racer.session == 0) racer.dropped_at_ms = now;  // dropped before the start
      r.racers.push_back(racer);
    }
    races_[r.id] = std::move(race);
    for (const auto& racer : r.racers) {
      race_of_user_[racer.user] = r.id;
      if (racer.session != 0) {
        user_of_session_[racer.session] = racer.user;
        host().key_bind(r.id, racer.session);
      }
    }
    host().log_debug("race ", r.id, " on ", r.track.name, " with ", r.racers.size(), " racers");
    start_timers(r, r.track.countdown_ms);
    for (const auto& racer : r.racers) {
      if (racer.session != 0) host().send(racer.session, view(r, racer.user));
    }
  }

  // The countdown's timer (when not going yet) or the time limit's, and the tick.
  void start_timers(Race& r, std::uint64_t countdown_left_ms) {
    const auto id = r.id;
    if (!r.going) {
      r.go_timer = start_timer(std::max<std::uint64_t>(countdown_left_ms, 1), 0, [this, id] {
        if (auto* race = find_race(id)) go(*race);
      });
    } else {
      arm_time_limit(r);
    }
    r.tick = start_timer(settings_.tick_ms, settings_.tick_ms, [this, id] {
      if (auto* race = find_race(id)) tick(*race);
    });
  }

  void arm_time_limit(Race& r) {
    const auto id = r.id;
    r.limit_timer = start_timer(std::max<std::uint64_t>(time_left_ms(r), 1), 0, [this, id] {
      if (auto* race = find_race(id)) end(*race, pb::RaceResult::TIME_LIMIT);
    });
  }

  Race* find_race(std::uint64_t id) {
    const auto it = races_.find(id);
    return it == races_.end() || it->second->over ? nullptr : it->second.get();
  }

  void go(Race& r) {
    r.go_timer = gamehost::Token();
    r.going = true;
    r.go_at_ms = host().now_ms();
    arm_time_limit(r);
    broadcast(r, event(r, pb::RaceEvent::GO, 0));
    push_standings(r);
    end_if_done(r);  // everyone retired during the countdown
  }

  // Retires racers whose grace period is over, then pushes the ranking.
  void tick(Race& r) {
    const auto now = host().now_ms();
    for (auto& racer : r.racers) {
      if (racer.session != 0 || racer.done()) continue;
      if (now < racer.dropped_at_ms + settings_.reconnect_grace_ms) continue;
      racer.retired = true;
      broadcast(r, event(r, pb::RaceEvent::RETIRED, racer.user));
    }
    if (r.going) push_standings(r);
    end_if_done(r);
  }

  void end_if_done(Race& r) {
    if (r.over) return;
    for (const auto& racer : r.racers) {
      if (!racer.done()) return;
    }
    end(r, pb::RaceResult::ALL_FINISHED);
  }

  void dropped(gamehost::SessionId session, gamehost::UserId user) {
    user_of_session_.erase(session);
    const auto it = race_of_user_.find(user);
    if (it == race_of_user_.end()) return;
    Race& race = *races_.at(it->second);
    Racer& racer = *race.find(user);
    if (racer.session != session) return;
    racer.session = 0;
    racer.dropped_at_ms = host().now_ms();
    if (racer.done()) return;
    auto e = event(race, pb::RaceEvent::DISCONNECTED, user);
    e.set_grace_ms(settings_.reconnect_grace_ms);
    broadcast(race, e);
  }

  // The race is over: the racers and room are told at once; the records follow.
  void end(Race& r, pb::RaceResult::Reason reason) {
    r.over = true;
    r.go_timer = gamehost::Token();
    r.limit_timer = gamehost::Token();
    r.tick = gamehost::Token();
    pb::RaceResult result;
    result.set_race_id(r.id);
    result.set_track(r.track.name);
    result.set_reason(reason);
    result.set_race_ms(race_ms(r));
    RaceRecord record;
    record.race_id = r.id;
    record.room_id = r.room_id;
    record.track = r.track.name;
    record.started_at_ms = r.go_at_ms;
    record.ended_at_ms = host().now_ms();
    record.reason = reason == pb::RaceResult::TIME_LIMIT ? "time_limit" : "all_finished";
    for (const auto& s : standings(r)) {
      *result.add_standings() = s;
      ResultRow row;
      row.user = s.user_id();
      row.place = s.place();
      row.state = static_cast<int>(s.state());
      row.passes = s.passes();
      if (s.state() == pb::FINISHED) row.finish_ms = s.finish_ms();
      record.results.push_back(row);
    }
    broadcast(r, result);
    for (const auto& racer : r.racers) {
      race_of_user_.erase(racer.user);  // free for the next race
      if (racer.session != 0) {
        user_of_session_.erase(racer.session);
        host().key_bind(0, racer.session);
      }
    }
    game_over(r.room_id, r.id, "");
    store(std::move(record));
  }

  // Writes the race off the queue, then closes its key (also when the write failed: the
  // failure is logged, the race still ends).
  void store(RaceRecord record) {
    const auto id = record.race_id;
    const auto done = [this, id] {
      host().key_close(id);  // a drained old build may unload after its last race
      races_.erase(id);
    };
    try {
      with_db([record = std::move(record)](gamehost::Db& db) { return store_race(db, record); },
              [this, id, done](gamehost::Result<std::vector<std::uint64_t>>& r) {
                if (!r.ok()) {
                  host().log_error("race ", id, ": results not stored: ", r.error_text());
                } else {
                  host().log_debug("race ", id, ": stored, ", r.value().size(),
                                   " new best time(s)");
                }
                done();
              });
    } catch (const std::exception& e) {  // too many jobs in flight: the results are lost
      host().log_error("race ", id, ": results not stored: ", e.what());
      done();
    }
  }

  void game_over(std::uint64_t room_id, std::uint64_t race_id, const std::string& reason) {
    room::GameOver over;
    over.set_room_id(room_id);
    over.set_game_id(race_id);
    over.set_game_type(settings_.game_type);
    over.set_reason(reason);
    host().publish(gh_room::kGameOverTopic, over);
  }

  // ---- What racers are sent -----------------------------------------------------------------
  std::vector<pb::Standing> standings(const Race& r) {
    std::vector<Entrant> entrants;
    entrants.reserve(r.racers.size());
    for (const auto& racer : r.racers) {
      entrants.push_back(Entrant{racer.user, racer.progress, racer.presence()});
    }
    std::vector<pb::Standing> out;
    for (const auto& st : rank(r.track, entrants)) {
      const Racer& racer = r.racers[st.entrant];
      pb::Standing s;
      s.set_place(st.place);
      s.set_user_id(racer.user);
      s.set_state(racer.progress.finished() ? pb::FINISHED
                  : racer.retired           ? pb::RETIRED
                  : racer.session == 0      ? pb::DISCONNECTED
                                            : pb::RACING);
      s.set_lap(racer.progress.lap(r.track));
      s.set_checkpoint(racer.progress.checkpoint_in_lap(r.track));
      s.set_passes(racer.progress.passes);
      s.set_distance(std::isinf(st.distance) ? -1.0 : st.distance);
      s.set_finish_ms(racer.progress.finish_ms.value_or(0));
      out.push_back(std::move(s));
    }
    return out;
  }

  void push_standings(const Race& r) {
    pb::Standings out;
    out.set_race_id(r.id);
    out.set_race_ms(race_ms(r));
    out.set_time_left_ms(time_left_ms(r));
    for (auto& s : standings(r)) *out.add_standings() = std::move(s);
    broadcast(r, out);
  }

  pb::RaceView view(const Race& r, gamehost::UserId user) {
    pb::RaceView out;
    out.set_race_id(r.id);
    out.set_room_id(r.room_id);
    *out.mutable_track() = track_info(r.track);
    out.set_phase(r.over ? pb::PHASE_OVER : r.going ? pb::PHASE_RACING : pb::PHASE_COUNTDOWN);
    out.set_go_at_ms(r.go_at_ms);
    out.set_race_ms(race_ms(r));
    out.set_time_left_ms(time_left_ms(r));
    for (auto& s : standings(r)) {
      if (s.user_id() == user) *out.mutable_you() = s;
      *out.add_standings() = std::move(s);
    }
    return out;
  }

  pb::RaceEvent event(const Race& r, pb::RaceEvent::Kind kind, gamehost::UserId user) {
    pb::RaceEvent e;
    e.set_race_id(r.id);
    e.set_kind(kind);
    e.set_user_id(user);
    e.set_race_ms(race_ms(r));
    return e;
  }

  template <class Msg>
  void broadcast(const Race& r, const Msg& msg) {
    std::vector<gamehost::SessionId> sessions;
    for (const auto& racer : r.racers) {
      if (racer.session != 0) sessions.push_back(racer.session);
    }
    if (!sessions.empty()) host().send_many(sessions, msg);
  }

  // ---- Handover -------------------------------------------------------------------------------
  // The races the previous build handed over go on: their timers keep their deadlines, and
  // a racer whose connection closed during the swap counts as dropped now.
  void restore(std::string_view state) {
    const auto [version, bytes] = gamehost::read_state(state, kStateVersion, kStateVersion);
    if (version == 0) return;
    pb::RacemapState saved;
    if (!saved.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      throw gamehost::StateVersionError("racemap state version 1 does not decode");
    }
    const auto now = host().now_ms();
    for (const auto& s : saved.races()) {
      auto parsed = parse_tracks(s.track());
      if (!parsed.ok()) {
        throw gamehost::StateVersionError(gamehost::concat(
            "racemap: race ", s.race_id(), ": its track does not parse: ", parsed.error));
      }
      auto race = std::make_unique<Race>();
      Race& r = *race;
      r.id = s.race_id();
      r.room_id = s.room_id();
      r.track = std::move(parsed.tracks.front());
      r.go_at_ms = s.go_at_ms();
      r.going = s.going();
      for (const auto& sr : s.racers()) {
        Racer racer;
        racer.user = sr.user_id();
        racer.session = sr.session_id();
        racer.progress.passes = sr.passes();
        racer.progress.last_pass_ms = sr.last_pass_ms();
        if (sr.has_position()) racer.progress.position = Vec3{sr.x(), sr.y(), sr.z()};
        if (sr.finished()) racer.progress.finish_ms = sr.finish_ms();
        racer.dropped_at_ms = sr.dropped_at_ms();
        racer.retired = sr.retired();
        if (racer.session != 0 && !host().session_info(racer.session)) {
          racer.session = 0;
          racer.dropped_at_ms = now;
        }
        r.racers.push_back(racer);
      }
      races_[r.id] = std::move(race);
      host().key_open(r.id);
      for (const auto& racer : r.racers) {
        race_of_user_[racer.user] = r.id;
        if (racer.session != 0) {
          user_of_session_[racer.session] = racer.user;
          host().key_bind(r.id, racer.session);
        }
      }
      start_timers(r, r.go_at_ms > now ? r.go_at_ms - now : 0);
    }
    host().log_info("racemap: ", races_.size(), " race(s) handed over");
  }

  const Settings settings_;
  std::map<std::uint64_t, std::unique_ptr<Race>> races_;              // by race id, ending ones too
  std::unordered_map<gamehost::UserId, std::uint64_t> race_of_user_;  // racers of running races
  std::unordered_map<gamehost::SessionId, gamehost::UserId> user_of_session_;  // their sessions
};

}  // namespace
}  // namespace gh_racemap

GAMEHOST_PLUGIN(gh_racemap::RacemapPlugin,
                "name = racemap\n"
                "version = 1.0.0\n"
                "ranges = 3100-3199\n",
                RACEMAP_MESSAGES)
