#!/usr/bin/env bash
# Echo/shout benchmark: gamehost against the baseline Asio server, over TCP and WebSocket,
# closed-loop at saturation and open-loop at half of gamehost's saturated rate.
# See bench/README.md. Runs take about (warmup + duration + 1 s) x 16; ~2 minutes by default.
#
#   bench/run_echo_bench.sh BUILD_DIR [--host-config FILE | --host-ports TCP,WS [--host-pid PID]]
#                           [--duration S] [--warmup S] [--connections N] [--pipeline D]
#                           [--shout-pipeline D] [--group-size G] [--payload B]
#                           [--loadgen-threads T] [--baseline-threads T] [--out FILE]
#
# The host is started as `BUILD_DIR/bin/gamehost --config FILE --ready-file PATH` and must
# write `tcp=PORT` and `ws=PORT` lines to PATH once it listens; give it a config that loads
# the echo plugin. Or point the script at a host that already runs (--host-ports). Without
# either, only the baseline is measured (and "half" is half of the baseline's rate).
set -euo pipefail

usage() { sed -n '5,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }

[[ $# -ge 1 ]] || usage
build_dir=$(cd "$1" && pwd)
shift

host_config=""
host_ports=""
host_pid=""
duration=5
warmup=1
connections=50
pipeline=16
shout_pipeline=4
group_size=10
payload=64
loadgen_threads=1
baseline_threads=$(nproc)
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --host-config) host_config=$(realpath "$2"); shift 2 ;;
    --host-ports) host_ports=$2; shift 2 ;;
    --host-pid) host_pid=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --pipeline) pipeline=$2; shift 2 ;;
    --shout-pipeline) shout_pipeline=$2; shift 2 ;;
    --group-size) group_size=$2; shift 2 ;;
    --payload) payload=$2; shift 2 ;;
    --loadgen-threads) loadgen_threads=$2; shift 2 ;;
    --baseline-threads) baseline_threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) usage ;;
  esac
done

loadgen="$build_dir/bin/gamehost-loadgen"
baseline="$build_dir/bin/gamehost-baseline-echo"
host_bin="$build_dir/bin/gamehost"
for exe in "$loadgen" "$baseline"; do
  if [[ ! -x $exe ]]; then
    echo "missing $exe: build gamehost-loadgen and gamehost-baseline-echo" >&2
    exit 1
  fi
done

work=$(mktemp -d -t gamehost-bench.XXXXXX)
[[ -n $out ]] || out="$build_dir/bench-results/echo-$(date +%Y%m%d-%H%M%S).jsonl"
mkdir -p "$(dirname "$out")"
: >"$out"

# Only processes this script started are stopped, by their own pids.
started_pids=()
cleanup() {
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# wait_ready FILE PID: waits (at most 20 s) for a ready file with tcp= and ws= lines.
wait_ready() {
  local file=$1 pid=$2
  for _ in $(seq 200); do
    if [[ -s $file ]] && grep -q '^tcp=' "$file" && grep -q '^ws=' "$file"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "process $pid exited before it was ready" >&2; return 1; }
    sleep 0.1
  done
  echo "no ready file at $file after 20 s" >&2
  return 1
}
ready_port() { sed -n "s/^$2=//p" "$1" | head -n1; }

# --- start the servers ---
"$baseline" --threads "$baseline_threads" --ready-file "$work/baseline.ready" \
  >"$work/baseline.log" 2>&1 &
baseline_pid=$!
started_pids+=("$baseline_pid")
wait_ready "$work/baseline.ready" "$baseline_pid"
baseline_tcp=$(ready_port "$work/baseline.ready" tcp)
baseline_ws=$(ready_port "$work/baseline.ready" ws)

host_tcp=""
host_ws=""
if [[ -z $host_config && -z $host_ports ]]; then
  # Default: the real host with only the echo plugin, on free loopback ports, its data
  # under $work, and limits wide enough that the benchmark measures speed, not the limiter.
  host_config="$work/gamehost-bench.toml"
  cat >"$host_config" <<TOML
[server]
data_dir = "$work/data"
[listen]
tcp = "127.0.0.1:0"
websocket = "127.0.0.1:0"
[limits]
max_connections_per_ip = 100000
# echo clients never log in: no login deadline
login_timeout_ms = 0
rate_limit_per_second = 10000000
rate_limit_burst = 10000000
send_queue_frames = 100000
[log]
level = "warn"
[plugins]
load = ["echo"]
[plugins.echo]
file = "$build_dir/lib/gamehost/plugins/echo.so"
queue_capacity = 1000000
TOML
fi
if [[ -n $host_config ]]; then
  [[ -x $host_bin ]] || { echo "missing $host_bin" >&2; exit 1; }
  (cd "$work" && exec "$host_bin" --config "$host_config" --ready-file "$work/host.ready") \
    >"$work/host.log" 2>&1 &
  host_pid=$!
  started_pids+=("$host_pid")
  if ! wait_ready "$work/host.ready" "$host_pid"; then
    echo "--- gamehost log ---" >&2
    tail -n 30 "$work/host.log" >&2
    exit 1
  fi
  host_tcp=$(ready_port "$work/host.ready" tcp)
  host_ws=$(ready_port "$work/host.ready" ws)
elif [[ -n $host_ports ]]; then
  host_tcp=${host_ports%,*}
  host_ws=${host_ports#*,}
fi

# --- run the load generator ---

# field JSON NAME: one value from loadgen's flat one-line JSON.
field() { sed -E "s/.*\"$2\":(\"[^\"]*\"|[^,}]*).*/\1/" <<<"$1" | tr -d '"'; }

# run_case TARGET TRANSPORT SCENARIO LOAD RATE: prints loadgen's JSON line (or nothing).
run_case() {
  local target=$1 transport=$2 scenario=$3 load=$4 rate=$5
  local port pid depth
  if [[ $target == baseline ]]; then
    pid=$baseline_pid
    [[ $transport == tcp ]] && port=$baseline_tcp || port=$baseline_ws
  else
    pid=$host_pid
    [[ $transport == tcp ]] && port=$host_tcp || port=$host_ws
  fi
  [[ $scenario == echo ]] && depth=$pipeline || depth=$shout_pipeline
  local args=(--host 127.0.0.1 --port "$port" --transport "$transport" --scenario "$scenario"
    --connections "$connections" --pipeline "$depth" --group-size "$group_size"
    --payload "$payload" --duration "$duration" --warmup "$warmup"
    --threads "$loadgen_threads" --json)
  [[ -n $pid ]] && args+=(--server-pid "$pid")
  [[ $load == half ]] && args+=(--rate "$rate")
  if [[ $load == half ]]; then
    echo "running: $target $transport $scenario at $rate msg/s" >&2
  else
    echo "running: $target $transport $scenario saturated" >&2
  fi
  local line
  # loadgen bounds itself; timeout is only a backstop. Exit codes 2/3 still print JSON.
  line=$(timeout $((${warmup%.*} + ${duration%.*} + 30)) "$loadgen" "${args[@]}" || true)
  [[ -n $line ]] || return 0
  echo "{\"target\":\"$target\",\"load\":\"$load\",${line#\{}" | tee -a "$out"
}

rows=()
targets=(baseline)
[[ -n $host_tcp ]] && targets=(host baseline)
for scenario in echo shout; do
  for transport in tcp ws; do
    saturated_rate=""
    for target in "${targets[@]}"; do
      line=$(run_case "$target" "$transport" "$scenario" saturated 0)
      rows+=("$line")
      # Half load is half of the first target's (the host's, when measured) saturated rate.
      if [[ -z $saturated_rate && -n $line ]]; then saturated_rate=$(field "$line" sent_per_s); fi
    done
    half=$(awk -v r="${saturated_rate:-0}" 'BEGIN { printf "%d", r / 2 }')
    for target in "${targets[@]}"; do
      if [[ $half -gt 0 ]]; then
        rows+=("$(run_case "$target" "$transport" "$scenario" half "$half")")
      fi
    done
  done
done >/dev/null

# --- the table ---
printf '\n%-8s %-5s %-5s %-9s %10s %10s %8s %8s %8s %8s %6s %7s %8s %7s\n' \
  target tport scen load "sent/s" "recv/s" "p50 us" "p99 us" "p99.9" "max us" errors \
  "srv cpu" "srv MiB" "lg cpu"
for line in "${rows[@]}"; do
  [[ -n $line ]] || continue
  errors=$(($(field "$line" errors) + $(field "$line" bad_replies) + $(field "$line" disconnects) +
    $(field "$line" setup_failures)))
  load=$(field "$line" load)
  [[ $load == half ]] && load="@$(field "$line" rate)"
  rss=$(field "$line" server_rss_kib)
  [[ $rss == -1 ]] && rss="-" || rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
  cpu=$(field "$line" server_cpu_pct)
  [[ $cpu == -1 ]] && cpu="-"
  printf '%-8s %-5s %-5s %-9s %10.0f %10.0f %8s %8s %8s %8s %6s %7s %8s %7s\n' \
    "$(field "$line" target)" "$(field "$line" transport)" "$(field "$line" scenario)" "$load" \
    "$(field "$line" sent_per_s)" "$(field "$line" received_per_s)" \
    "$(field "$line" latency_p50_us)" "$(field "$line" latency_p99_us)" \
    "$(field "$line" latency_p999_us)" "$(field "$line" latency_max_us)" "$errors" \
    "$cpu" "$rss" "$(field "$line" loadgen_cpu_pct)"
done
echo
echo "connections=$connections pipeline=$pipeline (shout $shout_pipeline) group=$group_size" \
  "payload=${payload}B duration=${duration}s warmup=${warmup}s cores=$(nproc)"
if [[ ${#targets[@]} -eq 1 ]]; then
  echo "host not measured: give --host-config FILE or --host-ports TCP,WS"
fi
echo "raw results: $out"
