#!/usr/bin/env bash
# Idle sessions: N logged-in, idle WebSocket (or, --transport tcp, TCP) sessions held by
# gamehost (auth + user + echo, SQLite), the host's memory per session, and an active
# client's echo latency meanwhile.
# See bench/README.md, "Idle sessions" (issue 14 item 9).
#
#   bench/run_idle_sessions.sh BUILD_DIR [--connections N] [--hold S] [--heartbeat-s S]
#                              [--per-address N] [--concurrency C] [--rate R] [--settle S]
#                              [--transport ws|tcp] [--keep-data] [--set-sysctl]
#
# Run as root (or with ulimit -n hard limit >= N + 10000): the script raises the open file
# limit for itself, the host and the driver (ulimit -n), and checks the kernel's limits:
# fs.nr_open and fs.file-max must exceed N + slack (each connection is one fd in the host
# and one in the driver), and net.ipv4.ip_local_port_range decides how many connections one
# loopback source address can open to the host's one port (the driver uses 127.0.0.2,
# 127.0.0.3, ... with at most --per-address each; default: the port range less 2,000, at
# most 50,000). It changes no sysctl unless --set-sysctl is given (then fs.nr_open and
# fs.file-max are raised when too low; the port range is left alone).
#
# Raising the hard open file limit needs CAP_SYS_RESOURCE: a container's root may lack it
# (the project's VM does: hard limit 20000, so at most --connections 19000 there; the script
# says so and stops rather than run a smaller N silently).
#
# --settle S (10): seconds between the last login and the "after" RSS reading. jemalloc
# gives freed pages (the handshakes' and logins' transient buffers) back over its
# dirty_decay_ms (10 s); the end-of-hold reading shows whether it was long enough.
#
# The host runs with idle_timeout_ms = 3600000 (the maximum) and login_timeout_ms = 0, so
# idle sessions need not send heartbeats during a run; --heartbeat-s S makes each of them
# send one every S seconds anyway (then the hold also measures the cost of heartbeats).
# The data directory is on /dev/shm (tmpfs): the N guest accounts are N inserts with
# synchronous=FULL, which on this VM's disk would make the ramp fsync-bound; the database
# lives outside the host's RSS either way (tmpfs pages are not the process's).
set -euo pipefail

usage() { sed -n '6,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }
[[ $# -ge 1 ]] || usage
build_dir=$(cd "$1" && pwd)
shift
repo=$(cd "$(dirname "$0")/.." && pwd)

connections=100000
hold=30
heartbeat_s=0
per_address=""
concurrency=256
rate=100
settle=10
keep_data=""
transport=ws
set_sysctl=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --hold) hold=$2; shift 2 ;;
    --heartbeat-s) heartbeat_s=$2; shift 2 ;;
    --per-address) per_address=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --transport) transport=$2; shift 2 ;;
    --keep-data) keep_data=1; shift ;;
    --set-sysctl) set_sysctl=1; shift ;;
    *) usage ;;
  esac
done

host_bin="$build_dir/bin/gamehost"
driver="$build_dir/bin/gamehost_idle_sessions"
plugin_dir="$build_dir/lib/gamehost/plugins"
for f in "$host_bin" "$driver" "$plugin_dir/auth.so" "$plugin_dir/user.so" "$plugin_dir/echo.so"; do
  [[ -e $f ]] || {
    echo "missing $f: cmake --build $build_dir --target gamehost gamehost_idle_sessions auth user echo" >&2
    exit 1
  }
done

# --- kernel and process limits ---
need_fds=$((connections + 1000))
nr_open=$(cat /proc/sys/fs/nr_open)
file_max=$(cat /proc/sys/fs/file-max)
if (( nr_open < need_fds || file_max < 2 * need_fds )); then
  if [[ -n $set_sysctl ]]; then
    (( nr_open < need_fds )) && sysctl -q -w fs.nr_open=$((need_fds * 2))
    (( file_max < 2 * need_fds )) && sysctl -q -w fs.file-max=$((need_fds * 4))
    nr_open=$(cat /proc/sys/fs/nr_open)
  else
    echo "fs.nr_open=$nr_open / fs.file-max=$file_max too low for $connections connections" \
      "(need $need_fds per process, twice that in all): rerun with --set-sysctl as root" >&2
    exit 1
  fi
fi
fd_limit=$(( nr_open < 1048576 ? nr_open : 1048576 ))
(( fd_limit >= need_fds )) || fd_limit=$need_fds
ulimit -Hn "$fd_limit" 2>/dev/null || true
if (( $(ulimit -Hn) < need_fds )); then
  echo "cannot raise the open file limit to $need_fds (hard limit $(ulimit -Hn)): raising it" \
    "needs root with CAP_SYS_RESOURCE (a container may drop it); at most" \
    "--connections $(( $(ulimit -Hn) - 1000 )) here" >&2
  exit 1
fi
ulimit -n "$(ulimit -Hn)"
read -r port_lo port_hi < /proc/sys/net/ipv4/ip_local_port_range
port_span=$((port_hi - port_lo + 1))
if [[ -z $per_address ]]; then
  per_address=$((port_span - 2000))
  (( per_address > 50000 )) && per_address=50000
fi
if (( per_address > port_span )); then
  echo "--per-address $per_address is more than the local port range ($port_lo-$port_hi)" >&2
  exit 1
fi
conntrack_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || echo 0)
if (( conntrack_max != 0 && conntrack_max < connections + 1000 )); then
  echo "warning: net.netfilter.nf_conntrack_max=$conntrack_max is below $connections;" \
    "if connection tracking is active, connections will fail" >&2
fi
addresses=$(( (connections + per_address - 1) / per_address ))
echo "limits: ulimit -n $(ulimit -n), fs.nr_open $nr_open, fs.file-max $(cat /proc/sys/fs/file-max)," \
  "ip_local_port_range $port_lo-$port_hi, $addresses source addresses x <= $per_address"

# --- the host ---
shm=/dev/shm
[[ -d $shm && -w $shm ]] || shm=${TMPDIR:-/tmp}
work=$(mktemp -d "$shm/gamehost-idle.XXXXXX")
host_pid=""
cleanup() {
  if [[ -n $host_pid ]]; then
    kill "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  if [[ -n $keep_data ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

config="$work/gamehost-idle.toml"
cat >"$config" <<TOML
[server]
data_dir = "$work/data"
[listen]
tcp = "127.0.0.1:0"
websocket = "127.0.0.1:0"
[admin]
listen = ""
[limits]
max_connections = $((connections + 1000))
max_connections_per_ip = $((connections + 1000))
# Idle sessions send nothing: no idle kick within a run (the maximum, one hour), and no
# login deadline (every session logs in anyway, right after its upgrade).
idle_timeout_ms = 3600000
heartbeat_interval_ms = 60000
login_timeout_ms = 0
handshake_timeout_ms = 30000
[log]
level = "warn"
[storage]
migrations_dir = "$repo/migrations"
pool_size = 4
[plugins]
dir = "$plugin_dir"
load = ["auth", "user", "echo"]
[plugins.auth]
capabilities = ["bind_user"]
[plugins.auth.settings]
token_secret = "idle-bench-secret-0123456789abcdef0123"
# Every session logs in as a guest, 50,000 from one address at most.
max_guest_logins_per_address = 1000000
TOML

# GH_IDLE_HOST_WRAP: a command prefix for the host (e.g. "env MALLOC_CONF=prof:true,...").
(cd "$work" && exec env -u GAMEHOST_STORAGE_URL ${GH_IDLE_HOST_WRAP:-} "$host_bin" --config "$config" \
  --ready-file "$work/ready") >"$work/host.log" 2>&1 &
host_pid=$!
ws_port=""
for _ in $(seq 300); do
  if [[ -s $work/ready ]] && grep -q '^ws=' "$work/ready"; then
    ws_port=$(sed -n "s/^${transport}=//p" "$work/ready" | head -n1)
    break
  fi
  kill -0 "$host_pid" 2>/dev/null || { tail -n 30 "$work/host.log" >&2; host_pid=""; exit 1; }
  sleep 0.1
done
[[ -n $ws_port ]] || { echo "gamehost not ready after 30 s" >&2; exit 1; }
sleep 1  # let the host finish starting (plugins, first allocations) before the baseline

echo "load: $(uptime)"
args=(--port "$ws_port" --connections "$connections" --per-address "$per_address"
  --concurrency "$concurrency" --hold "$hold" --rate "$rate" --settle "$settle"
  --server-pid "$host_pid" --transport "$transport")
[[ $heartbeat_s == 0 ]] || args+=(--heartbeat-s "$heartbeat_s")
echo "running: $driver ${args[*]}"
rc=0
${GH_IDLE_WRAP:-} "$driver" "${args[@]}" || rc=$?
echo "host threads (CPU ticks since start):"
for t in /proc/"$host_pid"/task/*; do
  printf '  %-16s %s\n' "$(cat "$t/comm")" "$(awk '{print $14 + $15}' "$t/stat")"
done
echo "load: $(uptime)"
if grep -qiE 'error|warn' "$work/host.log"; then
  echo "--- host log (warnings) ---"
  grep -iE 'error|warn' "$work/host.log" | sort | uniq -c | sort -rn | head -n 10
fi
exit "$rc"
