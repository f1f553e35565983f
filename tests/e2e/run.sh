#!/usr/bin/env bash
# End-to-end tests of the web client: Debian's chromium, driven by playwright-core, against a
# real Townsquare server on a fresh SQLite database without accounts.
#
#   cargo build && tests/e2e/run.sh
#
# Environment:
#   TOWNSQUARE_BIN     server binary (default: $CARGO_TARGET_DIR/debug/townsquare, with
#                      CARGO_TARGET_DIR defaulting to ~/.cache/townsquare-target)
#   CHROMIUM           browser binary (default: /usr/bin/chromium; `apt-get install chromium`)
#   TS_E2E_ARTIFACTS   where screenshots of failures go (default: $CARGO_TARGET_DIR/e2e-artifacts)
#   TS_E2E_KEEP=1      keep the temporary directory (database, server log) afterwards
# Extra arguments are passed to `node --test` (e.g. --test-name-pattern=keyboard).
#
# The exit code is the test result. Nothing is downloaded except the npm packages pinned in
# package-lock.json, and only when node_modules is missing or stale.
set -euo pipefail
cd "$(dirname "$0")"

bin="${TOWNSQUARE_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/townsquare-target}/debug/townsquare}"
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"

if [[ ! -x "$bin" ]]; then
  echo "e2e: no server binary at $bin (run \`cargo build\` or set TOWNSQUARE_BIN)" >&2
  exit 2
fi
if [[ ! -x "$chromium_bin" ]]; then
  echo "e2e: no browser at $chromium_bin (apt-get install chromium, or set CHROMIUM)" >&2
  exit 2
fi
command -v node >/dev/null || { echo "e2e: node is not installed" >&2; exit 2; }

# --- dependencies: npm ci only when node_modules is missing or the lock file changed ----------
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.townsquare-lock.sha256
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_sum" ]]; then
  echo "e2e: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --ignore-scripts --prefer-offline </dev/null
  echo "$lock_sum" >"$stamp"
fi

# --- scratch space, cleanup -------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/townsquare-e2e.XXXXXX")
log="$work/server.log"
server_pid=""

stop_server() {
  # A test may have restarted the server (support.mjs restartServer): its pid is in the file.
  if [[ -s "$work/server.pid" ]]; then
    server_pid=$(cat "$work/server.pid")
  fi
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server
  if [[ "${TS_E2E_KEEP:-}" == 1 ]]; then
    echo "e2e: kept $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

print_server_log() {
  echo
  echo "----- server log -----"
  cat "$log" 2>/dev/null || true
  echo "----- end of server log -----"
}

data_source="$work/townsquare.db"

# --- server -------------------------------------------------------------------------------------
free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# The server runs in the scratch directory so that no config/townsquare.toml is picked up.
start_server() {
  port=$(free_port)
  # The same command restarts the server from a test (TS_E2E_START in support.mjs).
  cat >"$work/start-server.sh" <<EOF
cd $(printf '%q' "$work")
exec env NO_COLOR=1 \\
  MM_SERVICEENVIRONMENT=test \\
  MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true \\
  MM_FILESETTINGS_DIRECTORY=$(printf '%q' "$work/files") \\
  MM_LOGSETTINGS_ENABLECONSOLE=true \\
  MM_LOGSETTINGS_CONSOLELEVEL=INFO \\
  $(printf '%q' "$bin") serve --listen 127.0.0.1:$port --data-source $(printf '%q' "$data_source")
EOF
  bash "$work/start-server.sh" </dev/null >>"$log" 2>&1 &
  server_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" 2>/dev/null || true
      server_pid=""
      return 1
    fi
    if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "$url/api/v4/system/ping" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "e2e: the server did not answer $url/api/v4/system/ping within 30s" >&2
  stop_server
  return 1
}

# Another process may take the port between choosing and binding it: try a few ports.
started=""
for attempt in 1 2 3; do
  if start_server; then
    started=1
    break
  fi
  echo "e2e: server start attempt $attempt failed" >&2
done
if [[ -z "$started" ]]; then
  print_server_log
  exit 1
fi
echo "e2e: $("$bin" version 2>/dev/null | head -1) at $url, $("$chromium_bin" --version 2>/dev/null | head -1)"

# --- tests --------------------------------------------------------------------------------------
# One server without accounts; web.test.mjs claims it first, so files run one at a time.
files=(web.test.mjs)
for file in *.test.mjs; do
  [[ "$file" == web.test.mjs ]] || files+=("$file")
done

test_output="$work/node-test.out"
set +e
TS_URL="$url" CHROMIUM="$chromium_bin" TS_E2E_START="$work/start-server.sh" \
  TS_E2E_PID_FILE="$work/server.pid" TS_E2E_SERVER_PID="$server_pid" TS_E2E_LOG="$log" node --test --test-concurrency=1 --test-reporter=spec "$@" "${files[@]}" \
  </dev/null 2>&1 | tee "$test_output"
result=${PIPESTATUS[0]}
set -e

if [[ "$result" != 0 ]]; then
  print_server_log
fi
# End with the test runner's summary lines. The spec reporter prints its "failing tests" list
# (which also names todo tests) after the summary, and the server log comes after that.
summary='^. (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) '
if [[ "$result" != 0 ]] || ! tail -n 1 "$test_output" | grep -qE "$summary"; then
  echo
  grep -E "$summary" "$test_output" || true
fi
exit "$result"
