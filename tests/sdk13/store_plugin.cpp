// Test plugin "store": keeps key/value pairs in the database with with_db (the query runs off
// the queue), counts each session's messages on the queue with no lock, and serves "get"
// to other plugins with serve_blocking (store_api.hpp). Settings: "prefix" (a string, optional).
#include <gamehost/plugin.hpp>

#include <map>
#include <string>

#include "protocol.hpp"
#include "store_api.hpp"

namespace {

namespace pb = gamehost::sdk13;

class StorePlugin final : public gamehost::Plugin {
 public:
  explicit StorePlugin(gamehost::Host& host)
      : Plugin(host), prefix_(host.setting<std::string>("prefix").value_or("")) {
    // [store-with-db]
    handle<pb::Put>([this](gamehost::Request& req, const pb::Put& in) {
      const auto seq = seq_[req.session]++;
      with_db(
          req,
          [key = prefix_ + in.key(), value = in.value()](gamehost::Db& db) {
            db.exec("INSERT OR REPLACE INTO sdk13_store (k, v) VALUES (?, ?)", key, value);
            return key;
          },
          [req, seq](const std::string& key) {
            pb::PutDone out;
            out.set_key(key);
            out.set_seq(seq);
            req.reply(out);
          });
    });
    // [store-with-db]
    handle<pb::Get>([this](gamehost::Request& req, const pb::Get& in) {
      const auto seq = seq_[req.session]++;
      with_db(
          req,
          [key = prefix_ + in.key()](gamehost::Db& db) {
            pb::Got out;
            out.set_key(key);
            if (auto row = db.query_one("SELECT v FROM sdk13_store WHERE k = ?", key)) {
              out.set_value(row->text(0));
              out.set_found(true);
            }
            return out;
          },
          [req, seq](pb::Got out) {
            out.set_seq(seq);
            req.reply(out);
          });
    });
    // [store-serve]
    // On a blocking thread: it reads only the request and the immutable prefix_.
    serve_blocking(sdk13::store_api::kGet, [this](const pb::Get& in, std::string_view caller) {
      pb::Got out;
      auto db = this->host().db();
      if (auto row = db.query_one("SELECT v FROM sdk13_store WHERE k = ?", prefix_ + in.key())) {
        out.set_value(row->text(0));
        out.set_found(true);
      }
      this->host().log_debug("get ", in.key(), " for ", caller);
      return out;
    });
    // [store-serve]
  }

  void on_session_closed(gamehost::SessionId session, gamehost::UserId) override {
    seq_.erase(session);
  }

 private:
  const std::string prefix_;  // immutable: blocking work may read it
  std::map<gamehost::SessionId, std::uint32_t> seq_;
};

}  // namespace

// [store-export]
GAMEHOST_PLUGIN(StorePlugin,
                "name = store\nversion = 1.0.0\nranges = 100400-100409\npublic = 100400-100409\n",
                SDK13_STORE_MESSAGES)
// [store-export]
