// Public header: the host services by typed name, expanded from abi.h's service lists.
//
//   auto send = gamehost::services::lookup(api->get_proc, gamehost::services::send_v1);
//
// `services::send_v1` exists only because abi.h lists `send_v1`, and its type is the
// service's typedef gh_send_v1: a misspelled service, or a function of the wrong shape in a
// host's table, does not compile. The SDK, the fake host and the host all use these names.
#pragma once

#include "gamehost/abi.h"

namespace gamehost::services {

template <class Fn>
struct Service {
  using type = Fn;
  const char* name;  // what get_proc looks up, "gamehost_<entry>"
};

#define GAMEHOST_DETAIL_SERVICE(entry) \
  inline constexpr Service<gh_##entry> entry{"gamehost_" #entry};
GAMEHOST_SERVICES(GAMEHOST_DETAIL_SERVICE)
GAMEHOST_STORAGE_SERVICES(GAMEHOST_DETAIL_SERVICE)
#undef GAMEHOST_DETAIL_SERVICE

// The service from a host's get_proc, or nullptr when that host does not offer it.
template <class Fn>
Fn lookup(void* (*get_proc)(const char*), const Service<Fn>& service) noexcept {
  return reinterpret_cast<Fn>(get_proc(service.name));
}

// A host's table entry: the name, and the function cast for get_proc. `fn` must have
// exactly the service's type.
struct Entry {
  const char* name;
  void* fn;
};
template <class Fn>
Entry entry(const Service<Fn>& service, Fn fn) noexcept {
  return {service.name, reinterpret_cast<void*>(fn)};
}

}  // namespace gamehost::services
