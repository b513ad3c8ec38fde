/* A plugin as a third party wrote it against the 1.0 SDK: plain C, compiled with the frozen
 * ABI 1.0 header (gamehost/abi.h beside this file) on its include path and nothing else -
 * no C++ layer, no current SDK header. tests/integration/frozen_abi_test.cpp runs it on
 * the real host: if it stops loading or answering, the host broke the ABI 1.x promise.
 *
 * Ids 101000-101009, all public (no login needed):
 *   101000 any bytes  -> 101001 "frozen10 abi 1.0 on host <major>.<minor>: <bytes>"
 *                        (the host ABI as gh_host_api says it), and the bytes are stored
 *                        in the session property "frozen10.last"
 *   101002            -> 101003 the stored "frozen10.last", or an Error frame with code
 *                        101009 when nothing is stored yet
 *   101004            -> 101005 "tick", sent from on_timer 20 ms later
 * Services used, each looked up by name with get_proc: gamehost_send_v1,
 * gamehost_session_set_prop_v1, gamehost_session_get_prop_v1, gamehost_timer_start_v1 and
 * gamehost_log_v1; create() also checks that every other 1.0 service is still offered.
 *
 * The manifest goes in the GAMEHOST_MANIFEST_SECTION ELF section, which the 1.0 host
 * already read before loading a plugin, in the same text format. */
#include <gamehost/abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if GAMEHOST_ABI_MAJOR != 1 || GAMEHOST_ABI_MINOR != 0
#error "frozen_plugin.c is built against the frozen ABI 1.0 header (tests/sdk/abi_1_0) only"
#endif

#define EXPORT __attribute__((visibility("default")))

enum {
  ID_HELLO = 101000,
  ID_HELLO_REPLY = 101001,
  ID_RECALL = 101002,
  ID_RECALL_REPLY = 101003,
  ID_TIMER = 101004,
  ID_TICK = 101005,
  CODE_NOTHING_STORED = 101009
};
static const char kPropKey[] = "frozen10.last";

__attribute__((section(GAMEHOST_MANIFEST_SECTION), used)) static const char kManifest[] =
    "abi = 1.0\n"
    "name = frozen10\n"
    "version = 1.0.0\n"
    "ranges = 101000-101009\n"
    "public = 101000-101009\n";

struct gh_plugin {
  gh_host* host;
  uint32_t host_abi_major;
  uint32_t host_abi_minor;
  gh_send_v1 send;
  gh_session_set_prop_v1 set_prop;
  gh_session_get_prop_v1 get_prop;
  gh_timer_start_v1 timer_start;
  gh_log_v1 log;
};

/* A byte sink into a fixed buffer (property values here are short). */
typedef struct buffer {
  uint8_t data[512];
  size_t len;
} buffer;
static void buffer_write(void* ctx, const uint8_t* data, size_t len) {
  buffer* b = (buffer*)ctx;
  if (len > sizeof b->data - b->len) len = sizeof b->data - b->len;
  memcpy(b->data + b->len, data, len);
  b->len += len;
}

static gh_status fail(gh_error* error, const char* text) {
  snprintf(error->text, sizeof error->text, "%s", text);
  return GH_ERR_FAILED;
}

/* Every service the 1.0 header names: a 1.x host must still offer each under its 1.0 name,
 * so create() refuses to start, naming the one missing, when any is gone. */
static const char* const kAbi10Services[] = {"gamehost_send_v1",
                                             "gamehost_send_many_v1",
                                             "gamehost_send_error_v1",
                                             "gamehost_kick_v1",
                                             "gamehost_bind_user_v1",
                                             "gamehost_session_info_v1",
                                             "gamehost_session_set_prop_v1",
                                             "gamehost_session_get_prop_v1",
                                             "gamehost_group_join_v1",
                                             "gamehost_group_leave_v1",
                                             "gamehost_group_size_v1",
                                             "gamehost_group_send_v1",
                                             "gamehost_subscribe_v1",
                                             "gamehost_unsubscribe_v1",
                                             "gamehost_publish_v1",
                                             "gamehost_call_v1",
                                             "gamehost_reply_v1",
                                             "gamehost_timer_start_v1",
                                             "gamehost_timer_cancel_v1",
                                             "gamehost_now_ms_v1",
                                             "gamehost_post_keyed_v1",
                                             "gamehost_log_v1",
                                             "gamehost_config_get_v1"};

static gh_status frozen_create(const gh_create_args* args, gh_plugin** out, gh_error* error) {
  const gh_host_api* api = args->api;
  if (api == NULL || !GH_HAS_FIELD(api, gh_host_api, get_proc)) {
    return fail(error, "host API too small");
  }
  for (size_t i = 0; i < sizeof kAbi10Services / sizeof kAbi10Services[0]; ++i) {
    if (api->get_proc(kAbi10Services[i]) == NULL) {
      snprintf(error->text, sizeof error->text, "the host lacks ABI 1.0 service %s",
               kAbi10Services[i]);
      return GH_ERR_FAILED;
    }
  }
  gh_plugin* self = (gh_plugin*)calloc(1, sizeof *self);
  if (self == NULL) return fail(error, "out of memory");
  self->host = api->host;
  self->host_abi_major = api->abi_major;
  self->host_abi_minor = api->abi_minor;
  self->send = (gh_send_v1)api->get_proc("gamehost_send_v1");
  self->set_prop = (gh_session_set_prop_v1)api->get_proc("gamehost_session_set_prop_v1");
  self->get_prop = (gh_session_get_prop_v1)api->get_proc("gamehost_session_get_prop_v1");
  self->timer_start = (gh_timer_start_v1)api->get_proc("gamehost_timer_start_v1");
  self->log = (gh_log_v1)api->get_proc("gamehost_log_v1");
  char line[96];
  int n = snprintf(line, sizeof line, "frozen10 (ABI 1.0) running on host ABI %u.%u",
                   (unsigned)self->host_abi_major, (unsigned)self->host_abi_minor);
  self->log(self->host, GH_LOG_INFO, line, (size_t)n);
  *out = self;
  return GH_OK;
}

static void frozen_destroy(gh_plugin* self) {
  free(self);
}

static gh_status frozen_on_message(gh_plugin* self, const gh_message* msg, gh_error* error) {
  switch (msg->msg_id) {
    case ID_HELLO: {
      buffer reply = {{0}, 0};
      char head[64];
      int n = snprintf(head, sizeof head,
                       "frozen10 abi 1.0 on host %u.%u: ", (unsigned)self->host_abi_major,
                       (unsigned)self->host_abi_minor);
      buffer_write(&reply, (const uint8_t*)head, (size_t)n);
      buffer_write(&reply, msg->data, msg->len);
      gh_status s = self->set_prop(self->host, msg->session, kPropKey, msg->data, msg->len);
      if (s != GH_OK) return fail(error, "gamehost_session_set_prop_v1 failed");
      return self->send(self->host, msg->session, ID_HELLO_REPLY, reply.data, reply.len);
    }
    case ID_RECALL: {
      buffer value = {{0}, 0};
      const gh_byte_sink sink = {&value, buffer_write};
      gh_status s = self->get_prop(self->host, msg->session, kPropKey, &sink);
      if (s == GH_ERR_NOT_FOUND) {
        error->code = CODE_NOTHING_STORED;
        snprintf(error->text, sizeof error->text, "%s", "nothing stored yet: send 101000 first");
        return GH_ERR_FAILED;
      }
      if (s != GH_OK) return fail(error, "gamehost_session_get_prop_v1 failed");
      return self->send(self->host, msg->session, ID_RECALL_REPLY, value.data, value.len);
    }
    case ID_TIMER: {
      uint64_t timer_id = 0;
      return self->timer_start(self->host, 20, 0, msg->session, &timer_id);
    }
    default:
      return fail(error, "unknown message");
  }
}

static void frozen_on_timer(gh_plugin* self, const gh_timer_event* ev) {
  static const uint8_t kTick[] = {'t', 'i', 'c', 'k'};
  self->send(self->host, (gh_session_id)ev->cookie, ID_TICK, kTick, sizeof kTick);
}

static const gh_id_range kRanges[] = {{101000, 101009}};

/* Field by field, as the 1.0 descriptor has them. */
static const gh_plugin_descriptor kDescriptor = {
    sizeof(gh_plugin_descriptor),
    GAMEHOST_ABI_MAJOR,
    GAMEHOST_ABI_MINOR,
    "frozen10",
    "1.0.0",
    kRanges,
    1,
    kRanges, /* public: all of them */
    1,
    NULL, /* dependencies */
    0,
    kManifest,
    frozen_create,
    frozen_destroy,
    frozen_on_message,
    NULL, /* on_session_event */
    NULL, /* on_event */
    frozen_on_timer,
    NULL, /* export_state */
    NULL, /* on_call */
    NULL  /* on_call_result */
};

EXPORT const gh_plugin_descriptor* gamehost_plugin_v1(void) {
  return &kDescriptor;
}
