// Public header: the typed storage API plugins use, over the C services of abi.h (ABI 1.2).
//
//   auto db = host().db();                       // a leased connection (RAII)
//   auto tx = db.begin();                        // rolled back unless committed
//   db.exec("UPDATE coins SET balance = balance - ? WHERE user_id = ? AND balance >= ?",
//           amount, user, amount);
//   auto row = db.query_one("SELECT balance FROM coins WHERE user_id = ?", user);
//   tx.commit();
//
// Every call blocks the calling plugin context only. Failures throw DbError; one that
// escapes a handler becomes a GH_CODE_STORAGE_UNAVAILABLE reply and a log line (a
// constraint violation that escapes is a plugin bug and becomes GH_CODE_PLUGIN_FAILURE).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "gamehost/abi.h"

namespace gamehost {

class DbError : public std::runtime_error {
 public:
  DbError(gh_status status, const std::string& text) : std::runtime_error(text), status_(status) {}
  gh_status status() const noexcept { return status_; }
  // A unique key or check constraint refused the change (e.g. a name already taken).
  bool constraint() const noexcept { return status_ == GH_ERR_CONSTRAINT; }

 private:
  gh_status status_;
};

// The storage services, resolved once per plugin instance.
struct DbApi {
  gh_db_acquire_v1 acquire{};
  gh_db_release_v1 release{};
  gh_db_dialect_v1 dialect{};
  gh_db_begin_v1 begin{};
  gh_db_commit_v1 commit{};
  gh_db_rollback_v1 rollback{};
  gh_db_prepare_v1 prepare{};
  gh_db_bind_v1 bind{};
  gh_db_step_v1 step{};
  gh_db_column_count_v1 column_count{};
  gh_db_column_v1 column{};
  gh_db_changes_v1 changes{};
  gh_db_reset_v1 reset{};
  gh_db_finalize_v1 finalize{};

  template <class GetProc>
  bool resolve(GetProc get_proc) {
    return load(acquire, get_proc, "gamehost_db_acquire_v1") &&
           load(release, get_proc, "gamehost_db_release_v1") &&
           load(dialect, get_proc, "gamehost_db_dialect_v1") &&
           load(begin, get_proc, "gamehost_db_begin_v1") &&
           load(commit, get_proc, "gamehost_db_commit_v1") &&
           load(rollback, get_proc, "gamehost_db_rollback_v1") &&
           load(prepare, get_proc, "gamehost_db_prepare_v1") &&
           load(bind, get_proc, "gamehost_db_bind_v1") &&
           load(step, get_proc, "gamehost_db_step_v1") &&
           load(column_count, get_proc, "gamehost_db_column_count_v1") &&
           load(column, get_proc, "gamehost_db_column_v1") &&
           load(changes, get_proc, "gamehost_db_changes_v1") &&
           load(reset, get_proc, "gamehost_db_reset_v1") &&
           load(finalize, get_proc, "gamehost_db_finalize_v1");
  }

 private:
  template <class Fn, class GetProc>
  static bool load(Fn& fn, GetProc get_proc, const char* name) {
    fn = reinterpret_cast<Fn>(get_proc(name));
    return fn != nullptr;
  }
};

// One column value as read: NULL, an integer, a real or text (bytes).
using DbValue = std::variant<std::monostate, std::int64_t, double, std::string>;

// One result row, owned (it outlives the statement).
class Row {
 public:
  explicit Row(std::vector<DbValue> values) : values_(std::move(values)) {}
  std::size_t size() const noexcept { return values_.size(); }
  bool is_null(std::size_t i) const { return std::holds_alternative<std::monostate>(at(i)); }

  // Integers come back as integers from both databases; MySQL gives SUM() as a decimal,
  // which arrives as text or a real, so both convert.
  std::int64_t int64(std::size_t i) const {
    const auto& v = at(i);
    if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
    if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
    if (const auto* s = std::get_if<std::string>(&v)) {
      char* end = nullptr;
      const auto n = std::strtoll(s->c_str(), &end, 10);
      if (end != s->c_str()) return n;
    }
    throw DbError(GH_ERR_INVALID_ARGUMENT, "column " + std::to_string(i) + " is not an integer");
  }
  double real(std::size_t i) const {
    const auto& v = at(i);
    if (const auto* d = std::get_if<double>(&v)) return *d;
    if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
    if (const auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
    throw DbError(GH_ERR_INVALID_ARGUMENT, "column " + std::to_string(i) + " is NULL");
  }
  std::string text(std::size_t i) const {
    const auto& v = at(i);
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
    if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
    return {};
  }
  std::optional<std::int64_t> opt_int64(std::size_t i) const {
    return is_null(i) ? std::nullopt : std::optional(int64(i));
  }
  std::optional<std::string> opt_text(std::size_t i) const {
    return is_null(i) ? std::nullopt : std::optional(text(i));
  }

 private:
  const DbValue& at(std::size_t i) const {
    if (i >= values_.size()) {
      throw DbError(GH_ERR_INVALID_ARGUMENT, "no column " + std::to_string(i));
    }
    return values_[i];
  }
  std::vector<DbValue> values_;
};

class Db;

// A transaction on a lease: rolled back when destroyed uncommitted (a handler that throws
// half-way changes nothing).
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  friend class Db;
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;
};

// A connection leased from the host's pool; returned when destroyed. Not thread-safe:
// one lease belongs to the code path that acquired it.
class Db {
 public:
  Db(const DbApi* api, gh_db* db) : api_(api), db_(db) {}
  Db(Db&& other) noexcept : api_(other.api_), db_(std::exchange(other.db_, nullptr)) {}
  Db& operator=(Db&&) = delete;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() {
    if (db_ != nullptr) api_->release(db_);
  }

  gh_db_dialect dialect() const { return static_cast<gh_db_dialect>(api_->dialect(db_)); }

  [[nodiscard]] Transaction begin() {
    gh_error error{sizeof(gh_error), 0, {}};
    check(api_->begin(db_, &error), error);
    return Transaction(this);
  }

  // Runs a statement that returns rows; all of them.
  template <class... Args>
  std::vector<Row> query(std::string_view sql, const Args&... args) {
    Statement st(*this, sql);
    st.bind_all(args...);
    std::vector<Row> rows;
    while (st.step()) rows.push_back(st.row());
    return rows;
  }
  // The first row, or nothing.
  template <class... Args>
  std::optional<Row> query_one(std::string_view sql, const Args&... args) {
    Statement st(*this, sql);
    st.bind_all(args...);
    if (!st.step()) return std::nullopt;
    return st.row();
  }
  // Runs a statement without rows; returns how many rows it changed.
  template <class... Args>
  std::uint64_t exec(std::string_view sql, const Args&... args) {
    Statement st(*this, sql);
    st.bind_all(args...);
    while (st.step()) {
    }
    return api_->changes(st.stmt_);
  }

 private:
  friend class Transaction;

  // One prepared statement, finalized when it goes out of scope.
  class Statement {
   public:
    Statement(Db& db, std::string_view sql) : db_(db) {
      gh_error error{sizeof(gh_error), 0, {}};
      db_.check(db_.api_->prepare(db_.db_, sql.data(), sql.size(), &stmt_, &error), error);
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { db_.api_->finalize(stmt_); }

    template <class... Args>
    void bind_all(const Args&... args) {
      std::uint32_t index = 1;
      (bind(index++, args), ...);
    }
    bool step() {
      int has_row = 0;
      gh_error error{sizeof(gh_error), 0, {}};
      db_.check(db_.api_->step(stmt_, &has_row, &error), error);
      return has_row != 0;
    }
    Row row() {
      const auto n = db_.api_->column_count(stmt_);
      std::vector<DbValue> values;
      values.reserve(n);
      for (std::uint32_t i = 0; i < n; ++i) {
        gh_db_value v{};
        v.size = sizeof v;
        db_.api_->column(stmt_, i, &v);
        switch (v.type) {
          case GH_DB_INT:
            values.emplace_back(v.int_value);
            break;
          case GH_DB_DOUBLE:
            values.emplace_back(v.double_value);
            break;
          case GH_DB_TEXT:
            values.emplace_back(std::string(v.text, v.len));
            break;
          default:
            values.emplace_back(std::monostate{});
            break;
        }
      }
      return Row(std::move(values));
    }

    gh_stmt* stmt_ = nullptr;

   private:
    template <class T>
    void bind(std::uint32_t index, const T& value) {
      gh_db_value v{};
      v.size = sizeof v;
      if constexpr (std::is_same_v<T, std::nullopt_t>) {
        v.type = GH_DB_NULL;
      } else if constexpr (requires {
                             value.has_value();
                             *value;
                           }) {
        if (!value.has_value()) {
          bind(index, std::nullopt);
        } else {
          bind(index, *value);
        }
        return;
      } else if constexpr (std::is_integral_v<T>) {
        v.type = GH_DB_INT;
        v.int_value = static_cast<std::int64_t>(value);
      } else if constexpr (std::is_floating_point_v<T>) {
        v.type = GH_DB_DOUBLE;
        v.double_value = static_cast<double>(value);
      } else {
        const std::string_view text(value);
        v.type = GH_DB_TEXT;
        v.text = text.data();
        v.len = text.size();
      }
      const auto status = db_.api_->bind(stmt_, index, &v);
      if (status != GH_OK) {
        throw DbError(status, "cannot bind parameter " + std::to_string(index));
      }
    }
    Db& db_;
  };

  void check(gh_status status, const gh_error& error) const {
    if (status != GH_OK) throw DbError(status, error.text);
  }

  const DbApi* api_;
  gh_db* db_;
};

inline Transaction::~Transaction() {
  if (db_ == nullptr) return;
  gh_error error{sizeof(gh_error), 0, {}};
  db_->api_->rollback(db_->db_, &error);  // failure here means the connection is gone
}

inline void Transaction::commit() {
  if (db_ == nullptr) throw DbError(GH_ERR_INVALID_ARGUMENT, "transaction already ended");
  gh_error error{sizeof(gh_error), 0, {}};
  auto* db = std::exchange(db_, nullptr);
  db->check(db->api_->commit(db->db_, &error), error);
}

}  // namespace gamehost
