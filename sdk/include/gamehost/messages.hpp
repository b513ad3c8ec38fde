// Public header: message types tied to their ids, declared once per plugin.
//
// A plugin lists its messages in one X-macro, at global scope (e.g. in its protocol.hpp):
/*
    #define ECHO_MESSAGES(X)                 \
      X(90000, gamehost::echo::EchoRequest)  \
      X(90001, gamehost::echo::EchoReply)
    GAMEHOST_MESSAGES(ECHO_MESSAGES)
*/
// and from then on `handle<EchoRequest>(fn)`, `req.reply(EchoReply{...})`,
// `host().send(session, msg)` take the id from the type. Giving the list to
// GAMEHOST_PLUGIN(Class, manifest, ECHO_MESSAGES) checks at compile time that every id lies
// in the manifest's ranges; GAMEHOST_MESSAGES itself refuses two types with one id, and
// the compiler refuses one type with two ids.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace gamehost {

// Specialized by GAMEHOST_MESSAGES; `value` is the message's id.
template <class Msg>
struct MessageId;

// A message type with a declared id.
template <class Msg>
concept IdentifiedMessage = requires {
  MessageId<Msg>::value;
};

template <IdentifiedMessage Msg>
inline constexpr std::uint32_t message_id_v = MessageId<Msg>::value;

namespace detail {
constexpr bool distinct_ids(std::initializer_list<std::uint32_t> ids) {
  for (const auto* a = ids.begin(); a != ids.end(); ++a) {
    for (const auto* b = a + 1; b != ids.end(); ++b) {
      if (*a == *b) return false;
    }
  }
  return true;
}
}  // namespace detail

}  // namespace gamehost

#define GAMEHOST_DETAIL_MESSAGE_ID(id, Type)     \
  template <>                                    \
  struct gamehost::MessageId<Type> {             \
    static constexpr std::uint32_t value = (id); \
  };
#define GAMEHOST_DETAIL_ID_ONLY(id, Type) (id),

// Declares the ids of a plugin's messages. Use at global scope.
#define GAMEHOST_MESSAGES(LIST)                                                    \
  LIST(GAMEHOST_DETAIL_MESSAGE_ID)                                                 \
  static_assert(::gamehost::detail::distinct_ids({LIST(GAMEHOST_DETAIL_ID_ONLY)}), \
                "GAMEHOST_MESSAGES(" #LIST "): two message types share an id");
