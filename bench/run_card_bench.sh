#!/usr/bin/env bash
# Card benchmark: Dou Dizhu bots (gamehost-loadgen --scenario card) against the real host
# with auth, user, room and card, on a SQLite file and on MariaDB. See bench/README.md,
# "Card: full games and 3,000 tables".
#
#   bench/run_card_bench.sh BUILD_DIR [--backends sqlite,mariadb] [--runs saturated,tables]
#                           [--duration S] [--tables N] [--saturated-tables N]
#
# saturated: --saturated-tables tables (100) of bots acting at once: games/s with settlement.
# tables:    --tables tables (3000 = 9,000 players), each bot acting 1 s into its turn
#            (about one action per second per table): action-to-broadcast latency, server
#            CPU and RSS. Builds nothing; MariaDB is a throwaway server (scripts/mariadb.sh).
set -euo pipefail

usage() { sed -n '6,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }
[[ $# -ge 1 ]] || usage
build_dir=$(cd "$1" && pwd)
shift
repo=$(cd "$(dirname "$0")/.." && pwd)

backends=sqlite,mariadb
runs=saturated,tables
duration=20
tables=3000
saturated_tables=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --backends) backends=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --tables) tables=$2; shift 2 ;;
    --saturated-tables) saturated_tables=$2; shift 2 ;;
    *) usage ;;
  esac
done

host_bin="$build_dir/bin/gamehost"
loadgen="$build_dir/bin/gamehost-loadgen"
plugin_dir="$build_dir/lib/gamehost/plugins"
for f in "$host_bin" "$loadgen" "$plugin_dir/auth.so" "$plugin_dir/user.so" "$plugin_dir/room.so" \
  "$plugin_dir/card.so"; do
  [[ -e $f ]] || {
    echo "missing $f: cmake --build $build_dir --target gamehost gamehost-loadgen auth user room card" >&2
    exit 1
  }
done

work=$(mktemp -d -t gamehost-card-bench.XXXXXX)
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

start_host() {
  local name=$1 url=$2
  local config="$work/$name.toml"
  mkdir -p "$work/$name"
  cat >"$config" <<TOML
[server]
data_dir = "$work/$name/data"
[listen]
tcp = "127.0.0.1:0"
websocket = "127.0.0.1:0"
[admin]
listen = ""
[limits]
max_connections = 20000
max_connections_per_ip = 20000
rate_limit_per_second = 100000
rate_limit_burst = 100000
[log]
level = "warn"
[storage]
url = "$url"
migrations_dir = "$repo/migrations"
pool_size = 8
[plugins]
dir = "$plugin_dir"
load = ["auth", "user", "room", "card"]
[plugins.auth]
capabilities = ["bind_user"]
[plugins.auth.settings]
token_secret = "card-bench-secret-0123456789abcdef0123"
# Every bot logs in as a guest from 127.0.0.1: lift the per-address limits.
max_guest_logins_per_address = 1000000
[plugins.user.settings]
starting_coins = 1000000000
[plugins.card.settings]
turn_ms = 20000
TOML
  (cd "$work/$name" && exec env -u GAMEHOST_STORAGE_URL "$host_bin" --config "$config" --ready-file "$work/$name/ready") \
    >"$work/$name/host.log" 2>&1 &
  host_pid=$!
  for _ in $(seq 300); do
    if [[ -s $work/$name/ready ]] && grep -q '^tcp=' "$work/$name/ready"; then
      host_port=$(sed -n 's/^tcp=//p' "$work/$name/ready" | head -n1)
      return 0
    fi
    kill -0 "$host_pid" 2>/dev/null || { tail -n 30 "$work/$name/host.log" >&2; host_pid=""; return 1; }
    sleep 0.1
  done
  echo "gamehost not ready after 30 s" >&2
  return 1
}

stop_host() {
  kill "$host_pid" 2>/dev/null || true
  wait "$host_pid" 2>/dev/null || true
  host_pid=""
}

for backend in ${backends//,/ }; do
  case "$backend" in
    sqlite) url="" ;;
    mariadb)
      source "$repo/scripts/mariadb.sh"
      gamehost_mariadb_start >/dev/null
      mariadb_started=1
      url=$GAMEHOST_TEST_MYSQL_URL
      ;;
    *) echo "unknown backend $backend" >&2; exit 1 ;;
  esac
  for run in ${runs//,/ }; do
    start_host "$backend-$run" "$url"
    case "$run" in
      saturated) args=(--connections $((saturated_tables * 3)) --think-ms 0 --warmup 3) ;;
      tables) args=(--connections $((tables * 3)) --think-ms 1000 --warmup 5) ;;
      *) echo "unknown run $run" >&2; exit 1 ;;
    esac
    idle_rss=$(ps -o rss= -p "$host_pid" | tr -d ' ')
    echo "== $backend, $run (server idle RSS $idle_rss KiB)"
    "$loadgen" --port "$host_port" --scenario card --duration "$duration" --server-pid "$host_pid" \
      "${args[@]}" || true
    games=$(sqlite3 "$work/$backend-$run/data/gamehost.db" "SELECT COUNT(*) FROM card_games WHERE settled = 1" 2>/dev/null || echo "?")
    [[ $backend == sqlite ]] && echo "  settled games stored: $games"
    stop_host
  done
  if [[ -n $mariadb_started ]]; then gamehost_mariadb_stop >/dev/null; mariadb_started=""; fi
done
