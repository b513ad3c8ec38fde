#include "report.hpp"

#include <cstdio>
#include <string>

namespace gamehost::loadgen {
namespace {

struct Summary {
  double sent_per_s = 0;
  double received_per_s = 0;
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0, mean_us = 0;
};

Summary summarize(const RunResult& r) {
  Summary s;
  if (r.measured_seconds > 0) {
    s.sent_per_s = static_cast<double>(r.stats.sent) / r.measured_seconds;
    s.received_per_s = static_cast<double>(r.stats.received) / r.measured_seconds;
  }
  const auto& h = r.stats.latency;
  s.p50_us = static_cast<double>(h.percentile(0.50)) / 1e3;
  s.p99_us = static_cast<double>(h.percentile(0.99)) / 1e3;
  s.p999_us = static_cast<double>(h.percentile(0.999)) / 1e3;
  s.max_us = static_cast<double>(h.max()) / 1e3;
  s.mean_us = h.mean() / 1e3;
  return s;
}

std::string json_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

void print_text(std::ostream& out, const Options& o, const RunResult& r) {
  const Summary s = summarize(r);
  out << "gamehost-loadgen: " << to_string(o.scenario) << " over " << to_string(o.transport)
      << " to " << o.host << ":" << o.port << "\n"
      << "  connections  " << r.connections_ready << "/" << o.connections << " ready";
  if (o.scenario == Scenario::kShout) out << ", groups of " << o.group_size;
  out << "\n  load         ";
  if (o.rate > 0) {
    out << "open loop at " << fixed(o.rate, 0) << " msg/s on a " << o.tick_us << " us grid";
    if (o.phases > 1) out << " in " << o.phases << " phases";
  } else {
    out << "closed loop, pipeline " << o.pipeline;
  }
  out << ", payload " << o.payload_bytes << " B, " << o.threads << " thread(s)\n"
      << "  window       " << fixed(r.measured_seconds, 2) << " s after " << fixed(o.warmup_s, 1)
      << " s warm-up\n"
      << "  sent         " << fixed(s.sent_per_s, 0) << " msg/s (" << r.stats.sent << ")\n"
      << "  received     " << fixed(s.received_per_s, 0) << " msg/s (" << r.stats.received
      << (o.scenario == Scenario::kShout ? " deliveries" : "") << ")\n"
      << "  latency us   p50 " << fixed(s.p50_us, 1) << "  p99 " << fixed(s.p99_us, 1) << "  p99.9 "
      << fixed(s.p999_us, 1) << "  max " << fixed(s.max_us, 1) << "  mean " << fixed(s.mean_us, 1)
      << "\n"
      << "  problems     " << r.stats.error_replies << " error replies, " << r.stats.bad_replies
      << " bad replies, " << r.stats.disconnects << " disconnects, " << r.stats.setup_failures
      << " setup failures, " << r.stats.other_frames << " other frames\n";
  if (o.scenario == Scenario::kCard) {
    out << "  games        " << r.stats.games << " finished, "
        << fixed(
               r.measured_seconds > 0 ? static_cast<double>(r.stats.games) / r.measured_seconds : 0,
               1)
        << " games/s (bots think " << o.think_ms << " ms; latency = own action to its broadcast)\n";
  }
  if (!r.stats.first_error.empty()) out << "  first error  " << r.stats.first_error << "\n";
  if (o.server_pid > 0) {
    out << "  server       pid " << o.server_pid << ": cpu "
        << (r.server_cpu_percent ? fixed(*r.server_cpu_percent, 1) + " %" : std::string("n/a"))
        << ", rss "
        << (r.server_rss_kib ? fixed(static_cast<double>(*r.server_rss_kib) / 1024.0, 1) + " MiB"
                             : std::string("n/a"))
        << "\n";
  }
  if (r.loadgen_cpu_percent) {
    out << "  loadgen      cpu " << fixed(*r.loadgen_cpu_percent, 1) << " %\n";
  }
}

void print_json(std::ostream& out, const Options& o, const RunResult& r) {
  const Summary s = summarize(r);
  out << "{\"transport\":\"" << to_string(o.transport) << "\",\"scenario\":\""
      << to_string(o.scenario) << "\",\"host\":\"" << json_escape(o.host)
      << "\",\"port\":" << o.port << ",\"connections\":" << o.connections
      << ",\"connections_ready\":" << r.connections_ready << ",\"pipeline\":" << o.pipeline
      << ",\"rate\":" << fixed(o.rate, 0) << ",\"tick_us\":" << o.tick_us
      << ",\"phases\":" << o.phases << ",\"payload\":" << o.payload_bytes
      << ",\"group_size\":" << o.group_size << ",\"threads\":" << o.threads
      << ",\"warmup_s\":" << fixed(o.warmup_s, 3)
      << ",\"measured_s\":" << fixed(r.measured_seconds, 3) << ",\"sent\":" << r.stats.sent
      << ",\"received\":" << r.stats.received << ",\"sent_per_s\":" << fixed(s.sent_per_s, 1)
      << ",\"received_per_s\":" << fixed(s.received_per_s, 1)
      << ",\"latency_p50_us\":" << fixed(s.p50_us, 1)
      << ",\"latency_p99_us\":" << fixed(s.p99_us, 1)
      << ",\"latency_p999_us\":" << fixed(s.p999_us, 1)
      << ",\"latency_max_us\":" << fixed(s.max_us, 1)
      << ",\"latency_mean_us\":" << fixed(s.mean_us, 1) << ",\"errors\":" << r.stats.error_replies
      << ",\"bad_replies\":" << r.stats.bad_replies << ",\"disconnects\":" << r.stats.disconnects
      << ",\"setup_failures\":" << r.stats.setup_failures
      << ",\"other_frames\":" << r.stats.other_frames << ",\"games\":" << r.stats.games
      << ",\"think_ms\":" << o.think_ms;
  // -1 marks "not measured" so every field stays a number.
  out << ",\"server_cpu_pct\":"
      << (r.server_cpu_percent ? fixed(*r.server_cpu_percent, 1) : std::string("-1"))
      << ",\"server_rss_kib\":"
      << (r.server_rss_kib ? std::to_string(*r.server_rss_kib) : std::string("-1"))
      << ",\"loadgen_cpu_pct\":"
      << (r.loadgen_cpu_percent ? fixed(*r.loadgen_cpu_percent, 1) : std::string("-1"))
      << ",\"first_error\":\"" << json_escape(r.stats.first_error) << "\"}\n";
}

}  // namespace gamehost::loadgen
