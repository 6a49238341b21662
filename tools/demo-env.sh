# Demo configuration for `npm start`: where each worker's effects land.
# Sourced by tools/start after .stack/env. Workers are added here as they land.
export DBFIFO_MODE=${DBFIFO_MODE:-direct}
DEMO_DIR=$ROOT/.stack/demo
mkdir -p "$DEMO_DIR"

start_demo_services() { :; }

print_demo_banner() {
  cat <<BANNER

dbfifo demo — workers wait on pipes in $DBFIFO_PIPE_DIR
  try: tools/stack sql dbfifo -e "select fifo_info()"
  Ctrl-C stops the workers; tools/stack down stops MariaDB and Redis.

BANNER
}
