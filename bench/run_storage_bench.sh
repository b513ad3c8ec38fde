#!/usr/bin/env bash
# Storage benchmark: registrations/s and logins/s (argon2id) and coin transfers/s, on a
# SQLite file and on MariaDB, against the real host with the auth, user and coinprobe
# plugins. See bench/README.md, "Storage: registrations, logins, coin transfers".
#
#   bench/run_storage_bench.sh BUILD_DIR [--backends sqlite,mariadb] [--costs configured,cheap]
#                              [--duration S] [--connections N] [--transfer-connections N]
#                              [--accounts K] [--users-per-connection U]
#                              [--ops register,login,transfer] [--out FILE]
#
# Builds nothing: BUILD_DIR must hold bin/gamehost, bin/gamehost_storage_bench, the auth and
# user plugins and the coinprobe test plugin. MariaDB is a throwaway server started (and
# stopped) with scripts/mariadb.sh; set GAMEHOST_STORAGE_URL to use another one instead.
# Costs: "configured" = config/gamehost.toml's argon2id cost (ops 2, 64 MiB, libsodium's
# "interactive"), "cheap" = ops 1, 8 MiB. Transfers do not hash, so they run once per
# backend, with the configured cost. Every (backend, cost) gets a fresh host and database.
set -euo pipefail

usage() { sed -n '6,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }

[[ $# -ge 1 ]] || usage
build_dir=$(cd "$1" && pwd)
shift
repo=$(cd "$(dirname "$0")/.." && pwd)

backends=sqlite,mariadb
costs=configured,cheap
duration=15
connections=16
transfer_connections=16
accounts=1000
users_per_connection=4
ops_wanted=register,login,transfer
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --backends) backends=$2; shift 2 ;;
    --costs) costs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --transfer-connections) transfer_connections=$2; shift 2 ;;
    --accounts) accounts=$2; shift 2 ;;
    --users-per-connection) users_per_connection=$2; shift 2 ;;
    --ops) ops_wanted=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) usage ;;
  esac
done

host_bin="$build_dir/bin/gamehost"
bench_bin="$build_dir/bin/gamehost_storage_bench"
plugin_dir="$build_dir/lib/gamehost/plugins"
coinprobe="$build_dir/lib/gamehost/test-plugins/coinprobe.so"
for f in "$host_bin" "$bench_bin" "$plugin_dir/auth.so" "$plugin_dir/user.so" "$coinprobe"; do
  [[ -e $f ]] || {
    echo "missing $f: cmake --build $build_dir --target gamehost auth user coinprobe gamehost_storage_bench" >&2
    exit 1
  }
done

work=$(mktemp -d -t gamehost-storage-bench.XXXXXX)
[[ -n $out ]] || out="$build_dir/bench-results/storage-$(date +%Y%m%d-%H%M%S).jsonl"
mkdir -p "$(dirname "$out")"
: >"$out"

host_pid=""
mariadb_started=""
cleanup() {
  if [[ -n $host_pid ]]; then
    kill "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  [[ -z $mariadb_started ]] || gamehost_mariadb_stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_host NAME URL OPS MEM_KIB: a fresh host on free loopback ports, data under $work/NAME.
start_host() {
  local name=$1 url=$2 ops=$3 mem=$4
  local config="$work/$name.toml"
  mkdir -p "$work/$name"
  cat >"$config" <<TOML
[server]
data_dir = "$work/$name/data"
node_id = 1
[listen]
tcp = "127.0.0.1:0"
websocket = "127.0.0.1:0"
[admin]
listen = ""
[limits]
max_connections_per_ip = 100000
rate_limit_per_second = 10000000
rate_limit_burst = 10000000
[log]
level = "warn"
[storage]
url = "$url"
migrations_dir = "$repo/migrations"
[plugins]
dir = "$plugin_dir"
load = ["auth", "user", "coinprobe"]
[plugins.auth]
capabilities = ["bind_user"]
[plugins.auth.settings]
token_secret = "storage-bench-secret-0123456789abcdef"
argon2_ops_limit = $ops
argon2_mem_limit_kib = $mem
# Every client of the benchmark registers from 127.0.0.1: lift the per-address limits.
max_registrations_per_address = 1000000
max_failures_per_address = 1000000
[plugins.coinprobe]
file = "$coinprobe"
TOML
  # The URL is in the config; GAMEHOST_STORAGE_URL would override it (and the sqlite runs).
  (cd "$work/$name" && exec env -u GAMEHOST_STORAGE_URL "$host_bin" --config "$config" --ready-file "$work/$name/ready") \
    >"$work/$name/host.log" 2>&1 &
  host_pid=$!
  for _ in $(seq 300); do
    if [[ -s $work/$name/ready ]] && grep -q '^tcp=' "$work/$name/ready"; then
      host_port=$(sed -n 's/^tcp=//p' "$work/$name/ready" | head -n1)
      return 0
    fi
    if ! kill -0 "$host_pid" 2>/dev/null; then
      echo "gamehost exited before it was ready:" >&2
      tail -n 30 "$work/$name/host.log" >&2
      host_pid=""
      return 1
    fi
    sleep 0.1
  done
  echo "gamehost not ready after 30 s" >&2
  return 1
}

# stop_host NAME: stops the host and keeps its log beside the results.
stop_host() {
  kill "$host_pid" 2>/dev/null || true
  wait "$host_pid" 2>/dev/null || true
  host_pid=""
  cp "$work/$1/host.log" "${out%.jsonl}-$1-host.log"
}

# An empty database for the next host (MariaDB started by this script only).
reset_mariadb() {
  [[ -n $mariadb_started ]] || return 0
  mariadb --socket="$GAMEHOST_TEST_MYSQL_SOCKET" -uroot \
    -e "DROP DATABASE IF EXISTS game; CREATE DATABASE game;"
}

# field JSON NAME: one value from the bench's flat one-line JSON.
field() { sed -E "s/.*\"$2\":(\"[^\"]*\"|[^,}]*).*/\1/" <<<"$1" | tr -d '"'; }

rows=()
run_op() {
  local backend=$1 cost=$2 op=$3 conns=$4 db_pid=$5
  [[ ,$ops_wanted, == *,$op,* ]] || return 0
  local args=(--port "$host_port" --op "$op" --connections "$conns" --duration "$duration"
    --users-per-connection "$users_per_connection" --accounts "$accounts"
    --server-pid "$host_pid" --json)
  [[ -n $db_pid ]] && args+=(--db-pid "$db_pid")
  echo "running: $backend, argon2id $cost, $op, $conns connections, ${duration}s" >&2
  local line status=0
  line=$(timeout $((${duration%.*} + 300)) "$bench_bin" "${args[@]}") || status=$?
  if [[ -z $line ]]; then
    echo "  no result (exit status $status)" >&2
    return 0
  fi
  [[ $status -eq 0 ]] || echo "  exit status $status (4 = transfer check failed)" >&2
  line="{\"backend\":\"$backend\",\"cost\":\"$cost\",${line#\{}"
  echo "$line" >>"$out"
  rows+=("$line")
}

cost_args() {
  case "$1" in
    configured) echo "2 65536" ;;
    cheap) echo "1 8192" ;;
    *) echo "unknown cost $1 (configured or cheap)" >&2; exit 1 ;;
  esac
}

IFS=, read -r -a backend_list <<<"$backends"
IFS=, read -r -a cost_list <<<"$costs"
for backend in "${backend_list[@]}"; do
  url=""
  db_pid=""
  case "$backend" in
    sqlite) ;;
    mariadb)
      if [[ -n ${GAMEHOST_STORAGE_URL:-} ]]; then
        url=$GAMEHOST_STORAGE_URL
      else
        # shellcheck source=../scripts/mariadb.sh
        source "$repo/scripts/mariadb.sh"
        gamehost_mariadb_start >&2
        mariadb_started=1
        url=$GAMEHOST_TEST_MYSQL_URL
        db_pid=$(cat "$GAMEHOST_MARIADB_DIR/mysqld.pid")
      fi
      ;;
    *) echo "unknown backend $backend (sqlite or mariadb)" >&2; exit 1 ;;
  esac
  for cost in "${cost_list[@]}"; do
    read -r ops mem <<<"$(cost_args "$cost")"
    reset_mariadb
    start_host "$backend-$cost" "$url" "$ops" "$mem"
    run_op "$backend" "$cost" register "$connections" "$db_pid"
    run_op "$backend" "$cost" login "$connections" "$db_pid"
    if [[ $cost == "${cost_list[0]}" ]]; then
      run_op "$backend" "$cost" transfer "$transfer_connections" "$db_pid"
    fi
    stop_host "$backend-$cost"
  done
  if [[ -n $mariadb_started ]]; then
    gamehost_mariadb_stop >/dev/null
    mariadb_started=""
  fi
done

# --- the table ---
printf '\n%-8s %-26s %-9s %5s %9s %8s %8s %8s %8s %8s %7s %7s %7s %7s\n' \
  backend argon2id op conns "ok/s" "p50 ms" "p99 ms" "max ms" ok failed "srv cpu" "db cpu" "cl cpu" \
  "other"
for line in "${rows[@]}"; do
  cost=$(field "$line" cost)
  op=$(field "$line" op)
  if [[ $op == transfer ]]; then
    cost_text="-"
  else
    read -r ops mem <<<"$(cost_args "$cost")"
    cost_text="$cost (ops $ops, $((mem / 1024)) MiB)"
  fi
  db_cpu=$(field "$line" db_cpu_pct)
  [[ $db_cpu == -1 ]] && db_cpu="-"
  printf '%-8s %-26s %-9s %5s %9.1f %8.1f %8.1f %8.1f %8s %8s %7s %7s %7s %7s\n' \
    "$(field "$line" backend)" "$cost_text" "$op" "$(field "$line" connections)" \
    "$(field "$line" ops_per_s)" \
    "$(awk -v u="$(field "$line" p50_us)" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$(field "$line" p99_us)" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$(field "$line" max_us)" 'BEGIN { print u / 1000 }')" \
    "$(field "$line" ok)" "$(field "$line" failed)" "$(field "$line" server_cpu_pct)" "$db_cpu" \
    "$(field "$line" client_cpu_pct)" "$(field "$line" other_cpu_pct)"
  failures=$(field "$line" failures)
  [[ -z $failures ]] || echo "         failures: $failures"
  [[ $op != transfer ]] || echo "         transfer check: $(field "$line" check)"
done
echo
echo "duration=${duration}s connections=$connections (transfer $transfer_connections)" \
  "accounts=$accounts users/connection=$users_per_connection cores=$(nproc)" \
  "(host, client and MariaDB share them)"
echo "cpu columns: % of one core over the timed window; \"other\" = the machine's busy CPU" \
  "minus host, database and client (other work that skewed the run)"
echo "raw results: $out"
