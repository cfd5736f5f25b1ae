#!/usr/bin/env bash
# The demo that `./build.sh` (no argument) starts after the build (README, "The demo"): the
# fixture Setup pages with their index (tests/fixtures/serve.mjs, pages/index.mjs) and a real
# eca-guard-server on loopback (docs/server.md), then the steps a newcomer follows, in order.
# Ctrl-C (or SIGTERM) stops both servers and the Chromium it launched; nothing is left running.
#
# Settings (environment): PORT (fixture pages, 8443), SERVER_PORT (eca-guard-server, 8787),
# DEMO_DIR (the demo's data directory, .demo). DEMO_DIR is created mode 0700 and reused on the
# next run (the pairing survives) only while it is a real directory of the current user; the
# server keeps its key and the credentials in DEMO_DIR/server-data (0700, files 0600). Nothing
# secret is printed here: the pairing code and the credentials come from the commands shown.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${PORT:-8443}
SERVER_PORT=${SERVER_PORT:-8787}
DEMO=${DEMO_DIR:-$ROOT/.demo}
case $DEMO in /*) ;; *) DEMO=$ROOT/$DEMO ;; esac
APP_ID=0xI000000000001AAA # the app of the fixture's Consumer Key and Secret page (pages/index.mjs)
umask 077

step() { echo "==> $*"; }
fail() { echo "demo: $*" >&2; exit 1; }

# A directory the demo may keep secrets in: not a symlink, ours, closed to everyone else.
private_dir() {
  local d=$1
  if [ -L "$d" ] || { [ -e "$d" ] && [ ! -d "$d" ]; }; then fail "$d is not a plain directory: remove it"; fi
  mkdir -p "$d"
  [ "$(stat -c %u "$d")" = "$(id -u)" ] || fail "$d belongs to another user: remove it or set DEMO_DIR"
  chmod 700 "$d"
}
private_dir "$DEMO"
private_dir "$DEMO/server-data"

step "cargo build -p eca-guard-server"
cargo build -q -p eca-guard-server
BIN=target/debug/eca-guard-server

# What the commands below are shown with: relative to the repository when DEMO_DIR is inside it.
SHOWN=${DEMO#"$ROOT"/}
cat >"$DEMO/server.toml" <<TOML
# Written by scripts/demo.sh at each start (docs/server.md, "Configuration file").
name = "Demo Veeam server"
listen = "127.0.0.1:$SERVER_PORT"
pack = "veeam-eca"
callback_urls = ["https://203.0.113.10", "https://veeam.acme.internal"]
TOML

PIDS=()
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# up <pid> <port> <log> <what>: waits until the process listens on the port (bash's /dev/tcp).
up() {
  local i
  for i in $(seq 100); do
    kill -0 "$1" 2>/dev/null || { tail -n 5 "$3" >&2; fail "$4 stopped (port $2 in use? set PORT or SERVER_PORT)"; }
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return; fi
    sleep 0.1
  done
  fail "$4 did not listen on port $2 within 10 s (log: $3)"
}

step "starting the fixture Setup pages on https://127.0.0.1:$PORT"
node tests/fixtures/serve.mjs --port "$PORT" >"$DEMO/fixtures.log" 2>&1 &
FIXTURES=$!
PIDS+=("$FIXTURES")
step "starting eca-guard-server on http://127.0.0.1:$SERVER_PORT (data in $SHOWN/server-data)"
"$BIN" --data "$DEMO/server-data" --config "$DEMO/server.toml" serve >>"$DEMO/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
up "$FIXTURES" "$PORT" "$DEMO/fixtures.log" "the fixture server"
up "$SERVER" "$SERVER_PORT" "$DEMO/server.log" "eca-guard-server"

HOSTS="MAP *.my.salesforce-setup.com 127.0.0.1:$PORT, MAP *.lightning.force.com 127.0.0.1:$PORT, MAP *.my.salesforce.com 127.0.0.1:$PORT"
INDEX="https://acme.my.salesforce-setup.com:$PORT/"
SRV="$BIN --data $SHOWN/server-data"
cat <<MSG

ECA Guard demo: fixture Setup pages on https://127.0.0.1:$PORT, eca-guard-server on
http://127.0.0.1:$SERVER_PORT (log: $SHOWN/server.log). Ctrl-C here stops both.

 1. Load the extension: start Chromium with it, the Salesforce host names mapped to the fixture
    server (done for you when there is a desktop):
      chromium --user-data-dir=$SHOWN/profile --ignore-certificate-errors \\
        --host-resolver-rules="$HOSTS" \\
        --disable-extensions-except=$ROOT/dist/chromium --load-extension=$ROOT/dist/chromium
    (In a Chromium started with those two flags of its own: chrome://extensions, Developer mode,
    Load unpacked, dist/chromium. Firefox: README, "Loading the extension".)
 2. Open the options: chrome://extensions, ECA Guard, Details, Extension options.
 3. Choose the pack "Veeam Backup for Salesforce 3.2 and later". Callback URLs, one per line:
    https://203.0.113.10 and https://veeam.acme.internal; server address 203.0.113.10. Save.
 4. Pair with the demo server. In another terminal, in $ROOT:
      $SRV --config $SHOWN/server.toml pair
    prints a one-time code (ecag1.…, valid 10 minutes, usable once). Paste it under "Paired
    server" in the options and choose Pair; the fingerprint shown there must be the one pair printed.
    A browser on another machine: forward both ports to it
    (ssh -L $PORT:127.0.0.1:$PORT -L $SERVER_PORT:127.0.0.1:$SERVER_PORT <this machine>) and use the
    code as printed. The server answers only the names it is configured for (127.0.0.1, localhost,
    its public_url; docs/server.md "Host names"): pair --url http://localhost:$SERVER_PORT makes a code
    for a browser that reaches it as localhost; a real server reached by name gets public_url
    in its config, or pair --url with that name.
 5. Open the index of every fixture page: $INDEX
    It says what each page shows for the correct org (acme), the misconfigured one (bad) and the
    one whose pages Salesforce changed (changed).
 6. Fill the New External Client App form wrongly: select Enable OAuth, enter the Callback URL
    https://veeam.acme.internal/ (with the slash), leave the scopes empty, keep PKCE on.
 7. Watch the marks: each wrong setting is outlined with the reason and the fix under it, and the
    panel lists them with their sources. Fix them (both callback URLs without the slash, scopes
    full and refresh_token, PKCE off): each mark goes away.
 8. Send the credentials: from the index open "Consumer Key and Secret" (acme), choose Verify
    identity, then "Send to Demo Veeam server", and Send in ECA Guard's confirm window. The page
    then says what was stored and the next steps in Veeam. (Its "is the app live?" check says
    Salesforce gave an unexpected answer: the fixture server is no Salesforce.)
 9. Read them back, in the other terminal:
      $SRV creds list
      $SRV get --org acme.my.salesforce.com --app $APP_ID --format env
    (the org is the org's API host, the app the record id in the page's address).

Start over: stop the demo, rm -rf $SHOWN, run ./build.sh again.
MSG

if [ -n "${DISPLAY:-}" ] && command -v chromium >/dev/null 2>&1; then
  step "launching Chromium with the extension on the index"
  chromium --user-data-dir="$DEMO/profile" --no-first-run --ignore-certificate-errors \
    --host-resolver-rules="$HOSTS" \
    --disable-extensions-except="$ROOT/dist/chromium" --load-extension="$ROOT/dist/chromium" \
    "$INDEX" >/dev/null 2>&1 &
  PIDS+=("$!")
fi

# Until Ctrl-C, or until one of the servers stops by itself.
set +e
wait -n "$FIXTURES" "$SERVER"
fail "a server stopped (logs: $SHOWN/fixtures.log, $SHOWN/server.log)"
