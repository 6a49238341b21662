# The private Redis: own port and folder, append-only file on so a restart
# shellcheck shell=bash
# loses no accepted job. Sourced.
REDIS_DIR=$STATE/redis
REDIS_PID=$REDIS_DIR/redis.pid

# redis-server rewrites its command line ("redis-server 127.0.0.1:PORT"), so
# ours is told by its working directory: it chdirs to --dir, our folder.
redis_running() {
  pid_alive "$REDIS_PID" redis-server "redis-server" &&
    [ "$(readlink "/proc/$(cat "$REDIS_PID")/cwd" 2>/dev/null)" = "$(cd "$REDIS_DIR" && pwd -P)" ]
}
redis_ping() { redis-cli -p "$REDIS_PORT" ping | grep -q PONG; }

redis_start() {
  mkdir -p "$REDIS_DIR"
  if redis_running; then
    redis_ping >/dev/null 2>&1 && return 0
    log "Redis pid $(cat "$REDIS_PID") does not answer: killing the leftover"
    kill -9 "$(cat "$REDIS_PID")" 2>/dev/null || true
  fi
  rm -f "$REDIS_PID"
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_DIR/redis.log" \
    --appendonly yes --appendfsync everysec --save "" \
    --maxmemory-policy noeviction >/dev/null
  wait_until 20 redis_ping || die "Redis did not start: see $REDIS_DIR/redis.log"
}

redis_stop() {
  redis_running || { rm -f "$REDIS_PID"; return 0; }
  local pid
  pid=$(cat "$REDIS_PID")
  # SIGTERM is Redis's own clean shutdown; `redis-cli -p PORT shutdown` could
  # reach another stack's Redis when this one's port was given wrong.
  kill "$pid" 2>/dev/null || true
  wait_until 20 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
  rm -f "$REDIS_PID"
}
