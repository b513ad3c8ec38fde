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
#define GAMEHOST_ABI_MINOR 3

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
  GH_ERR_UNSUPPORTED = 7,      /* the host or plugin does not offer this */
  GH_ERR_CONSTRAINT = 8        /* (ABI 1.2) a database constraint refused the change,
                                  e.g. a duplicate unique key */
} gh_status;

/* Error codes the host sends to clients in an Error frame (id 2) or Kick frame (id 3).
 * Plugins choose their own codes inside their own message-id range, so codes never clash.
 * This list is the one place they are declared: the enum below, the names in metrics
 * (gamehost_errors_total{name=...}) and docs/protocol.md's table all come from it.
 * X(NAME, name, value, what it means); append only. */
#define GAMEHOST_HOST_ERROR_CODES(X)                                                              \
  X(UNKNOWN_ID, unknown_id, 1, "no plugin owns the message id")                                   \
  X(MALFORMED, malformed, 2, "the payload did not decode")                                        \
  X(NOT_AUTHENTICATED, not_authenticated, 3, "the id is not public and the session has no user")  \
  X(BUSY, busy, 4, "the plugin's queue is full")                                                  \
  X(PLUGIN_FAILURE, plugin_failure, 5, "the handler failed unexpectedly (it threw)")              \
  X(FRAME_TOO_LARGE, frame_too_large, 6, "frame over limits.max_frame_bytes (connection closed)") \
  X(RATE_LIMITED, rate_limited, 7, "over the per-session message rate; message dropped")          \
  X(IDLE_TIMEOUT, idle_timeout, 8, "kick: nothing received within limits.idle_timeout_ms")        \
  X(SLOW_READER, slow_reader, 9, "kick: the client did not read its replies fast enough")         \
  X(SERVER_FULL, server_full, 10, "kick: max connections reached (total or per address)")         \
  X(SHUTTING_DOWN, shutting_down, 11, "kick: the host is stopping")                               \
  X(KICKED, kicked, 12, "kick: a plugin closed the session")                                      \
  X(PLUGIN_UNAVAILABLE, plugin_unavailable, 13, "the owning plugin is not running")               \
  X(BAD_FRAME, bad_frame, 14, "kick: a frame that cannot be parsed (e.g. WS too short)")          \
  X(STORAGE_UNAVAILABLE, storage_unavailable, 15,                                                 \
    "(ABI 1.2) the database failed or did not answer in time; nothing was changed, the "          \
    "client may retry")                                                                           \
  X(LOGIN_TIMEOUT, login_timeout, 16,                                                             \
    "(ABI 1.3) kick: not logged in within limits.login_timeout_ms (heartbeats do not count)")

#define GH_DETAIL_ERROR_ENUM(NAME, name, value, text) GH_CODE_##NAME = value,
typedef enum gh_error_code { GAMEHOST_HOST_ERROR_CODES(GH_DETAIL_ERROR_ENUM) } gh_error_code;
#undef GH_DETAIL_ERROR_ENUM

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
 * No entry point is called concurrently for one instance (except tasks the plugin itself
 * posted to keyed lanes, and blocking work), and none may throw. create, and on a live
 * reload the old instance's export_state and destroy, run on the thread that loads or
 * reloads the plugin (the main thread at start, an admin thread on reload), while nothing
 * else of the instance runs; every other entry point, and destroy at unload, on a worker
 * thread. Optional entry points may be NULL. */
typedef struct gh_plugin_descriptor {
  uint32_t size;
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* name;          /* [a-z][a-z0-9_-]*, unique per host */
  const char* version;       /* semantic version MAJOR.MINOR.PATCH */
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
  uint32_t transport;       /* 1 = TCP, 2 = WebSocket */
  uint64_t connected_at_ms; /* wall clock, Unix ms */
  char remote_address[64];  /* "ip:port", NUL-terminated */
} gh_session_info;
/* "gamehost_session_info_v1": fills *out (out->size set by the caller). */
typedef gh_status (*gh_session_info_v1)(gh_host* host, gh_session_id session, gh_session_info* out);
/* "gamehost_session_set_prop_v1": a named property on the session, shared by all plugins,
 * gone when the session closes. len 0 removes it. */
typedef gh_status (*gh_session_set_prop_v1)(gh_host* host, gh_session_id session, const char* key,
                                            const uint8_t* value, size_t len);
/* "gamehost_session_get_prop_v1": writes the value to sink; GH_ERR_NOT_FOUND if unset. */
typedef gh_status (*gh_session_get_prop_v1)(gh_host* host, gh_session_id session, const char* key,
                                            const gh_byte_sink* sink);

/* Groups are host-owned sets of sessions (a room, a channel); a closed session leaves all
 * its groups. Names are global: prefix them with the plugin name by convention. */
/* "gamehost_group_join_v1" / "gamehost_group_leave_v1". (ABI 1.3) join answers GH_ERR_BUSY
 * when the session is in [limits] max_groups_per_session groups already, and
 * GH_ERR_INVALID_ARGUMENT for a group name over 256 bytes. */
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

/* ---- Keys, for drain reloads (ABI 1.1) ------------------------------------------------
 * A plugin whose work lives in keyed units (a room, a match) declares them, and which
 * sessions belong to which. On a drain reload the old build keeps its open keys and the
 * messages of the sessions bound to them until the last key closes; everything else goes
 * to the new build at once. Plugins that never declare keys drain at once. */
/* "gamehost_key_open_v1": a unit of work with this key now lives in this instance.
 * (ABI 1.3) GH_ERR_DENIED in a build that is draining: it takes no new keys, the new build
 * does (so a plugin that opens a key for an event both builds hear, e.g. a game start,
 * leaves it to the new build when refused). */
typedef gh_status (*gh_key_open_v1)(gh_host* host, uint64_t key);
/* "gamehost_key_close_v1": the unit ended (a drained old build unloads after its last). */
typedef gh_status (*gh_key_close_v1)(gh_host* host, uint64_t key);
/* "gamehost_key_bind_session_v1": the session's messages belong to `key` (0 unbinds). */
typedef gh_status (*gh_key_bind_session_v1)(gh_host* host, uint64_t key, gh_session_id session);

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
  GH_CONFIG_STRING = 4,
  GH_CONFIG_OTHER = 5 /* (ABI 1.3) an array, table or date: not readable by this service */
} gh_config_type;
typedef struct gh_config_value {
  uint32_t size;
  uint32_t type;     /* gh_config_type */
  int64_t int_value; /* also 0/1 for bool */
  double double_value;
  const char* string_value; /* valid until destroy() */
  size_t string_len;
  /* (ABI 1.3) where the value was written, "path/gamehost.toml:42:1", NUL-terminated, valid
   * until destroy(); "" when not known. Set also when the key exists with a type this
   * service does not offer (GH_ERR_UNSUPPORTED), so a plugin can name the line. */
  const char* origin;
  /* (ABI 1.3) the value's type, also for GH_ERR_UNSUPPORTED: a gh_config_type, or
   * GH_CONFIG_OTHER for an array, a table or a date. */
  uint32_t found_type;
} gh_config_value;
/* "gamehost_config_get_v1": a value from the plugin's [plugins.<name>.settings] table,
 * by dotted key ("limits.max_players"). GH_ERR_NOT_FOUND when absent, GH_ERR_UNSUPPORTED
 * for a type it cannot offer (found_type and origin say which, from ABI 1.3 on). The host
 * remembers which keys the plugin asked for: a key in the table that the plugin never asks
 * for during create() is logged as a warning naming its line (a typo, most likely). */
typedef gh_status (*gh_config_get_v1)(gh_host* host, const char* key, gh_config_value* out);

/* ---- Host facts (ABI 1.2) -------------------------------------------------------------- */
typedef struct gh_host_info {
  uint32_t size;
  uint32_t production;   /* 1 when [server] mode = "production": plugins refuse unsafe settings */
  uint32_t node_id;      /* [server] node_id, 0..1023: the node part of snowflake ids */
  char host_version[32]; /* NUL-terminated, e.g. "0.1.0" */
} gh_host_info;
/* "gamehost_host_info_v1": fills *out (out->size set by the caller). */
typedef gh_status (*gh_host_info_v1)(gh_host* host, gh_host_info* out);

/* "gamehost_next_id_v1": a new snowflake id, unique across the nodes of one deployment:
 * 41 bits of milliseconds since 2020-01-01 UTC, 10 bits of node id, 12 bits of sequence.
 * When the clock steps backwards the host waits for it to catch up (a step up to
 * [server] max_clock_step_back_ms) or refuses with GH_ERR_FAILED (a larger one); it logs
 * either. */
typedef gh_status (*gh_next_id_v1)(gh_host* host, uint64_t* out);

/* ---- Storage (ABI 1.2) ------------------------------------------------------------------
 * Shaped like SQLite's C API: lease a connection, prepare, bind, step, read columns,
 * finalize; begin/commit/rollback for transactions. The host owns the connections (SQLite
 * file or MySQL/MariaDB, see docs/configuration.md), applies each plugin's migrations
 * before creating it, and counts and times every statement per plugin. Every call blocks
 * the calling plugin context (its lane, when keyed) and never a network thread.
 * Placeholders are `?`, bound by position from 1. Each call that can fail fills *error
 * (when not NULL) with a text naming the statement. */
typedef struct gh_db gh_db;     /* OWNERSHIP: host. A leased connection; release it. */
typedef struct gh_stmt gh_stmt; /* OWNERSHIP: host. A statement; finalize it. */

typedef enum gh_db_dialect { GH_DB_SQLITE = 1, GH_DB_MYSQL = 2 } gh_db_dialect;
typedef enum gh_db_type {
  GH_DB_NULL = 0,
  GH_DB_INT = 1,    /* int_value */
  GH_DB_DOUBLE = 2, /* double_value */
  GH_DB_TEXT = 3    /* text/len: bytes, not necessarily NUL-terminated */
} gh_db_type;
typedef struct gh_db_value {
  uint32_t size;
  uint32_t type; /* gh_db_type */
  int64_t int_value;
  double double_value;
  const char* text; /* a column's text is valid until the next step, reset or finalize */
  size_t len;
} gh_db_value;

/* "gamehost_db_acquire_v1": lease a connection, waiting up to timeout_ms for a free one
 * (0: the configured storage.acquire_timeout_ms). GH_ERR_TIMEOUT when none frees up,
 * GH_ERR_FAILED when the database cannot be reached, GH_ERR_UNSUPPORTED without storage. */
typedef gh_status (*gh_db_acquire_v1)(gh_host* host, uint32_t timeout_ms, gh_db** out,
                                      gh_error* error);
/* "gamehost_db_release_v1": give the connection back; an open transaction rolls back and
 * unfinalized statements are finalized. */
typedef void (*gh_db_release_v1)(gh_db* db);
/* "gamehost_db_dialect_v1": a gh_db_dialect, for the rare query that differs. */
typedef uint32_t (*gh_db_dialect_v1)(gh_db* db);
/* "gamehost_db_begin_v1" / "_commit_v1" / "_rollback_v1": a transaction on this lease.
 * begin takes the write lock at once on SQLite (BEGIN IMMEDIATE), so two writers wait for
 * each other (up to storage.busy_timeout_ms) instead of failing on a lock upgrade. */
typedef gh_status (*gh_db_begin_v1)(gh_db* db, gh_error* error);
typedef gh_status (*gh_db_commit_v1)(gh_db* db, gh_error* error);
typedef gh_status (*gh_db_rollback_v1)(gh_db* db, gh_error* error);
/* "gamehost_db_prepare_v1": one SQL statement with `?` placeholders. */
typedef gh_status (*gh_db_prepare_v1)(gh_db* db, const char* sql, size_t len, gh_stmt** out,
                                      gh_error* error);
/* "gamehost_db_bind_v1": parameter `index` (from 1) takes *value (copied). */
typedef gh_status (*gh_db_bind_v1)(gh_stmt* stmt, uint32_t index, const gh_db_value* value);
/* "gamehost_db_step_v1": runs the statement on its first step, then moves to the next row:
 * *has_row = 1 with a row to read, 0 when done. GH_ERR_CONSTRAINT for a constraint
 * violation, GH_ERR_BUSY when a lock was not granted in time, GH_ERR_FAILED otherwise. */
typedef gh_status (*gh_db_step_v1)(gh_stmt* stmt, int* has_row, gh_error* error);
/* "gamehost_db_column_count_v1": columns of the result (0 for a statement without rows). */
typedef uint32_t (*gh_db_column_count_v1)(gh_stmt* stmt);
/* "gamehost_db_column_v1": column `index` (from 0) of the current row. */
typedef gh_status (*gh_db_column_v1)(gh_stmt* stmt, uint32_t index, gh_db_value* out);
/* "gamehost_db_changes_v1": rows inserted, updated or deleted by the statement's run. */
typedef uint64_t (*gh_db_changes_v1)(gh_stmt* stmt);
/* "gamehost_db_reset_v1": ready to run again (bindings kept, replace them with bind). */
typedef gh_status (*gh_db_reset_v1)(gh_stmt* stmt);
/* "gamehost_db_finalize_v1" */
typedef void (*gh_db_finalize_v1)(gh_stmt* stmt);

/* ---- Work off the plugin's queue (ABI 1.3) ------------------------------------------------
 * A handler that must wait (a query, a password hash, a file) hands that part to the host:
 * `work` runs on one of the host's blocking threads, in parallel with the plugin's queue
 * and with other jobs, and `then` runs afterwards on the plugin's serial queue (or, with
 * GH_JOB_THEN_ON_LANE, on the lane of `lane_key`), so the plugin sees the result on its
 * own thread and needs no lock. `work` must touch only what the job owns (its `ud`) and
 * immutable plugin data. The host calls exactly one of: work followed by then, or discard
 * (when the job can never run: the plugin stops, or too many jobs are in flight). A plugin
 * is not destroyed, reloaded or drained away while one of its jobs has not finished `then`. */
enum { GH_JOB_THEN_ON_LANE = 1 };
typedef struct gh_blocking_job {
  uint32_t size;
  void (*work)(void* ud);
  void (*then)(void* ud);
  void (*discard)(void* ud);
  void* ud;
  uint32_t flags; /* GH_JOB_* */
  uint64_t lane_key;
} gh_blocking_job;
/* "gamehost_run_blocking_v1": GH_OK (the job is taken), or GH_ERR_BUSY after calling
 * discard when [plugins.<name>] queue_capacity jobs are in flight already. */
typedef gh_status (*gh_run_blocking_v1)(gh_host* host, const gh_blocking_job* job);

/* ---- The list of services -------------------------------------------------------------------
 * Every service of this header, once: X(entry) names the typedef gh_<entry> and the name
 * "gamehost_<entry>" that get_proc looks up. The C++ layer (gamehost/services.hpp), the
 * fake host and the host's own table expand this list, so a misspelled or missing service
 * does not compile. Append only. */
#define GAMEHOST_SERVICES(X) \
  X(send_v1)                 \
  X(send_many_v1)            \
  X(send_error_v1)           \
  X(kick_v1)                 \
  X(bind_user_v1)            \
  X(session_info_v1)         \
  X(session_set_prop_v1)     \
  X(session_get_prop_v1)     \
  X(group_join_v1)           \
  X(group_leave_v1)          \
  X(group_size_v1)           \
  X(group_send_v1)           \
  X(subscribe_v1)            \
  X(unsubscribe_v1)          \
  X(publish_v1)              \
  X(call_v1)                 \
  X(reply_v1)                \
  X(timer_start_v1)          \
  X(timer_cancel_v1)         \
  X(now_ms_v1)               \
  X(post_keyed_v1)           \
  X(log_v1)                  \
  X(config_get_v1)           \
  X(key_open_v1)             \
  X(key_close_v1)            \
  X(key_bind_session_v1)     \
  X(host_info_v1)            \
  X(next_id_v1)              \
  X(run_blocking_v1)
/* The storage services (ABI 1.2), listed apart: a host without storage may leave them out. */
#define GAMEHOST_STORAGE_SERVICES(X) \
  X(db_acquire_v1)                   \
  X(db_release_v1)                   \
  X(db_dialect_v1)                   \
  X(db_begin_v1)                     \
  X(db_commit_v1)                    \
  X(db_rollback_v1)                  \
  X(db_prepare_v1)                   \
  X(db_bind_v1)                      \
  X(db_step_v1)                      \
  X(db_column_count_v1)              \
  X(db_column_v1)                    \
  X(db_changes_v1)                   \
  X(db_reset_v1)                     \
  X(db_finalize_v1)

#ifdef __cplusplus
}
#endif

#endif /* GAMEHOST_ABI_H */
