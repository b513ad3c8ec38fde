#!/usr/bin/env bash
# Live reload under load: the echo plugin serves 20 000 msg/s from the load generator while
# it is reloaded 100 times through gamehostctl. Reports how long messages were held per
# reload (p50/p99/max, from the host's own measurement) and the clients' latency with and
# without the reloads. Bounded: about a minute.
#   usage: bench/reload_under_load.sh BUILD_DIR [RATE] [RELOADS]
set -euo pipefail
build=$(realpath "${1:?usage: $0 BUILD_DIR [RATE] [RELOADS]}")
rate=${2:-20000}
reloads=${3:-100}
work=$(mktemp -d)
host_pid=""
cleanup() {
  [[ -n $host_pid ]] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

admin_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/gamehost.toml" <<TOML
[server]
data_dir = "$work/data"
[listen]
tcp = "127.0.0.1:0"
websocket = ""
[limits]
max_connections_per_ip = 100000
# echo clients never log in: no login deadline
login_timeout_ms = 0
rate_limit_per_second = 10000000
rate_limit_burst = 10000000
send_queue_frames = 100000
[admin]
listen = "127.0.0.1:$admin_port"
token = "bench"
[log]
level = "warn"
[plugins]
load = ["echo"]
[plugins.echo]
file = "$build/lib/gamehost/plugins/echo.so"
TOML
"$build/bin/gamehost" --config "$work/gamehost.toml" --ready-file "$work/ready" >"$work/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 100); do [[ -s $work/ready ]] && break; sleep 0.05; done
port=$(sed -n 's/^tcp=//p' "$work/ready")

load() {  # load SECONDS -> loadgen JSON line
  "$build/bin/gamehost-loadgen" --port "$port" --transport tcp --scenario echo --connections 50 \
    --rate "$rate" --duration "$1" --warmup 1 --json
}

echo "without reloads: $rate msg/s for 10 s"
quiet=$(load 10)
echo "with $reloads reloads: $rate msg/s"
load 20 >"$work/loaded.json" &
loadgen=$!
sleep 2
pauses=()
for _ in $(seq "$reloads"); do
  out=$("$build/bin/gamehostctl" --config "$work/gamehost.toml" --json reload echo)
  pauses+=("$(sed -E 's/.*"pause_us":([0-9]+).*/\1/' <<<"$out")")
done
wait "$loadgen"
loaded=$(cat "$work/loaded.json")

printf '%s\n' "${pauses[@]}" | sort -n | awk -v n="${#pauses[@]}" '
  { v[NR] = $1 }
  END { printf "pause (messages held) over %d reloads: p50 %d us, p99 %d us, max %d us\n", n, v[int(n*0.5)+1], v[int(n*0.99)+ (n*0.99>int(n*0.99))], v[n] }'
field() { sed -E "s/.*\"$2\":(\"[^\"]*\"|[^,}]*).*/\1/" <<<"$1" | tr -d '"'; }
for run in quiet loaded; do
  j=${!run}
  printf '%-7s sent/s %s recv/s %s p50 %s us p99 %s us p99.9 %s us max %s us errors %s\n' "$run" \
    "$(field "$j" sent_per_s)" "$(field "$j" received_per_s)" "$(field "$j" latency_p50_us)" "$(field "$j" latency_p99_us)" \
    "$(field "$j" latency_p999_us)" "$(field "$j" latency_max_us)" "$(( $(field "$j" errors) + $(field "$j" bad_replies) + $(field "$j" disconnects) ))"
done
