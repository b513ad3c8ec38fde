# Sourced by scripts/test: a throwaway MariaDB server on loopback for the storage tests.
# No systemd, no system data directory: everything lives under one temp dir and goes
# away with gamehost_mariadb_stop.
#   gamehost_mariadb_start   -> exports GAMEHOST_TEST_MYSQL_URL=mysql://game:pw@127.0.0.1:PORT/game
#   gamehost_mariadb_stop
gamehost_mariadb_start() {
  GAMEHOST_MARIADB_DIR="$(mktemp -d /tmp/gamehost-mariadb.XXXXXX)"
  local dir="$GAMEHOST_MARIADB_DIR"
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
    --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 || {
    cat "$dir/install.log" >&2
    return 1
  }
  mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" --socket="$dir/mysqld.sock" \
    --pid-file="$dir/mysqld.pid" --port="$port" --bind-address=127.0.0.1 \
    --log-error="$dir/err.log" --innodb-buffer-pool-size=64M --skip-name-resolve &
  local i
  for i in $(seq 1 100); do
    [ -S "$dir/mysqld.sock" ] && mariadb --socket="$dir/mysqld.sock" -uroot -e "SELECT 1" >/dev/null 2>&1 && break
    sleep 0.2
  done
  mariadb --socket="$dir/mysqld.sock" -uroot -e "CREATE DATABASE game;
    CREATE USER 'game'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT ALL ON *.* TO 'game'@'127.0.0.1';" || {
    cat "$dir/err.log" >&2
    return 1
  }
  export GAMEHOST_TEST_MYSQL_URL="mysql://game:pw@127.0.0.1:$port/game"
  export GAMEHOST_TEST_MYSQL_SOCKET="$dir/mysqld.sock"
  echo "MariaDB for the tests on 127.0.0.1:$port (data in $dir)"
}

gamehost_mariadb_stop() {
  local dir="${GAMEHOST_MARIADB_DIR:-}"
  [ -n "$dir" ] || return 0
  if [ -f "$dir/mysqld.pid" ]; then
    local pid
    pid="$(cat "$dir/mysqld.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
  unset GAMEHOST_MARIADB_DIR GAMEHOST_TEST_MYSQL_URL GAMEHOST_TEST_MYSQL_SOCKET
}
