// gamehostctl: the operator's command line over the host's admin HTTP API. It finds the API
// (address and token) in the same config file the host reads, so on an installed system
// `gamehostctl list` just works. Exit status: 0 done, 1 the host refused (reason printed),
// 2 cannot reach the host or read the config.
#include <CLI/CLI.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "config/config.hpp"

namespace {

namespace http = boost::beast::http;
using nlohmann::json;

struct Reply {
  int status;
  std::string body;
};

Reply call(const gamehost::config::Endpoint& api, const std::string& token, http::verb verb,
           const std::string& target) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  const auto host = api.host == "0.0.0.0" ? std::string("127.0.0.1")
                    : api.host == "::"    ? std::string("::1")
                                          : api.host;
  socket.connect({boost::asio::ip::make_address(host), api.port});
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, host);
  req.set(http::field::authorization, "Bearer " + token);
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return {static_cast<int>(res.result_int()), res.body()};
}

std::string encode(const std::string& s) {
  std::ostringstream out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_') {
      out << c;
    } else {
      out << '%' << std::hex << std::uppercase << std::setw(2) << std::setfill('0') << int(c);
    }
  }
  return out.str();
}

std::string when(std::uint64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return buf;
}

void print_plugins(const json& list) {
  std::printf("%-12s %-10s %-8s %-20s %-8s %-40s %s\n", "NAME", "VERSION", "STATE", "LOADED",
              "RELOADS", "LAST RELOAD", "FILE");
  for (const auto& p : list) {
    std::string last = "-";
    if (!p["last_reload"].is_null()) {
      const auto& r = p["last_reload"];
      last = r["ok"].get<bool>() ? r["detail"].get<std::string>() + " (" +
                                       std::to_string(r["pause_us"].get<std::uint64_t>()) + " us)"
                                 : "refused: " + r["detail"].get<std::string>();
      if (last.size() > 40) last = last.substr(0, 37) + "...";
    }
    std::printf("%-12s %-10s %-8s %-20s %-8s %-40s %s\n", p["name"].get<std::string>().c_str(),
                p["version"].get<std::string>().c_str(), p["state"].get<std::string>().c_str(),
                when(p["loaded_at_ms"].get<std::uint64_t>()).c_str(),
                std::to_string(p["reloads"].get<std::uint64_t>()).c_str(), last.c_str(),
                p["file"].get<std::string>().c_str());
  }
}

std::string default_config() {
  for (const char* p : {"/etc/gamehost/gamehost.toml", "config/gamehost.toml"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "/etc/gamehost/gamehost.toml";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gamehostctl - operate a running gamehost through its admin API"};
  std::string config_path = default_config();
  bool as_json = false;
  app.add_option("-c,--config", config_path, "the host's config file ([admin] listen and token)")
      ->capture_default_str();
  app.add_flag("--json", as_json, "print the API's JSON instead of tables");
  app.require_subcommand(1);
  // Global options go before or after the subcommand (`gamehostctl list --json`), as with
  // kubectl and systemctl: what a subcommand does not know falls through to this parser.
  // CLI11 copies the setting into each subcommand when it is added, so it comes first.
  app.fallthrough();

  auto* list = app.add_subcommand("list", "plugins: name, version, state, reloads, last reload");
  auto* status = app.add_subcommand("status", "host version, uptime, sessions, plugins");
  auto* sessions = app.add_subcommand("sessions", "how many sessions are open");
  std::string name;
  std::string file;
  std::string strategy;
  auto* reload =
      app.add_subcommand("reload", "live-reload a plugin (messages held, state handed over)");
  reload->add_option("name", name, "plugin name")->required();
  reload->add_option("--file", file, "load this file instead of the configured one");
  reload->add_option("--strategy", strategy,
                     "handover or drain (default: the plugin's reload_strategy)");
  auto* load = app.add_subcommand("load", "load a plugin");
  load->add_option("name", name, "plugin name")->required();
  load->add_option("--file", file,
                   "the .so (default: the configured file, or plugins.dir/NAME.so)");
  auto* unload =
      app.add_subcommand("unload", "unload a plugin (refused while another depends on it)");
  unload->add_option("name", name, "plugin name")->required();
  CLI11_PARSE(app, argc, argv);

  gamehost::config::Config config;
  try {
    config = gamehost::config::load_file(config_path);
  } catch (const std::exception& e) {
    std::cerr << "gamehostctl: " << e.what() << "\n";
    return 2;
  }
  if (config.admin.listen.empty() || config.admin.token.empty()) {
    std::cerr << "gamehostctl: the admin API is off in " << config_path
              << " ([admin] listen and token)\n";
    return 2;
  }
  const auto api = gamehost::config::parse_endpoint(config.admin.listen);

  http::verb verb = http::verb::get;
  std::string target;
  if (list->parsed()) target = "/v1/plugins";
  if (status->parsed()) target = "/v1/status";
  if (sessions->parsed()) target = "/v1/sessions";
  auto with_query = [&](const std::string& t) {
    std::string q;
    if (!file.empty()) q += "file=" + encode(std::filesystem::absolute(file).string());
    if (!strategy.empty())
      q += (q.empty() ? "" : "&") + std::string("strategy=") + encode(strategy);
    return q.empty() ? t : t + "?" + q;
  };
  if (reload->parsed())
    verb = http::verb::post, target = with_query("/v1/plugins/" + encode(name) + "/reload");
  if (load->parsed())
    verb = http::verb::post, target = with_query("/v1/plugins/" + encode(name) + "/load");
  if (unload->parsed()) verb = http::verb::post, target = "/v1/plugins/" + encode(name) + "/unload";

  Reply reply;
  try {
    reply = call(api, config.admin.token, verb, target);
  } catch (const std::exception& e) {
    std::cerr << "gamehostctl: cannot reach the admin API at " << config.admin.listen << ": "
              << e.what() << "\n";
    return 2;
  }
  json body = json::parse(reply.body, nullptr, false);
  if (reply.status != 200) {
    const auto reason =
        body.is_object() && body.contains("error") ? body["error"].get<std::string>() : reply.body;
    std::cerr << "gamehostctl: " << reason << "\n";
    return 1;
  }
  if (as_json || body.is_discarded()) {
    std::cout << reply.body;
    return 0;
  }
  if (list->parsed() || load->parsed()) {
    print_plugins(body.is_array() ? body : json::array({body}));
  } else if (reload->parsed()) {
    if (strategy == "drain") {
      std::cout << "drain reload " << name << " " << body["from"].get<std::string>() << " -> "
                << body["to"].get<std::string>() << ": new work goes to "
                << body["to"].get<std::string>() << ", the old build unloads after its last key\n";
    } else {
      std::cout << "reloaded " << name << " " << body["from"].get<std::string>() << " -> "
                << body["to"].get<std::string>() << " (messages held "
                << body["pause_us"].get<long>() << " us)\n";
    }
  } else if (unload->parsed()) {
    std::cout << "unloaded " << name << "\n";
  } else if (sessions->parsed()) {
    std::cout << body["count"].get<std::size_t>() << " sessions\n";
  } else {
    std::cout << "gamehost " << body["version"].get<std::string>() << ", up "
              << body["uptime_s"].get<std::uint64_t>() << " s, "
              << body["sessions"].get<std::size_t>() << " sessions, "
              << body["plugins"].get<std::size_t>() << " plugins\n";
  }
  return 0;
}
