# Demo configuration for `npm start`: every worker in direct mode on the local
# stack, and where each one's effects land. Sourced by tools/start after
# .stack/env. Anything already set in the environment wins: the ports
# (TWILIO_LOCAL_PORT, STATIC_PREVIEW_PORT) and the network namespace
# (FIREWALL_DEMO_NETNS) too, so a second demo or a test can run beside one.
# shellcheck shell=bash
DEMO_DIR=$ROOT/.stack/demo
mkdir -p "$DEMO_DIR"

export DBFIFO_MODE=${DBFIFO_MODE:-direct}
export DBFIFO_RECONCILE_INTERVAL_MS=${DBFIFO_RECONCILE_INTERVAL_MS:-30000}

# sms-worker: the real twilio SDK, pointed at the local Twilio-compatible API.
export TWILIO_LOCAL_PORT=${TWILIO_LOCAL_PORT:-8089}
export TWILIO_ACCOUNT_SID=${TWILIO_ACCOUNT_SID:-AC00000000000000000000000000000000}
export TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-local-token}
export TWILIO_FROM=${TWILIO_FROM:-+15005550006}
export TWILIO_API_BASE_URL=${TWILIO_API_BASE_URL:-http://127.0.0.1:$TWILIO_LOCAL_PORT}
export SMS_RATE_PER_SEC=${SMS_RATE_PER_SEC:-5}

# static-gen: pages into a local folder, previewed on 127.0.0.1:8080.
export STATIC_OUT_DIR=${STATIC_OUT_DIR:-$DEMO_DIR/site}
export STATIC_PREVIEW_PORT=${STATIC_PREVIEW_PORT:-8080}
export STATIC_SITE_URL=${STATIC_SITE_URL:-http://127.0.0.1:$STATIC_PREVIEW_PORT}

# webhook-worker: each change of the demo's orders table POSTed, signed, to a
# local receiver that prints what it gets (tools/webhook-receiver).
export WEBHOOK_DEMO_PORT=${WEBHOOK_DEMO_PORT:-8097}
export WEBHOOK_URL=${WEBHOOK_URL:-http://127.0.0.1:$WEBHOOK_DEMO_PORT/hook}
export WEBHOOK_SECRET=${WEBHOOK_SECRET:-demo-secret}

# firewall-worker: as root, the ipset backend bans for real inside a network
# namespace created here (never in this machine's own firewall); otherwise
# dry-run, which only logs. FIREWALL_BACKEND / FIREWALL_NETNS set by the
# caller win.
export FIREWALL_DEMO_NETNS=${FIREWALL_DEMO_NETNS:-dbfifo-demo} # main.ts reads it to remove the namespace it created
if [ -z "${FIREWALL_BACKEND:-}" ] && [ "$(id -u)" = 0 ] && ip netns list >/dev/null 2>&1 && command -v ipset >/dev/null; then
  if ! ip netns list | grep -q "^$FIREWALL_DEMO_NETNS\( \|$\)"; then
    ip netns add "$FIREWALL_DEMO_NETNS"
    export FIREWALL_DEMO_NETNS_CREATED=1 # tools/demo/src/main.ts removes it on exit
  fi
  ip netns exec "$FIREWALL_DEMO_NETNS" ip link set lo up
  export FIREWALL_BACKEND=ipset FIREWALL_NETNS=${FIREWALL_NETNS:-$FIREWALL_DEMO_NETNS}
  FIREWALL_DEMO_WHERE="ipset inside network namespace $FIREWALL_NETNS: ip netns exec $FIREWALL_NETNS ipset list"
else
  export FIREWALL_BACKEND=${FIREWALL_BACKEND:-dry-run}
  FIREWALL_DEMO_WHERE="$FIREWALL_BACKEND backend; bans logged below"
fi

# Every use case's schema, a generated worker's too (nx g @dbfifo/fifo-core:worker
# writes sql/<pipe>/schema.sql): each is safe to load again over itself.
load_demo_schemas() {
  local file
  for file in sql/*/schema.sql; do
    tools/stack sql dbfifo <"$file" || { echo "loading $file failed" >&2; return 1; }
  done
}

# Workers besides the four of the demo (made with nx g @dbfifo/fifo-core:worker): served too.
other_workers() {
  local dir name
  for dir in packages/*/; do
    name=$(basename "$dir")
    case "$name" in fifo-core|test-utils|sms-worker|static-gen|firewall-worker|webhook-worker) continue ;; esac
    if grep -q '"serve"' "$dir/package.json" 2>/dev/null; then printf ' %s' "$name"; fi
  done
}

print_demo_banner() {
  local others
  others=$(other_workers)
  cat <<BANNER

dbfifo demo: the workers wait on pipes in $DBFIFO_PIPE_DIR (database dbfifo)
  SMS       pipe sms       texts go to the local Twilio API on 127.0.0.1:$TWILIO_LOCAL_PORT (printed below)
            tools/stack sql dbfifo -e "INSERT INTO sms_outbox (mobile, body) VALUES ('13113668891', 'hello')"
  pages     pipe static    HTML in $STATIC_OUT_DIR, served at $STATIC_SITE_URL
            tools/stack sql dbfifo -e "INSERT INTO news (slug, title, summary, body, author, status, published_at) VALUES ('hello', 'Hello', 'First', '<p>Hi</p>', 'me', 'published', NOW())"
  firewall  pipe firewall  $FIREWALL_DEMO_WHERE
            tools/stack sql dbfifo -e "INSERT INTO blacklist (address, reason) VALUES ('203.0.113.7', 'by hand')"
  webhook   pipe webhook   each change of orders POSTed to the receiver on 127.0.0.1:$WEBHOOK_DEMO_PORT (printed below)
            tools/stack sql dbfifo -e "INSERT INTO orders (shop_id, order_no, total) VALUES (1, 'A-7', 12.50)"
${others:+  also     $others (their tables: sql/<pipe>/schema.sql)
}  watch a pipe:  npx dbfifo watch <pipe>     Ctrl-C stops the workers; tools/stack down stops MariaDB and Redis.

BANNER
}
