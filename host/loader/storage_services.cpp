// The storage and id services of abi.h (ABI 1.2). A gh_db is a DbLease (a pooled
// connection leased to one plugin); a gh_stmt is a StmtHandle owned by its lease, so a
// plugin that forgets to finalize leaks nothing past the lease. Every function is noexcept
// and turns failures into a status plus an error text.
#include <gamehost/abi.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "loader/abi_out.hpp"
#include "loader/plugin_instance.hpp"
#include "loader/storage_services.hpp"
#include "storage/storage.hpp"
#include "version.hpp"

namespace gamehost::plugins {
namespace {

struct StmtHandle;

struct DbLease {
  std::unique_ptr<storage::Database::Lease> lease;
  PluginInstance* plugin;
  std::unordered_map<StmtHandle*, std::unique_ptr<StmtHandle>> statements;
};

struct StmtHandle {
  DbLease* owner;
  std::unique_ptr<storage::Statement> statement;
  bool counted = false;
};

void fill(gh_error* error, std::string_view text) noexcept {
  write_error(error, GH_CODE_STORAGE_UNAVAILABLE, text);
}

// Runs fn; a StorageError becomes its status and text, anything else GH_ERR_FAILED. Every
// failure is logged in the plugin's log, where its operator looks.
template <class Fn>
gh_status run(PluginInstance& plugin, const char* what, gh_error* error, Fn&& fn) noexcept {
  try {
    fn();
    return GH_OK;
  } catch (const storage::StorageError& e) {
    plugin.stats().db().failures.fetch_add(1, std::memory_order_relaxed);
    // A constraint is an answer (a name taken), not a fault: debug, not a warning.
    if (e.status() == GH_ERR_CONSTRAINT) {
      plugin.logger().debug("storage {}: {}", what, e.what());
    } else {
      plugin.logger().warn("storage {}: {}", what, e.what());
    }
    fill(error, e.what());
    return e.status();
  } catch (const std::exception& e) {
    plugin.stats().db().failures.fetch_add(1, std::memory_order_relaxed);
    plugin.logger().error("storage {}: {}", what, e.what());
    fill(error, e.what());
    return GH_ERR_FAILED;
  } catch (...) {
    fill(error, "unknown failure");
    return GH_ERR_FAILED;
  }
}

DbLease& lease_of(gh_db* db) {
  return *reinterpret_cast<DbLease*>(db);
}
StmtHandle& stmt_of(gh_stmt* stmt) {
  return *reinterpret_cast<StmtHandle*>(stmt);
}

}  // namespace

gh_status svc_db_acquire_v1(gh_host* h, std::uint32_t timeout_ms, gh_db** out, gh_error* error) {
  if (out == nullptr) return GH_ERR_INVALID_ARGUMENT;
  auto& plugin = PluginInstance::from(h);
  auto* storage = plugin.runtime().storage;
  if (storage == nullptr) {
    fill(error, "this host has no storage configured");
    return GH_ERR_UNSUPPORTED;
  }
  return run(plugin, "acquire", error, [&] {
    const auto timeout =
        timeout_ms == 0 ? storage->acquire_timeout() : std::chrono::milliseconds(timeout_ms);
    auto lease =
        std::make_unique<DbLease>(DbLease{storage->database().acquire(timeout), &plugin, {}});
    *out = reinterpret_cast<gh_db*>(lease.release());
  });
}

void svc_db_release_v1(gh_db* db) {
  if (db == nullptr) return;
  try {
    std::unique_ptr<DbLease> lease(&lease_of(db));
    lease->statements.clear();  // before the connection they run on goes back
  } catch (...) {
  }
}

std::uint32_t svc_db_dialect_v1(gh_db* db) {
  return static_cast<std::uint32_t>(lease_of(db).lease->connection().dialect());
}

gh_status svc_db_begin_v1(gh_db* db, gh_error* error) {
  auto& l = lease_of(db);
  return run(*l.plugin, "begin", error, [&] { l.lease->connection().begin(); });
}

gh_status svc_db_commit_v1(gh_db* db, gh_error* error) {
  auto& l = lease_of(db);
  return run(*l.plugin, "commit", error, [&] { l.lease->connection().commit(); });
}

gh_status svc_db_rollback_v1(gh_db* db, gh_error* error) {
  auto& l = lease_of(db);
  return run(*l.plugin, "rollback", error, [&] { l.lease->connection().rollback(); });
}

gh_status svc_db_prepare_v1(gh_db* db, const char* sql, std::size_t len, gh_stmt** out,
                            gh_error* error) {
  if (sql == nullptr || out == nullptr) return GH_ERR_INVALID_ARGUMENT;
  auto& l = lease_of(db);
  return run(*l.plugin, "prepare", error, [&] {
    auto handle = std::make_unique<StmtHandle>(
        StmtHandle{&l, l.lease->connection().prepare(std::string_view(sql, len)), false});
    auto* raw = handle.get();
    l.statements.emplace(raw, std::move(handle));
    *out = reinterpret_cast<gh_stmt*>(raw);
  });
}

gh_status svc_db_bind_v1(gh_stmt* stmt, std::uint32_t index, const gh_db_value* v) {
  if (v == nullptr) return GH_ERR_INVALID_ARGUMENT;
  auto& s = stmt_of(stmt);
  return run(*s.owner->plugin, "bind", nullptr, [&] {
    storage::Value value;
    switch (v->type) {
      case GH_DB_NULL:
        break;
      case GH_DB_INT:
        value = v->int_value;
        break;
      case GH_DB_DOUBLE:
        value = v->double_value;
        break;
      case GH_DB_TEXT:
        value = std::string(v->text == nullptr ? "" : v->text, v->text == nullptr ? 0 : v->len);
        break;
      default:
        throw storage::StorageError(GH_ERR_INVALID_ARGUMENT,
                                    "unknown value type " + std::to_string(v->type));
    }
    s.statement->bind(index, std::move(value));
  });
}

gh_status svc_db_step_v1(gh_stmt* stmt, int* has_row, gh_error* error) {
  if (has_row == nullptr) return GH_ERR_INVALID_ARGUMENT;
  auto& s = stmt_of(stmt);
  auto& counters = s.owner->plugin->stats().db();
  if (!s.counted) {
    s.counted = true;
    counters.statements.fetch_add(1, std::memory_order_relaxed);
  }
  const auto start = std::chrono::steady_clock::now();
  *has_row = 0;
  const auto status =
      run(*s.owner->plugin, "step", error, [&] { *has_row = s.statement->step() ? 1 : 0; });
  counters.nanoseconds.fetch_add(
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - start)
                                     .count()),
      std::memory_order_relaxed);
  return status;
}

std::uint32_t svc_db_column_count_v1(gh_stmt* stmt) {
  return stmt_of(stmt).statement->column_count();
}

gh_status svc_db_column_v1(gh_stmt* stmt, std::uint32_t index, gh_db_value* out) {
  if (out == nullptr) return GH_ERR_INVALID_ARGUMENT;
  if (!GH_HAS_FIELD(out, gh_db_value, type)) return GH_ERR_INVALID_ARGUMENT;
  write_db_value(out, stmt_of(stmt).statement->column(index));
  return GH_OK;
}

std::uint64_t svc_db_changes_v1(gh_stmt* stmt) {
  return stmt_of(stmt).statement->changes();
}

gh_status svc_db_reset_v1(gh_stmt* stmt) {
  stmt_of(stmt).statement->reset();
  stmt_of(stmt).counted = false;
  return GH_OK;
}

void svc_db_finalize_v1(gh_stmt* stmt) {
  if (stmt == nullptr) return;
  auto& s = stmt_of(stmt);
  s.owner->statements.erase(&s);
}

gh_status svc_host_info_v1(gh_host* h, gh_host_info* out) {
  if (out == nullptr) return GH_ERR_INVALID_ARGUMENT;
  auto& runtime = PluginInstance::from(h).runtime();
  if (GH_HAS_FIELD(out, gh_host_info, production))
    out->production = runtime.config.server.mode == "production" ? 1 : 0;
  if (GH_HAS_FIELD(out, gh_host_info, node_id)) out->node_id = runtime.config.server.node_id;
  if (GH_HAS_FIELD(out, gh_host_info, host_version))
    std::snprintf(out->host_version, sizeof out->host_version, "%s", kHostVersion);
  return GH_OK;
}

gh_status svc_next_id_v1(gh_host* h, std::uint64_t* out) {
  if (out == nullptr) return GH_ERR_INVALID_ARGUMENT;
  auto* storage = PluginInstance::from(h).runtime().storage;
  if (storage == nullptr) return GH_ERR_UNSUPPORTED;
  try {
    const auto id = storage->ids().next();
    if (!id) return GH_ERR_FAILED;
    *out = *id;
    return GH_OK;
  } catch (...) {
    return GH_ERR_FAILED;
  }
}

}  // namespace gamehost::plugins
