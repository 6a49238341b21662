# Shared settings and helpers for tools/stack. Sourced, not run.
# shellcheck shell=bash
STACK_NAME=${STACK_NAME:-main}

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

# env_port FILE VARIABLE: the port in the URL an env file we wrote gives VARIABLE.
env_port() {
  sed -n "s|^export $2=[a-z]*://\([^@/]*@\)\{0,1\}127\.0\.0\.1:\([0-9]*\).*|\2|p" "$1" 2>/dev/null
}

# env_value FILE VARIABLE: a value as the env file we wrote gives it (printf %q quoted).
env_value() {
  [ -f "$1" ] || return 0
  # shellcheck source=/dev/null
  ( unset "$2"; . "$1" >/dev/null 2>&1; printf '%s' "${!2:-}" )
}

# is_port NAME VALUE: dies with a clear message unless VALUE is a TCP port.
is_port() {
  case "$2" in ''|*[!0-9]*) die "$1 must be a port number, got '$2'" ;; esac
  if [ "$2" -lt 1 ] || [ "$2" -gt 65535 ]; then die "$1 must be a port number (1-65535), got '$2'"; fi
}

if [ "$STACK_NAME" = main ]; then
  STATE=${STACK_STATE:-$ROOT/.stack}
  MYSQL_PORT=${STACK_MYSQL_PORT:-3390}
  REDIS_PORT=${STACK_REDIS_PORT:-6390}
else
  STATE=${STACK_STATE:-$ROOT/.stack/instances/$STACK_NAME}
  # An instance that was up before remembers its ports and pipe directory:
  # down, status, sql and a second up need no repeat of them.
  if [ -f "$STATE/env" ]; then
    : "${STACK_MYSQL_PORT:=$(env_port "$STATE/env" DATABASE_URL)}"
    : "${STACK_REDIS_PORT:=$(env_port "$STATE/env" REDIS_URL)}"
    : "${STACK_PIPE_DIR:=$(env_value "$STATE/env" DBFIFO_PIPE_DIR)}"
  fi
  MYSQL_PORT=${STACK_MYSQL_PORT:?set STACK_MYSQL_PORT for stack $STACK_NAME}
  REDIS_PORT=${STACK_REDIS_PORT:?set STACK_REDIS_PORT for stack $STACK_NAME}
fi
is_port STACK_MYSQL_PORT "$MYSQL_PORT"
is_port STACK_REDIS_PORT "$REDIS_PORT"
# STACK_PIPE_DIR: fifo.so's sandbox when it is not the stack's own folder, e.g.
# /tmp for the article's session verbatim ('/tmp/myfifo'). Such a directory is
# used as it is: never re-permissioned, never removed.
PIPE_DIR=${STACK_PIPE_DIR:-$STATE/pipes}
# The server runs as the unprivileged `mysql` user when we are root (as in
# production); as a normal user it runs as that user.
if [ "$(id -u)" = 0 ]; then DB_USER=mysql; else DB_USER=$(id -un); fi

# print_header FILE: FILE's leading comment block (after any #! line), up to
# its first line that is not a comment: the help of a script is its header.
# Directives for shellcheck in it are for the linter, not the reader.
print_header() {
  awk 'NR == 1 && /^#!/ { next } !/^#/ { exit } /^# shellcheck / { next } { sub(/^# ?/, ""); print }' "$1"
}

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

# json_str VALUE: VALUE as a JSON string; state paths may hold quotes or backslashes.
json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

# .stack/env holds what a shell or a worker reads (`. .stack/env`); env.json
# what the tests read. Values are quoted for their reader: %q for the shell.
write_env() {
  local db_url="mysql://dbfifo:dbfifo@127.0.0.1:$MYSQL_PORT/dbfifo"
  local admin_url="mysql://dbfifo_admin:dbfifo@127.0.0.1:$MYSQL_PORT/"
  local redis_url="redis://127.0.0.1:$REDIS_PORT"
  # Written aside and renamed: tests of other packages read these while a
  # concurrent `tools/stack up` rewrites them (a truncated env.json fails them).
  printf 'export %s=%q\n' \
    STACK_NAME "$STACK_NAME" \
    DATABASE_URL "$db_url" \
    REDIS_URL "$redis_url" \
    DBFIFO_PIPE_DIR "$PIPE_DIR" \
    DBFIFO_PIPE_MODE 0660 \
    DBFIFO_PIPE_GROUP "$DB_USER" >"$STATE/env.tmp.$$"
  mv -f "$STATE/env.tmp.$$" "$STATE/env"
  cat >"$STATE/env.json.tmp.$$" <<JSON
{
  "stackName": $(json_str "$STACK_NAME"),
  "databaseUrl": $(json_str "$db_url"),
  "adminUrl": $(json_str "$admin_url"),
  "redisUrl": $(json_str "$redis_url"),
  "pipeDir": $(json_str "$PIPE_DIR"),
  "pipeMode": "0660",
  "pipeGroup": $(json_str "$DB_USER"),
  "mysqlPort": $MYSQL_PORT,
  "redisPort": $REDIS_PORT,
  "mysqlSocket": $(json_str "$DB_SOCKET"),
  "mariadbClient": $(json_str "$(command -v mariadb)"),
  "stateDir": $(json_str "$STATE")
}
JSON
  mv -f "$STATE/env.json.tmp.$$" "$STATE/env.json"
}

# The commands to reach this stack: an instance's need its STACK_NAME (and a
# state folder given by hand its STACK_STATE), or they would go to the main stack.
print_connect_help() {
  local stack=""
  [ "$STACK_NAME" = main ] || stack="STACK_NAME=$(printf %q "$STACK_NAME") "
  [ -z "${STACK_STATE:-}" ] || stack="${stack}STACK_STATE=$(printf %q "$STACK_STATE") "
  cat >&2 <<HELP
  MariaDB  mysql://dbfifo:dbfifo@127.0.0.1:$MYSQL_PORT/dbfifo   (${stack}tools/stack sql for root)
  Redis    redis://127.0.0.1:$REDIS_PORT
  pipes    $PIPE_DIR   (the only directory fifo.so may touch)
  env      . $(printf %q "$STATE/env")
  try      ${stack}tools/stack sql -e "select fifo_info(), fifo_write('demo', 'hello')"
  stop     ${stack}tools/stack down
HELP
}
