// Internal header: the host services implemented in storage_services.cpp, named after
// their abi.h list entries (host_services.cpp expands the lists into get_proc's table).
#pragma once

#include <gamehost/abi.h>

namespace gamehost::plugins {

gh_status svc_host_info_v1(gh_host* h, gh_host_info* out);
gh_status svc_next_id_v1(gh_host* h, std::uint64_t* out);
gh_status svc_db_acquire_v1(gh_host* h, std::uint32_t timeout_ms, gh_db** out, gh_error* error);
void svc_db_release_v1(gh_db* db);
std::uint32_t svc_db_dialect_v1(gh_db* db);
gh_status svc_db_begin_v1(gh_db* db, gh_error* error);
gh_status svc_db_commit_v1(gh_db* db, gh_error* error);
gh_status svc_db_rollback_v1(gh_db* db, gh_error* error);
gh_status svc_db_prepare_v1(gh_db* db, const char* sql, std::size_t len, gh_stmt** out,
                            gh_error* error);
gh_status svc_db_bind_v1(gh_stmt* stmt, std::uint32_t index, const gh_db_value* v);
gh_status svc_db_step_v1(gh_stmt* stmt, int* has_row, gh_error* error);
std::uint32_t svc_db_column_count_v1(gh_stmt* stmt);
gh_status svc_db_column_v1(gh_stmt* stmt, std::uint32_t index, gh_db_value* out);
std::uint64_t svc_db_changes_v1(gh_stmt* stmt);
gh_status svc_db_reset_v1(gh_stmt* stmt);
void svc_db_finalize_v1(gh_stmt* stmt);

}  // namespace gamehost::plugins
