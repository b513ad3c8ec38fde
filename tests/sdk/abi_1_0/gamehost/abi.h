/* FROZEN TEST DATA - NEVER EDIT THIS FILE.
 *
 * gamehost/abi.h as the SDK shipped it at ABI 1.0: everything after this comment is byte
 * for byte `git show b911aca:sdk/include/gamehost/abi.h` (commit b911aca, "SDK (C ABI, ...").
 * tests/sdk/abi_1_0/frozen_plugin.c is built against this header alone, to prove that a
 * plugin built with the 1.0 SDK still loads and runs on every 1.x host. The ABI changes in
 * sdk/include/gamehost/abi.h, never here: if this copy ever has to change for a test to
 * pass, the host has broken its 1.x promise.
 */
/* Public header: the binary boundary between the gamehost host and its plugins.
 *
 * Plain C, so any compiler (and any language with a C FFI) can build a plugin. Rules that
 * keep old plugins working on new hosts:
 *   - every struct starts with `size` (its sizeof as the writer compiled it) and is only
 *     ever extended at the end; a reader checks GH_HAS_FIELD before reading a later field;
 *   - host services are looked up by versioned name through gh_host_api.get_proc, so the
 *     host adds services without moving any existing one;
 *   - nothing C++ crosses: no exceptions, no std types, no RTTI. Bytes cross as
 *     (pointer, length) and are only valid for the duration of the call unless said otherwise.
 *
 * ABI major changes break compatibility (the host refuses a plugin whose major differs);
 * ABI minor grows when something is appended (the host refuses a plugin built against a
 * newer minor than its own).
 */
#ifndef GAMEHOST_ABI_H
#define GAMEHOST_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GAMEHOST_ABI_MAJOR 1
#define GAMEHOST_ABI_MINOR 0

/* The one symbol a plugin exports; it returns the plugin's descriptor. */
#define GAMEHOST_ENTRY_SYMBOL "gamehost_plugin_v1"
/* The ELF section holding the plugin's manifest text (see gamehost/manifest.hpp), which
 * the host reads from the file before loading it. */
#define GAMEHOST_MANIFEST_SECTION ".gamehost_manifest"

/* True when a struct written with `size` bytes contains `field`. */
#define GH_HAS_FIELD(ptr, type, field) \
  ((ptr)->size >= offsetof(type, field) + sizeof(((type*)0)->field))

typedef uint64_t gh_session_id; /* 0 is never a valid session */
typedef uint64_t gh_user_id;    /* 0 means "not authenticated" */

/* Status of a host service call or a plugin entry point. */
typedef enum gh_status {
  GH_OK = 0,
  GH_ERR_INVALID_ARGUMENT = 1, /* e.g. sending an id the plugin does not own */
  GH_ERR_NOT_FOUND = 2,        /* unknown session, plugin, timer or call */
  GH_ERR_DENIED = 3,           /* the plugin lacks the capability for this service */
  GH_ERR_BUSY = 4,             /* a bounded queue is full; try again later */
  GH_ERR_FAILED = 5,           /* the operation failed; gh_error says why */
  GH_ERR_TIMEOUT = 6,          /* an inter-plugin call got no reply in time */
  GH_ERR_UNSUPPORTED = 7       /* the host or plugin does not offer this */
} gh_status;

/* Error codes the host sends to clients in an Error frame (id 2) or Kick frame (id 3).
 * Plugins choose their own codes inside their own message-id range, so codes never clash.
 * docs/protocol.md lists every one. */
typedef enum gh_error_code {
  GH_CODE_UNKNOWN_ID = 1,        /* no plugin owns the message id */
  GH_CODE_MALFORMED = 2,         /* the payload did not decode */
  GH_CODE_NOT_AUTHENTICATED = 3, /* the id is not public and the session has no user */
  GH_CODE_BUSY = 4,              /* the plugin's queue is full */
  GH_CODE_PLUGIN_FAILURE = 5,    /* the handler failed unexpectedly (it threw) */
  GH_CODE_FRAME_TOO_LARGE = 6,   /* frame over limits.max_frame_bytes (connection closed) */
  GH_CODE_RATE_LIMITED = 7,      /* over the per-session message rate; message dropped */
  GH_CODE_IDLE_TIMEOUT = 8,      /* kick: nothing received within limits.idle_timeout_ms */
  GH_CODE_SLOW_READER = 9,       /* kick: the client did not read its replies fast enough */
  GH_CODE_SERVER_FULL = 10,      /* kick: max connections reached (total or per address) */
  GH_CODE_SHUTTING_DOWN = 11,    /* kick: the host is stopping */
  GH_CODE_KICKED = 12,           /* kick: a plugin closed the session */
  GH_CODE_PLUGIN_UNAVAILABLE = 13, /* the owning plugin is not running */
  GH_CODE_BAD_FRAME = 14         /* kick: a frame that cannot be parsed (e.g. WS too short) */
} gh_error_code;

/* An inclusive range of message ids. */
typedef struct gh_id_range {
  uint32_t first;
  uint32_t last;
} gh_id_range;

/* A dependency on another plugin: name, and the versions accepted, min <= v < below.
 * Empty strings mean "no bound". */
typedef struct gh_dependency {
  const char* name;
  const char* min_version;
  const char* below_version;
} gh_dependency;

/* Filled by a failing entry point; the host logs it and, for on_message, sends an Error
 * frame with `code` and `text` to the client. */
typedef struct gh_error {
  uint32_t size;
  uint32_t code; /* a gh_error_code or a code in the plugin's own range */
  char text[240];
} gh_error;

/* Receives bytes a plugin hands to the host (exported state, property values). */
typedef struct gh_byte_sink {
  void* ctx;
  void (*write)(void* ctx, const uint8_t* data, size_t len);
} gh_byte_sink;

/* OWNERSHIP: host. The host side of one plugin instance; valid from create() until
 * destroy() returns. Passed back to every host service so the host knows who calls. */
typedef struct gh_host gh_host;

/* OWNERSHIP: plugin. Created by create(), freed by destroy(). Opaque to the host. */
typedef struct gh_plugin gh_plugin;

typedef struct gh_host_api {
  uint32_t size;
  uint32_t abi_major;
  uint32_t abi_minor;
  gh_host* host;
  /* Returns the service called `name` (e.g. "gamehost_send_v1") cast to void*, or NULL
   * when this host does not offer it. Thread-safe. */
  void* (*get_proc)(const char* name);
} gh_host_api;

typedef struct gh_create_args {
  uint32_t size;
  const gh_host_api* api;
  /* State exported by the previous instance on a live reload, or NULL/0 on a cold start.
   * Valid only during create(). */
  const uint8_t* state;
  size_t state_len;
} gh_create_args;

typedef struct gh_message {
  uint32_t size;
  uint32_t msg_id;
  gh_session_id session;
  gh_user_id user; /* 0 when the session is not authenticated */
  const uint8_t* data;
  size_t len;
} gh_message;

typedef enum gh_session_event_kind {
  GH_SESSION_OPENED = 1,
  GH_SESSION_AUTHENTICATED = 2, /* user bound (or changed); user == 0 means logged out */
  GH_SESSION_CLOSED = 3
} gh_session_event_kind;

typedef struct gh_session_event {
  uint32_t size;
  uint32_t kind; /* gh_session_event_kind */
  gh_session_id session;
  gh_user_id user;
} gh_session_event;

/* An inter-plugin event published on a topic the plugin subscribed to. */
typedef struct gh_event {
  uint32_t size;
  const char* topic;
  const char* publisher; /* plugin name */
  const uint8_t* data;
  size_t len;
} gh_event;

typedef struct gh_timer_event {
  uint32_t size;
  uint64_t timer_id;
  uint64_t cookie;
} gh_timer_event;

/* A request from another plugin; answer it (now or later) with gamehost_reply_v1. */
typedef struct gh_call {
  uint32_t size;
  uint64_t call_id;
  const char* caller; /* plugin name */
  uint32_t method;
  const uint8_t* data;
  size_t len;
} gh_call;

/* The answer to a call this plugin made with gamehost_call_v1. */
typedef struct gh_call_result {
  uint32_t size;
  uint64_t call_id;
  uint64_t cookie;
  uint32_t status; /* gh_status: GH_OK, GH_ERR_NOT_FOUND, GH_ERR_TIMEOUT, GH_ERR_FAILED... */
  const uint8_t* data;
  size_t len;
} gh_call_result;

/* Work a plugin posts to one of its own keyed lanes (gamehost_post_keyed_v1). The host
 * calls exactly one of run or discard (discard when it can never run, e.g. at shutdown). */
typedef struct gh_task {
  uint32_t size;
  void (*run)(void* ud);
  void (*discard)(void* ud);
  void* ud;
} gh_task;

/* What the plugin's entry symbol returns. Static storage: valid while the library is loaded.
 * Every entry point is called on a worker thread, never concurrently for one instance
 * (except tasks the plugin itself posted to keyed lanes), and must not throw.
 * Optional entry points may be NULL. */
typedef struct gh_plugin_descriptor {
  uint32_t size;
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* name;    /* [a-z][a-z0-9_-]*, unique per host */
  const char* version; /* semantic version MAJOR.MINOR.PATCH */
  const gh_id_range* ranges; /* message ids this plugin owns */
  uint32_t range_count;
  const gh_id_range* public_ranges; /* owned ids a session may send before login */
  uint32_t public_range_count;
  const gh_dependency* dependencies;
  uint32_t dependency_count;
  const char* manifest; /* the text also stored in GAMEHOST_MANIFEST_SECTION */

  /* Required. On failure return non-GH_OK and fill *error; *out must then stay unset. */
  gh_status (*create)(const gh_create_args* args, gh_plugin** out, gh_error* error);
  /* Required. Frees the instance; the gh_host is invalid once it returns. */
  void (*destroy)(gh_plugin* self);
  /* Required. A client message with an id this plugin owns. Non-GH_OK: the host sends an
   * Error frame with error->code/text to the session. */
  gh_status (*on_message)(gh_plugin* self, const gh_message* msg, gh_error* error);
  void (*on_session_event)(gh_plugin* self, const gh_session_event* ev);
  void (*on_event)(gh_plugin* self, const gh_event* ev);
  void (*on_timer)(gh_plugin* self, const gh_timer_event* ev);
  /* Writes the state a new version receives in gh_create_args.state on a live reload. */
  gh_status (*export_state)(gh_plugin* self, const gh_byte_sink* sink, gh_error* error);
  void (*on_call)(gh_plugin* self, const gh_call* call);
  void (*on_call_result)(gh_plugin* self, const gh_call_result* result);
} gh_plugin_descriptor;

typedef const gh_plugin_descriptor* (*gh_entry_fn)(void);

/* ---- Host services, looked up by name with gh_host_api.get_proc ----------------------
 * All are thread-safe and never block on the network. Each typedef names the service. */

/* "gamehost_send_v1": send a message with one of the plugin's own ids to a session. */
typedef gh_status (*gh_send_v1)(gh_host* host, gh_session_id session, uint32_t msg_id,
                                const uint8_t* data, size_t len);
/* "gamehost_send_many_v1": the same message to several sessions (encoded once). */
typedef gh_status (*gh_send_many_v1)(gh_host* host, const gh_session_id* sessions, size_t count,
                                     uint32_t msg_id, const uint8_t* data, size_t len);
/* "gamehost_send_error_v1": an Error frame (id 2) answering `request_id`. */
typedef gh_status (*gh_send_error_v1)(gh_host* host, gh_session_id session, uint32_t code,
                                      uint32_t request_id, const char* text);
/* "gamehost_kick_v1": send a Kick frame with code/text, then close the session. */
typedef gh_status (*gh_kick_v1)(gh_host* host, gh_session_id session, uint32_t code,
                                const char* text);
/* "gamehost_bind_user_v1": mark the session authenticated as `user` (0 logs it out).
 * Only for plugins granted the "bind_user" capability in config; GH_ERR_DENIED otherwise. */
typedef gh_status (*gh_bind_user_v1)(gh_host* host, gh_session_id session, gh_user_id user);

typedef struct gh_session_info {
  uint32_t size;
  gh_user_id user;
  uint32_t transport; /* 1 = TCP, 2 = WebSocket */
  uint64_t connected_at_ms; /* wall clock, Unix ms */
  char remote_address[64];  /* "ip:port", NUL-terminated */
} gh_session_info;
/* "gamehost_session_info_v1": fills *out (out->size set by the caller). */
typedef gh_status (*gh_session_info_v1)(gh_host* host, gh_session_id session,
                                        gh_session_info* out);
/* "gamehost_session_set_prop_v1": a named property on the session, shared by all plugins,
 * gone when the session closes. len 0 removes it. */
typedef gh_status (*gh_session_set_prop_v1)(gh_host* host, gh_session_id session,
                                            const char* key, const uint8_t* value, size_t len);
/* "gamehost_session_get_prop_v1": writes the value to sink; GH_ERR_NOT_FOUND if unset. */
typedef gh_status (*gh_session_get_prop_v1)(gh_host* host, gh_session_id session,
                                            const char* key, const gh_byte_sink* sink);

/* Groups are host-owned sets of sessions (a room, a channel); a closed session leaves all
 * its groups. Names are global: prefix them with the plugin name by convention. */
/* "gamehost_group_join_v1" / "gamehost_group_leave_v1" */
typedef gh_status (*gh_group_join_v1)(gh_host* host, const char* group, gh_session_id session);
typedef gh_status (*gh_group_leave_v1)(gh_host* host, const char* group, gh_session_id session);
/* "gamehost_group_size_v1": members in the group (0 when it does not exist). */
typedef size_t (*gh_group_size_v1)(gh_host* host, const char* group);
/* "gamehost_group_send_v1": send to every member except `except` (0 = nobody excepted). */
typedef gh_status (*gh_group_send_v1)(gh_host* host, const char* group, uint32_t msg_id,
                                      const uint8_t* data, size_t len, gh_session_id except);

/* "gamehost_subscribe_v1" / "gamehost_unsubscribe_v1": receive events on `topic`. */
typedef gh_status (*gh_subscribe_v1)(gh_host* host, const char* topic);
typedef gh_status (*gh_unsubscribe_v1)(gh_host* host, const char* topic);
/* "gamehost_publish_v1": deliver to every subscriber's on_event (not to the publisher). */
typedef gh_status (*gh_publish_v1)(gh_host* host, const char* topic, const uint8_t* data,
                                   size_t len);

/* "gamehost_call_v1": ask plugin `target` (its on_call); the answer arrives in this
 * plugin's on_call_result with `cookie`, or GH_ERR_TIMEOUT after timeout_ms.
 * Returns the call id in *call_id. */
typedef gh_status (*gh_call_v1)(gh_host* host, const char* target, uint32_t method,
                                const uint8_t* data, size_t len, uint64_t cookie,
                                uint32_t timeout_ms, uint64_t* call_id);
/* "gamehost_reply_v1": answer a call received in on_call, once. */
typedef gh_status (*gh_reply_v1)(gh_host* host, uint64_t call_id, uint32_t status,
                                 const uint8_t* data, size_t len);

/* "gamehost_timer_start_v1": fire on_timer after delay_ms, then every interval_ms
 * (0 = once). Returns the timer id in *timer_id. */
typedef gh_status (*gh_timer_start_v1)(gh_host* host, uint64_t delay_ms, uint64_t interval_ms,
                                       uint64_t cookie, uint64_t* timer_id);
/* "gamehost_timer_cancel_v1" */
typedef gh_status (*gh_timer_cancel_v1)(gh_host* host, uint64_t timer_id);
/* "gamehost_now_ms_v1": the host clock, Unix ms (a fake host's manual clock in tests). */
typedef uint64_t (*gh_now_ms_v1)(gh_host* host);

/* "gamehost_post_keyed_v1": run task on the plugin's lane for `key`. Tasks with one key
 * run in the order posted; tasks with different keys may run in parallel on other cores.
 * GH_ERR_BUSY when that lane's queue is full (task->discard is then called). */
typedef gh_status (*gh_post_keyed_v1)(gh_host* host, uint64_t key, const gh_task* task);

typedef enum gh_log_level {
  GH_LOG_TRACE = 0,
  GH_LOG_DEBUG = 1,
  GH_LOG_INFO = 2,
  GH_LOG_WARN = 3,
  GH_LOG_ERROR = 4
} gh_log_level;
/* "gamehost_log_v1": one line in the plugin's own logger. */
typedef void (*gh_log_v1)(gh_host* host, uint32_t level, const char* text, size_t len);

typedef enum gh_config_type {
  GH_CONFIG_MISSING = 0,
  GH_CONFIG_BOOL = 1,
  GH_CONFIG_INT = 2,
  GH_CONFIG_DOUBLE = 3,
  GH_CONFIG_STRING = 4
} gh_config_type;
typedef struct gh_config_value {
  uint32_t size;
  uint32_t type; /* gh_config_type */
  int64_t int_value; /* also 0/1 for bool */
  double double_value;
  const char* string_value; /* valid until destroy() */
  size_t string_len;
} gh_config_value;
/* "gamehost_config_get_v1": a value from the plugin's [plugins.<name>.settings] table,
 * by dotted key ("limits.max_players"). GH_ERR_NOT_FOUND when absent. */
typedef gh_status (*gh_config_get_v1)(gh_host* host, const char* key, gh_config_value* out);

#ifdef __cplusplus
}
#endif

#endif /* GAMEHOST_ABI_H */
