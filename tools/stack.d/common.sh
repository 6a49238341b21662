# Shared settings and helpers for tools/stack. Sourced, not run.
STACK_NAME=${STACK_NAME:-main}
if [ "$STACK_NAME" = main ]; then
  STATE=${STACK_STATE:-$ROOT/.stack}
  MYSQL_PORT=${STACK_MYSQL_PORT:-3390}
  REDIS_PORT=${STACK_REDIS_PORT:-6390}
else
  STATE=${STACK_STATE:-$ROOT/.stack/instances/$STACK_NAME}
  # An instance that was up before remembers its ports (down/status need no repeat).
  if [ -f "$STATE/env" ]; then
    : "${STACK_MYSQL_PORT:=$(sed -n 's|^export DATABASE_URL=.*@127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$STATE/env")}"
    : "${STACK_REDIS_PORT:=$(sed -n 's|^export REDIS_URL=redis://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$STATE/env")}"
  fi
  MYSQL_PORT=${STACK_MYSQL_PORT:?set STACK_MYSQL_PORT for stack $STACK_NAME}
  REDIS_PORT=${STACK_REDIS_PORT:?set STACK_REDIS_PORT for stack $STACK_NAME}
fi
# STACK_PIPE_DIR: fifo.so's sandbox when it is not the stack's own folder, e.g.
# /tmp for the article's session verbatim ('/tmp/myfifo'). Such a directory is
# used as it is: never re-permissioned, never removed.
PIPE_DIR=${STACK_PIPE_DIR:-$STATE/pipes}
# The server runs as the unprivileged `mysql` user when we are root (as in
# production); as a normal user it runs as that user.
if [ "$(id -u)" = 0 ]; then DB_USER=mysql; else DB_USER=$(id -un); fi

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

# One stack command at a time per state folder: tests of several packages may
# call `up` at once.
with_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock 9
  "$@"
  flock -u 9
}

# pid_alive FILE NAME FRAGMENT: the pid in FILE runs, and it is the server we
# started (its name is NAME and its command line has FRAGMENT), not another
# process that reused the pid of a crashed one: only then may it be signalled.
pid_alive() {
  local pid
  [ -f "$1" ] && pid=$(cat "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$3"
}

wait_until() { # seconds, command...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

write_env() {
  local db_url="mysql://dbfifo:dbfifo@127.0.0.1:$MYSQL_PORT/dbfifo"
  local admin_url="mysql://dbfifo_admin:dbfifo@127.0.0.1:$MYSQL_PORT/"
  local redis_url="redis://127.0.0.1:$REDIS_PORT"
  # Written aside and renamed: tests of other packages read these while a
  # concurrent `tools/stack up` rewrites them (a truncated env.json fails them).
  cat >"$STATE/env.tmp.$$" <<ENV
export STACK_NAME=$STACK_NAME
export DATABASE_URL=$db_url
export DBFIFO_ADMIN_URL=$admin_url
export REDIS_URL=$redis_url
export DBFIFO_PIPE_DIR=$PIPE_DIR
export DBFIFO_PIPE_MODE=0660
export DBFIFO_PIPE_GROUP=$DB_USER
export MYSQL_SOCKET=$DB_SOCKET
export MARIADB_CLIENT=$(command -v mariadb)
ENV
  mv -f "$STATE/env.tmp.$$" "$STATE/env"
  cat >"$STATE/env.json.tmp.$$" <<JSON
{
  "stackName": "$STACK_NAME",
  "databaseUrl": "$db_url",
  "adminUrl": "$admin_url",
  "redisUrl": "$redis_url",
  "pipeDir": "$PIPE_DIR",
  "pipeMode": "0660",
  "pipeGroup": "$DB_USER",
  "mysqlPort": $MYSQL_PORT,
  "redisPort": $REDIS_PORT,
  "mysqlSocket": "$DB_SOCKET",
  "mariadbClient": "$(command -v mariadb)",
  "stateDir": "$STATE"
}
JSON
  mv -f "$STATE/env.json.tmp.$$" "$STATE/env.json"
}

print_connect_help() {
  cat >&2 <<HELP
  MariaDB  mysql://dbfifo:dbfifo@127.0.0.1:$MYSQL_PORT/dbfifo   (tools/stack sql for root)
  Redis    redis://127.0.0.1:$REDIS_PORT
  pipes    $PIPE_DIR   (the only directory fifo.so may touch)
  env      source $STATE/env
  try      tools/stack sql -e "select fifo_info(), fifo_write('demo', 'hello')"
HELP
}
