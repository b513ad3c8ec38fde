// Statements on MySQL/MariaDB through SOCI. SOCI binds positional ":pN" placeholders and
// reads rows dynamically; the whole result is read on the first step (game queries are
// small), so a lease never holds a half-read result set.
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include <ctime>

#include "storage/statement.hpp"

namespace gamehost::storage {

gh_status mysql_status(unsigned error_number, bool& lost) noexcept {
  lost = false;
  switch (error_number) {
    case 1022:  // duplicate key
    case 1062:  // duplicate entry
    case 1169:  // unique constraint
    case 1216:
    case 1217:
    case 1451:
    case 1452:  // foreign keys
    case 3819:  // check constraint (MySQL)
    case 4025:  // check constraint (MariaDB)
      return GH_ERR_CONSTRAINT;
    case 1205:  // lock wait timeout
    case 1213:  // deadlock: the transaction was rolled back
      return GH_ERR_BUSY;
    case 2002:
    case 2003:
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2055:
      lost = true;
      return GH_ERR_FAILED;
    default:
      return GH_ERR_FAILED;
  }
}

namespace {

// One bound parameter as SOCI wants it: an lvalue of a fixed type plus an indicator.
struct Param {
  long long integer = 0;
  double real = 0;
  std::string text;
  soci::indicator indicator = soci::i_null;
  enum class Kind { null, integer, real, text } kind = Kind::null;
};

class MysqlStatement final : public Statement {
 public:
  MysqlStatement(soci::session& session, bool& lost, std::string_view sql)
      : Statement(std::string(sql)),
        session_(session),
        lost_(lost),
        rows_expected_(returns_rows(sql)) {
    auto [text, count] = number_placeholders(sql);
    numbered_ = std::move(text);
    params_.resize(count);
  }

  void bind(std::uint32_t index, Value value) override {
    if (index == 0 || index > params_.size()) {
      throw StorageError(GH_ERR_INVALID_ARGUMENT,
                         "no parameter " + std::to_string(index) + " in: " + sql());
    }
    auto& p = params_[index - 1];
    p = Param{};
    if (const auto* n = std::get_if<std::int64_t>(&value)) {
      p.kind = Param::Kind::integer, p.integer = *n, p.indicator = soci::i_ok;
    } else if (const auto* d = std::get_if<double>(&value)) {
      p.kind = Param::Kind::real, p.real = *d, p.indicator = soci::i_ok;
    } else if (auto* s = std::get_if<std::string>(&value)) {
      p.kind = Param::Kind::text, p.text = std::move(*s), p.indicator = soci::i_ok;
    }
  }

  bool step() override {
    if (!ran_) run();
    if (next_ >= rows_.size()) return false;
    current_ = next_++;
    return true;
  }

  std::uint32_t column_count() const override { return columns_; }

  gh_db_value column(std::uint32_t index) const override {
    gh_db_value v{};
    v.size = sizeof v;
    if (current_ >= rows_.size() || index >= rows_[current_].size()) return v;
    const auto& value = rows_[current_][index];
    if (const auto* n = std::get_if<std::int64_t>(&value)) {
      v.type = GH_DB_INT, v.int_value = *n;
    } else if (const auto* d = std::get_if<double>(&value)) {
      v.type = GH_DB_DOUBLE, v.double_value = *d;
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      v.type = GH_DB_TEXT, v.text = s->data(), v.len = s->size();
    }
    return v;
  }

  std::uint64_t changes() const override { return changes_; }

  void reset() override {
    ran_ = false;
    rows_.clear();
    next_ = current_ = 0;
    changes_ = 0;
  }

 private:
  void run() {
    ran_ = true;
    try {
      soci::statement st(session_);
      for (auto& p : params_) {
        switch (p.kind) {
          case Param::Kind::integer:
            st.exchange(soci::use(p.integer, p.indicator));
            break;
          case Param::Kind::real:
            st.exchange(soci::use(p.real, p.indicator));
            break;
          default:
            st.exchange(soci::use(p.text, p.indicator));
            break;
        }
      }
      soci::row row;
      if (rows_expected_) st.exchange(soci::into(row));
      st.alloc();
      st.prepare(numbered_);
      st.define_and_bind();
      bool got = st.execute(true);
      if (rows_expected_) {
        columns_ = static_cast<std::uint32_t>(row.size());
        while (got) {
          rows_.push_back(read(row));
          got = st.fetch();
        }
      } else {
        changes_ = static_cast<std::uint64_t>(st.get_affected_rows());
      }
    } catch (const soci::mysql_soci_error& e) {
      bool lost = false;
      const auto status = mysql_status(e.err_num_, lost);
      if (lost) lost_ = true;
      throw StorageError(status, std::string(lost ? "connection lost: " : "") +
                                     e.get_error_message() + " in: " + sql());
    } catch (const soci::soci_error& e) {
      throw StorageError(GH_ERR_FAILED, e.get_error_message() + " in: " + sql());
    }
  }

  static std::vector<Value> read(const soci::row& row) {
    std::vector<Value> out;
    out.reserve(row.size());
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (row.get_indicator(i) == soci::i_null) {
        out.emplace_back(std::monostate{});
        continue;
      }
      switch (row.get_properties(i).get_data_type()) {
        case soci::dt_integer:
          out.emplace_back(std::int64_t{row.get<int>(i)});
          break;
        case soci::dt_long_long:
          out.emplace_back(std::int64_t{row.get<long long>(i)});
          break;
        case soci::dt_unsigned_long_long:
          out.emplace_back(static_cast<std::int64_t>(row.get<unsigned long long>(i)));
          break;
        case soci::dt_double:
          out.emplace_back(row.get<double>(i));
          break;
        case soci::dt_date: {
          const auto tm = row.get<std::tm>(i);
          char text[32];
          std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
          out.emplace_back(std::string(text));
          break;
        }
        default:
          out.emplace_back(row.get<std::string>(i));
          break;
      }
    }
    return out;
  }

  soci::session& session_;
  bool& lost_;
  const bool rows_expected_;
  std::string numbered_;
  std::vector<Param> params_;
  bool ran_ = false;
  std::uint32_t columns_ = 0;
  std::vector<std::vector<Value>> rows_;
  std::size_t next_ = 0;
  std::size_t current_ = 0;
  std::uint64_t changes_ = 0;
};

}  // namespace

std::unique_ptr<Statement> prepare_mysql(soci::session& session, bool& lost, std::string_view sql) {
  return std::make_unique<MysqlStatement>(session, lost, sql);
}

}  // namespace gamehost::storage
