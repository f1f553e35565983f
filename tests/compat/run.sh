#!/usr/bin/env bash
# Compatibility tests: the official Mattermost JS client (@mattermost/client) against a real
# Townsquare server on a fresh database.
#
#   cargo build && tests/compat/run.sh
#
# Environment:
#   TOWNSQUARE_BIN     server binary (default: $CARGO_TARGET_DIR/debug/townsquare, with
#                      CARGO_TARGET_DIR defaulting to ~/.cache/townsquare-target)
#   TS_COMPAT_STORE    sqlite (default) or postgres
#   TS_COMPAT_PG_URL   PostgreSQL server for TS_COMPAT_STORE=postgres
#                      (default: postgres://postgres@127.0.0.1:5432)
#   TS_COMPAT_KEEP=1   keep the temporary directory (database, server log) afterwards
# Extra arguments are passed to `node --test` (e.g. --test-name-pattern=logout).
#
# The exit code is the test result. Nothing is downloaded except the npm packages pinned in
# package-lock.json, and only when node_modules is missing or stale.
set -euo pipefail
cd "$(dirname "$0")"

bin="${TOWNSQUARE_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/townsquare-target}/debug/townsquare}"
store="${TS_COMPAT_STORE:-sqlite}"
pg_url="${TS_COMPAT_PG_URL:-postgres://postgres@127.0.0.1:5432}"
pg_url="${pg_url%/}"

if [[ ! -x "$bin" ]]; then
  echo "compat: no server binary at $bin (run \`cargo build\` or set TOWNSQUARE_BIN)" >&2
  exit 2
fi
case "$store" in
  sqlite | postgres) ;;
  *)
    echo "compat: TS_COMPAT_STORE must be sqlite or postgres, not '$store'" >&2
    exit 2
    ;;
esac
command -v node >/dev/null || { echo "compat: node is not installed" >&2; exit 2; }

# --- dependencies: npm ci only when node_modules is missing or the lock file changed ----------
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.townsquare-lock.sha256
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_sum" ]]; then
  echo "compat: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --ignore-scripts --prefer-offline </dev/null
  echo "$lock_sum" >"$stamp"
fi

# --- scratch space, cleanup -------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/townsquare-compat.XXXXXX")
log="$work/server.log"
server_pid=""
pg_db=""

stop_server() {
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
  if [[ -n "$pg_db" ]]; then
    psql "$pg_url/postgres" -qAt -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 ||
      echo "compat: could not drop PostgreSQL database $pg_db" >&2
  fi
  if [[ "${TS_COMPAT_KEEP:-}" == 1 ]]; then
    echo "compat: kept $work"
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
  echo "----- server log ($store) -----"
  cat "$log" 2>/dev/null || true
  echo "----- end of server log -----"
}

# --- database -----------------------------------------------------------------------------------
if [[ "$store" == postgres ]]; then
  pg_db="ts_compat_$(date +%s)_$$_${RANDOM}"
  psql "$pg_url/postgres" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$pg_db\"" >/dev/null
  data_source="$pg_url/$pg_db?sslmode=disable"
else
  data_source="$work/townsquare.db"
fi

# --- server -------------------------------------------------------------------------------------
free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# The server runs in the scratch directory so that no config/townsquare.toml is picked up.
start_server() {
  port=$(free_port)
  (
    cd "$work"
    exec env NO_COLOR=1 \
      MM_SERVICEENVIRONMENT=test \
      MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true \
      MM_SERVICESETTINGS_POSTREMINDERINTERVALSECONDS=1 \
      MM_FILESETTINGS_ENABLEPUBLICLINK=true \
      MM_FILESETTINGS_DIRECTORY="$work/files" \
      MM_LOGSETTINGS_ENABLECONSOLE=true \
      MM_LOGSETTINGS_CONSOLELEVEL=INFO \
      "$bin" serve --listen "127.0.0.1:$port" --data-source "$data_source"
  ) </dev/null >>"$log" 2>&1 &
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
  echo "compat: the server did not answer $url/api/v4/system/ping within 30s" >&2
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
  echo "compat: server start attempt $attempt failed" >&2
done
if [[ -z "$started" ]]; then
  print_server_log
  exit 1
fi
echo "compat: $("$bin" version 2>/dev/null | head -1) on $store at $url"

# --- tests --------------------------------------------------------------------------------------
# One server is shared by every file; files run one at a time, accounts.test.mjs (which needs a
# server without accounts) first.
files=(accounts.test.mjs)
for file in *.test.mjs; do
  [[ "$file" == accounts.test.mjs ]] || files+=("$file")
done

test_output="$work/node-test.out"
set +e
TS_URL="$url" node --test --test-concurrency=1 --test-reporter=spec "$@" "${files[@]}" \
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
