#include "instance.hpp"

#include "errors.hpp"
#include "protocol.hpp"
#include "view_update.hpp"

namespace gh_battlemap {

namespace pb = gamehost::battlemap;
namespace spb = gamehost::battlemap::state;
using gamehost::ClientError;

Instance::Instance(gamehost::Host& host, std::uint64_t id, const MapSpec& map, aoi::MoveRules rules)
    : host_(host), id_(id), map_(map), rules_(rules), world_(map.grid()) {}

std::unique_ptr<Instance> Instance::restore(gamehost::Host& host, const MapSpec& map,
                                            aoi::MoveRules rules, const spb::Instance& saved) {
  auto inst = std::make_unique<Instance>(host, saved.id(), map, rules);
  inst->tick_ = saved.tick();
  std::vector<aoi::World::SavedEntity> entities;
  for (const auto& a : saved.avatars()) {
    aoi::World::SavedEntity e;
    e.view = aoi::EntityView{a.entity_id(), {a.x(), a.y()}, a.dir()};
    e.cell = aoi::Cell{a.cell_x(), a.cell_y()};
    e.moved = a.moved();
    for (const auto& op : a.pending()) e.pending.push_back({op.other(), op.appear()});
    entities.push_back(std::move(e));
    Avatar avatar;
    avatar.user = a.user_id();
    avatar.session = a.session_id();
    avatar.motion =
        aoi::Motion{a.credit_ms(), a.credited_at_ms(), a.last_client_ms(), a.client_clock_known()};
    if (!inst->avatars_.emplace(a.entity_id(), avatar).second ||
        !inst->by_user_.emplace(a.user_id(), a.entity_id()).second) {
      throw gamehost::StateVersionError(
          gamehost::concat("battlemap: instance ", saved.id(), " holds an avatar twice"));
    }
  }
  auto world = aoi::World::restore(inst->world_.grid(), entities);
  if (!world) {
    throw gamehost::StateVersionError(
        gamehost::concat("battlemap: the avatars of instance ", saved.id(), " do not fit map ",
                         map.name, " as configured now (was its size, cell or margin changed?)"));
  }
  inst->world_ = std::move(*world);
  return inst;
}

spb::Instance Instance::save() const {
  spb::Instance out;
  out.set_id(id_);
  out.set_map(map_.name);
  out.set_tick(tick_);
  for (const auto& e : world_.save()) {
    const Avatar& a = avatars_.at(e.view.id);
    auto* s = out.add_avatars();
    s->set_user_id(a.user);
    s->set_session_id(a.session);
    s->set_entity_id(e.view.id);
    s->set_x(e.view.pos.x);
    s->set_y(e.view.pos.y);
    s->set_dir(e.view.dir);
    s->set_cell_x(e.cell.x);
    s->set_cell_y(e.cell.y);
    s->set_moved(e.moved);
    for (const auto& op : e.pending) {
      auto* p = s->add_pending();
      p->set_other(op.other);
      p->set_appear(op.appear);
    }
    s->set_credit_ms(a.motion.credit_ms);
    s->set_credited_at_ms(a.motion.credited_at_ms);
    s->set_last_client_ms(a.motion.last_client_ms);
    s->set_client_clock_known(a.motion.client_clock_known);
  }
  return out;
}

Instance::Avatar* Instance::find(gamehost::UserId user, gamehost::SessionId session) {
  const auto it = by_user_.find(user);
  if (it == by_user_.end()) return nullptr;
  Avatar& a = avatars_.at(it->second);
  return a.session == session ? &a : nullptr;
}

void Instance::send_entered(const Avatar& a, aoi::EntityId entity, bool resumed) {
  const auto view = *world_.find(entity);
  pb::Entered out;
  out.set_instance_id(id_);
  out.set_map(map_.name);
  out.set_width(map_.width);
  out.set_height(map_.height);
  out.set_cell_size(map_.cell);
  out.set_max_speed(map_.speed);
  out.set_tick_ms(map_.tick_ms());
  out.set_entity_id(entity);
  out.set_x(view.pos.x);
  out.set_y(view.pos.y);
  out.set_dir(view.dir);
  out.set_resumed(resumed);
  host_.send(a.session, out);
}

void Instance::enter(gamehost::UserId user, gamehost::SessionId session, aoi::EntityId entity,
                     aoi::Vec2 spawn) {
  if (by_user_.contains(user) || !world_.enter(entity, spawn, 0)) {
    throw std::logic_error(gamehost::concat("instance ", id_, ": user ", user, " entered twice"));
  }
  Avatar& a = avatars_[entity];
  a.user = user;
  a.session = session;
  a.motion = aoi::Motion::start(host_.now_ms());
  by_user_[user] = entity;
  send_entered(a, entity, false);
}

void Instance::leave(gamehost::UserId user, gamehost::SessionId reply_to) {
  const auto it = by_user_.find(user);
  if (it == by_user_.end()) return;
  world_.leave(it->second);
  avatars_.erase(it->second);
  by_user_.erase(it);
  if (reply_to != 0) {
    pb::Left out;
    out.set_instance_id(id_);
    host_.send(reply_to, out);
  }
}

void Instance::move(const gamehost::Request& req, const pb::Move& in) {
  Avatar* a = find(req.user, req.session);
  if (a == nullptr) throw ClientError(kErrNotOnMap, "you are not on a map");
  const auto entity = by_user_.at(req.user);
  const auto from = *world_.find(entity);
  const aoi::MoveRequest request{{in.x(), in.y()}, in.dir(), in.client_time_ms()};
  const auto verdict =
      aoi::judge(rules_, world_.grid(), a->motion, from.pos, request, host_.now_ms());
  if (verdict == aoi::Verdict::kAccepted) {
    world_.place(entity, request.to, request.dir);
    return;
  }
  const auto code = error_code(verdict);
  pb::Correction c;
  c.set_x(from.pos.x);
  c.set_y(from.pos.y);
  c.set_dir(from.dir);
  c.set_code(code);
  c.set_client_time_ms(in.client_time_ms());
  host_.send(req.session, c);
  throw ClientError(code, gamehost::concat("move refused: ", aoi::to_string(verdict)));
}

void Instance::say(const gamehost::Request& req, const std::string& text) {
  Avatar* a = find(req.user, req.session);
  if (a == nullptr) throw ClientError(kErrNotOnMap, "you are not on a map");
  const auto entity = by_user_.at(req.user);
  std::vector<gamehost::SessionId> to{req.session};
  world_.for_each_in_view(entity, [&](const aoi::EntityView& v) {
    const auto s = avatars_.at(v.id).session;
    if (s != 0) to.push_back(s);
  });
  pb::ChatLine line;
  line.set_user_id(req.user);
  line.set_entity_id(entity);
  line.set_text(text);
  line.set_map(map_.name);
  host_.send_many(to, line);
}

void Instance::detach(gamehost::UserId user) {
  const auto it = by_user_.find(user);
  if (it != by_user_.end()) avatars_.at(it->second).session = 0;
}

void Instance::attach(gamehost::UserId user, gamehost::SessionId session) {
  const auto it = by_user_.find(user);
  if (it == by_user_.end()) return;
  Avatar& a = avatars_.at(it->second);
  a.session = session;
  a.motion = aoi::Motion::start(host_.now_ms());  // a new client: its clock is not known
  world_.forget(it->second);
  send_entered(a, it->second, true);
}

void Instance::tick() {
  ++tick_;
  world_.flush([this](const aoi::Batch& b) {
    const auto session = avatars_.at(b.observer).session;
    if (session == 0) return;  // disconnected: told everything again when back
    encode_view_update(
        tick_, b, [this](aoi::EntityId id) { return avatars_.at(id).user; }, wire_);
    host_.send_bytes(session, gamehost::message_id_v<pb::ViewUpdate>, wire_);
  });
}

}  // namespace gh_battlemap
