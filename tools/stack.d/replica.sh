# tools/stack replica — a second MariaDB replicating from the stack's primary:
# shellcheck shell=bash
# the article's "run the tasks on a dedicated replica" (section 6).
#
#   tools/stack replica up        start it (first time: seed from a consistent dump, then GTID
#                                 replication); replication threads stopped by hand are started
#   tools/stack replica down      stop it (data kept; `up` resumes where it stopped)
#   tools/stack replica status    server, replication threads, lag, pipes
#   tools/stack replica env [--json]  its connection settings
#   tools/stack replica sql [db] [args]  a client session on the replica as root
#   tools/stack replica destroy   stop it and delete its data
#   tools/stack replica help      this text
#
# The replica: server-id 2, --read-only, row-based events applied by the SQL
# thread with its own triggers firing (--slave-run-triggers-for-rbr), its own
# DBFIFO_PIPE_DIR and its own copy of fifo.so. Port: STACK_REPLICA_PORT,
# default primary port + 1000, remembered from the first `up` like an
# instance's ports.
#
# Trigger mode: STACK_REPLICA_TRIGGERS, default ENFORCE. With YES (or LOGGING)
# MariaDB runs a replica's trigger only for statements that ran no trigger on
# the primary; a table whose trigger exists on both servers (created on the
# primary and replicated, the usual case) never rings on the replica. ENFORCE
# (MariaDB >= 10.5.2) runs the replica's triggers for every row event. The
# price: a trigger that writes rows would apply twice on the replica (once
# replicated, once run there), so ring-only triggers (fifo_write, SET) only.

# Sourced by tools/stack (the lines above are `tools/stack replica help`).
REPL_DIR=$STATE/replica
# A replica that was up before remembers its port, as an instance remembers
# its own: `replica down` then a plain `replica up` comes back where it was.
: "${STACK_REPLICA_PORT:=$(env_port "$REPL_DIR/env" REPLICA_DATABASE_URL)}"
REPL_PORT=${STACK_REPLICA_PORT:-$((MYSQL_PORT + 1000))}
is_port STACK_REPLICA_PORT "$REPL_PORT"
REPL_DATA=$REPL_DIR/data
REPL_PLUGIN=$REPL_DIR/plugin
REPL_SOCKET=$REPL_DIR/mysqld.sock
REPL_PID=$REPL_DIR/mysqld.pid
REPL_LOG=$REPL_DIR/error.log
REPL_PIPE_DIR=$REPL_DIR/pipes
REPL_USER=dbfifo_repl
REPL_PASSWORD=dbfifo
REPL_TRIGGERS=${STACK_REPLICA_TRIGGERS:-ENFORCE}

replica_running() { server_alive "$REPL_DIR"; }
replica_ping() { server_ping "$REPL_DIR"; }
replica_sql() { mariadb --no-defaults --socket="$REPL_SOCKET" -uroot "$@"; }

replica_prepare_dirs() {
  mkdir -p "$REPL_DATA" "$REPL_PLUGIN" "$REPL_DIR/relay" "$REPL_PIPE_DIR"
  chown -R "$DB_USER" "$REPL_DIR"
  prepare_pipe_dir "$REPL_PIPE_DIR"
  install -m 0755 "$ROOT/native/build/fifo.so" "$REPL_PLUGIN/fifo.so"
}

replica_start_server() {
  log "starting the replica on 127.0.0.1:$REPL_PORT (server-id 2, read-only)"
  server_launch "$REPL_DIR" "$REPL_PORT" "$REPL_PIPE_DIR" "the replica" \
    --server-id=2 --read-only=ON --slave-run-triggers-for-rbr="$REPL_TRIGGERS" \
    --relay-log="$REPL_DIR/relay/relay-bin" --gtid-strict-mode=ON \
    --innodb-buffer-pool-size=128M --max-connections=200
}

replica_stop_server() { server_stop "$REPL_DIR" replica; }

# First start only: a consistent snapshot of the primary's own databases plus
# the GTID position it was taken at, then replication from exactly there.
replica_seed() {
  local dump=$REPL_DIR/seed.sql gtid dbs
  log "creating replication user $REPL_USER on the primary"
  root_sql <<SQL || die "creating the replication user failed"
CREATE USER IF NOT EXISTS '$REPL_USER'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '$REPL_USER'@'127.0.0.1';
SQL
  # The server's own schemas stay local: each server has its own users and UDFs.
  dbs=$(root_sql -N -e "SELECT schema_name FROM information_schema.schemata
    WHERE schema_name NOT IN ('mysql','information_schema','performance_schema','sys')")
  log "seeding the replica from a consistent dump of the primary ($(echo "$dbs" | wc -w) databases)"
  # shellcheck disable=SC2086
  mariadb-dump --no-defaults --socket="$DB_SOCKET" -uroot --single-transaction \
    --gtid --master-data=2 --routines --triggers --events --databases $dbs >"$dump" \
    || die "mariadb-dump of the primary failed"
  gtid=$(sed -n "s/^-- SET GLOBAL gtid_slave_pos='\([^']*\)';/\1/p" "$dump" | head -1)
  # Users for workers reading rows on the replica, then the UDFs, then the data.
  replica_sql <<'SQL' || die "provisioning the replica failed"
CREATE USER IF NOT EXISTS 'dbfifo'@'127.0.0.1' IDENTIFIED BY 'dbfifo';
CREATE USER IF NOT EXISTS 'dbfifo'@'localhost' IDENTIFIED BY 'dbfifo';
GRANT SELECT ON *.* TO 'dbfifo'@'127.0.0.1', 'dbfifo'@'localhost';
CREATE USER IF NOT EXISTS 'dbfifo_admin'@'127.0.0.1' IDENTIFIED BY 'dbfifo';
CREATE USER IF NOT EXISTS 'dbfifo_admin'@'localhost' IDENTIFIED BY 'dbfifo';
GRANT ALL ON *.* TO 'dbfifo_admin'@'127.0.0.1', 'dbfifo_admin'@'localhost' WITH GRANT OPTION;
SQL
  replica_sql mysql <"$ROOT/sql/install.sql" || die "loading sql/install.sql on the replica failed"
  replica_sql <"$dump" || die "loading the seed dump into the replica failed"
  log "replicating from 127.0.0.1:$MYSQL_PORT from GTID '${gtid}'"
  replica_sql <<SQL || die "configuring replication failed"
STOP SLAVE;
SET GLOBAL gtid_slave_pos = '$gtid';
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$MYSQL_PORT,
  MASTER_USER='$REPL_USER', MASTER_PASSWORD='$REPL_PASSWORD',
  MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
SQL
  rm -f "$dump"
  touch "$REPL_DIR/.seeded"
}

replica_status_field() { replica_sql -e 'SHOW SLAVE STATUS\G' | sed -n "s/^ *$1: //p"; }

replica_threads_ok() {
  [ "$(replica_status_field Slave_IO_Running)" = Yes ] && [ "$(replica_status_field Slave_SQL_Running)" = Yes ]
}

# Threads stopped by hand (STOP SLAVE) are started again; a thread that
# stopped on an error is left for a person, with the error and what to run.
replica_resume() {
  local io_err sql_err
  replica_threads_ok && return 0
  io_err=$(replica_status_field Last_IO_Error)
  sql_err=$(replica_status_field Last_SQL_Error)
  if [ -n "$io_err$sql_err" ]; then
    die "replication stopped on an error: ${sql_err:-$io_err}
  fix it, then: ${STACK_NAME:+STACK_NAME=$STACK_NAME }tools/stack replica sql -e 'START SLAVE'   (see tools/stack replica status, $REPL_LOG)"
  fi
  if [ "$(replica_status_field Slave_IO_Running)" = No ] || [ "$(replica_status_field Slave_SQL_Running)" = No ]; then
    log "replication threads are stopped (STOP SLAVE): starting them"
    replica_sql -e 'START SLAVE' || die "START SLAVE on the replica failed: see $REPL_LOG"
  fi
  wait_until 30 replica_threads_ok ||
    die "replication is not running: $(replica_status_field Last_IO_Error)$(replica_status_field Last_SQL_Error); see tools/stack replica status, $REPL_LOG"
}

replica_write_env() {
  printf 'export %s=%q\n' \
    REPLICA_DATABASE_URL "mysql://dbfifo:dbfifo@127.0.0.1:$REPL_PORT/dbfifo" \
    REPLICA_PIPE_DIR "$REPL_PIPE_DIR" >"$REPL_DIR/env"
  cat >"$REPL_DIR/env.json" <<JSON
{
  "databaseUrl": $(json_str "mysql://dbfifo:dbfifo@127.0.0.1:$REPL_PORT/dbfifo"),
  "adminUrl": $(json_str "mysql://dbfifo_admin:dbfifo@127.0.0.1:$REPL_PORT/"),
  "pipeDir": $(json_str "$REPL_PIPE_DIR"),
  "mysqlPort": $REPL_PORT,
  "mysqlSocket": $(json_str "$REPL_SOCKET"),
  "primaryPort": $MYSQL_PORT
}
JSON
}

_replica_up() {
  if ! mariadb_running || ! mariadb_ping >/dev/null 2>&1; then die "the primary of stack '$STACK_NAME' is not running: tools/stack up first"; fi
  [ -f "$ROOT/native/build/fifo.so" ] || build_native
  if replica_running && replica_ping >/dev/null 2>&1; then
    local port
    port=$(replica_sql -N -e 'SELECT @@port')
    [ "$port" = "$REPL_PORT" ] || die "the replica runs on port $port, not $REPL_PORT: tools/stack replica down first to move it"
  else
    if replica_running; then kill -9 "$(cat "$REPL_PID")" 2>/dev/null || true; fi
    replica_prepare_dirs
    if [ ! -d "$REPL_DATA/mysql" ]; then
      log "initialising replica data in $REPL_DATA"
      rm -f "$REPL_DIR/.seeded"
      mariadb-install-db --no-defaults --datadir="$REPL_DATA" --user="$DB_USER" \
        --auth-root-authentication-method=socket --skip-test-db >"$REPL_DIR/install.log" 2>&1 \
        || die "mariadb-install-db failed: see $REPL_DIR/install.log"
    fi
    replica_start_server
  fi
  # A replica that was initialised but never seeded (seeding was interrupted) is seeded now.
  [ -f "$REPL_DIR/.seeded" ] || replica_seed
  replica_resume
  replica_write_env
  log "replica of stack '$STACK_NAME' is up: 127.0.0.1:$REPL_PORT, pipes in $REPL_PIPE_DIR"
}

_replica_down() {
  replica_stop_server
  log "replica of stack '$STACK_NAME' is down"
}

_replica_destroy() {
  replica_stop_server
  rm -rf "$REPL_DIR"
  if mariadb_running; then root_sql -e "DROP USER IF EXISTS '$REPL_USER'@'127.0.0.1'" || true; fi
  log "replica of stack '$STACK_NAME' destroyed"
}

replica_status() {
  if ! replica_running; then echo "replica: stopped"; return 0; fi
  echo "replica: running (pid $(cat "$REPL_PID"), 127.0.0.1:$REPL_PORT, socket $REPL_SOCKET)"
  echo "pipes:   $REPL_PIPE_DIR"
  replica_sql -e 'SHOW SLAVE STATUS\G' | grep -E '^ *(Master_Port|Slave_IO_Running|Slave_SQL_Running|Seconds_Behind_Master|Gtid_IO_Pos|Using_Gtid|Last_IO_Error|Last_SQL_Error):'
}

cmd_replica() {
  local sub=${1:-}
  [ $# -gt 0 ] && shift
  case "$sub" in
    up) ensure_packages; with_lock _replica_up ;;
    down) with_lock _replica_down ;;
    destroy) with_lock _replica_destroy ;;
    status) replica_status ;;
    env) if [ "${1:-}" = "--json" ]; then cat "$REPL_DIR/env.json"; else cat "$REPL_DIR/env"; fi ;;
    sql) local db=${1:-}; [ $# -gt 0 ] && shift
      exec mariadb --no-defaults --socket="$REPL_SOCKET" -uroot ${db:+"$db"} "$@" ;;
    help|-h|--help) print_header "$ROOT/tools/stack.d/replica.sh" ;;
    *) [ -z "$sub" ] || log "unknown replica command: $sub"; print_header "$ROOT/tools/stack.d/replica.sh" >&2; exit 2 ;;
  esac
}
