# The private MariaDB: own data dir, socket, port and plugin dir. Sourced.
# shellcheck shell=bash
DB_DIR=$STATE/mariadb
DB_DATA=$DB_DIR/data
DB_PLUGIN=$DB_DIR/plugin
DB_SOCKET=$DB_DIR/mysqld.sock
DB_PID=$DB_DIR/mysqld.pid

mariadb_running() { server_alive "$DB_DIR"; }

# The mariadbd started with this folder's pid file (see pid_alive).
server_alive() { pid_alive "$1/mysqld.pid" mariadbd "--pid-file=$1/mysqld.pid"; }

# Every mariadbd of the stack (primary, replica) keeps its files in one folder:
# data/, plugin/, mysqld.sock, mysqld.pid, error.log.
server_ping() { mariadb-admin --no-defaults --socket="$1/mysqld.sock" -uroot ping; }

# server_launch DIR PORT PIPE_DIR LABEL [server options…]: start in the
# background and wait until it answers. DBFIFO_PIPE_DIR is fifo.so's sandbox:
# the only directory its UDFs touch.
server_launch() {
  local dir=$1 port=$2 pipes=$3 label=$4
  shift 4
  rm -f "$dir/mysqld.pid" "$dir/mysqld.sock" "$dir/mysqld.sock.lock"
  DBFIFO_PIPE_DIR=$pipes setsid mariadbd --no-defaults --user="$DB_USER" \
    --datadir="$dir/data" --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
    --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --plugin-dir="$dir/plugin" --log-error="$dir/error.log" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    "$@" </dev/null >>"$dir/stdout.log" 2>&1 &
  wait_until 60 server_ping "$dir" || die "$label did not start: see $dir/error.log"
}

# server_stop DIR LABEL: clean shutdown, killed after 60 s.
server_stop() {
  local dir=$1 label=$2 pid
  server_alive "$dir" || { rm -f "$dir/mysqld.pid"; return 0; }
  pid=$(cat "$dir/mysqld.pid")
  mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  wait_until 60 sh -c "! kill -0 $pid" || { log "$label did not stop: killing"; kill -9 "$pid" 2>/dev/null || true; }
  rm -f "$dir/mysqld.pid"
}
mariadb_ping() { server_ping "$DB_DIR"; }
root_sql() { mariadb --no-defaults --socket="$DB_SOCKET" -uroot "$@"; }

# A server's pipe folder: owned by the server's group, setgid so pipes made by
# workers inherit it, group-writable so both sides can create and remove them.
prepare_pipe_dir() {
  # A directory the stack does not own (STACK_PIPE_DIR=/tmp) keeps its owner and mode.
  case "$1" in "$STATE"/*) ;; *) [ -d "$1" ] && return 0 ;; esac
  mkdir -p "$1"
  chgrp "$(id -gn "$DB_USER")" "$1"
  chmod 2775 "$1"
}

# The server's user must reach the state folder, the plugin and the pipes.
mariadb_prepare_dirs() {
  mkdir -p "$DB_DATA" "$DB_PLUGIN" "$DB_DIR/binlog"
  chown -R "$DB_USER" "$DB_DIR"
  prepare_pipe_dir "$PIPE_DIR"
  local d=$STATE
  while [ "$d" != / ]; do
    [ -x "$d" ] && [ "$(stat -c %A "$d" | cut -c10)" = x ] || chmod o+x "$d" 2>/dev/null || true
    d=$(dirname "$d")
  done
}

# Copies the freshly built fifo.so in; answers 0 when it changed.
mariadb_install_plugin() {
  local built=$ROOT/native/build/fifo.so
  [ -f "$built" ] || die "native/build/fifo.so missing (make -C native)"
  if cmp -s "$built" "$DB_PLUGIN/fifo.so"; then return 1; fi
  install -m 0755 "$built" "$DB_PLUGIN/fifo.so"
  return 0
}

mariadb_start() {
  mariadb_prepare_dirs
  local plugin_changed=0
  mariadb_install_plugin && plugin_changed=1
  if mariadb_running; then
    if mariadb_ping >/dev/null 2>&1; then
      # A new fifo.so is only picked up by a fresh server process.
      [ $plugin_changed = 0 ] && return 0
      log "fifo.so changed: restarting MariaDB"
      mariadb_stop
    else
      log "MariaDB pid $(cat "$DB_PID") does not answer: killing the leftover"
      kill -9 "$(cat "$DB_PID")" 2>/dev/null || true
    fi
  fi
  if [ ! -d "$DB_DATA/mysql" ]; then
    log "initialising MariaDB data in $DB_DATA"
    mariadb-install-db --no-defaults --datadir="$DB_DATA" --user="$DB_USER" \
      --auth-root-authentication-method=socket --skip-test-db >"$DB_DIR/install.log" 2>&1 \
      || die "mariadb-install-db failed: see $DB_DIR/install.log"
  fi
  log "starting MariaDB on 127.0.0.1:$MYSQL_PORT"
  server_launch "$DB_DIR" "$MYSQL_PORT" "$PIPE_DIR" MariaDB \
    --server-id=1 --log-bin="$DB_DIR/binlog/mysql-bin" --binlog-format=ROW \
    --binlog-row-image=FULL --log-slave-updates=ON --gtid-strict-mode=ON \
    --innodb-buffer-pool-size=256M --max-connections=500
}

mariadb_stop() { server_stop "$DB_DIR" MariaDB; }

# Users, database and the UDFs. Re-runnable.
mariadb_provision() {
  root_sql <<'SQL' || die "provisioning MariaDB failed"
CREATE DATABASE IF NOT EXISTS dbfifo;
CREATE USER IF NOT EXISTS 'dbfifo'@'127.0.0.1' IDENTIFIED BY 'dbfifo';
CREATE USER IF NOT EXISTS 'dbfifo'@'localhost' IDENTIFIED BY 'dbfifo';
GRANT ALL ON dbfifo.* TO 'dbfifo'@'127.0.0.1', 'dbfifo'@'localhost';
CREATE USER IF NOT EXISTS 'dbfifo_admin'@'127.0.0.1' IDENTIFIED BY 'dbfifo';
CREATE USER IF NOT EXISTS 'dbfifo_admin'@'localhost' IDENTIFIED BY 'dbfifo';
GRANT ALL ON *.* TO 'dbfifo_admin'@'127.0.0.1', 'dbfifo_admin'@'localhost' WITH GRANT OPTION;
SQL
  root_sql mysql <"$ROOT/sql/install.sql" || die "loading sql/install.sql failed"
}
