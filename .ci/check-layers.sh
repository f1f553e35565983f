#!/usr/bin/env bash
# The layers in src/ point one way (docs/ARCHITECTURE.md, "Layers"):
#   api -> app -> store,  app -> realtime (publish),  realtime -> store (audience reads).
# Fails, naming file and line, when a source file reaches the wrong way. Plain grep over
# the sources (comments included, so keep them from naming the forbidden paths), no build.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=0

# forbid DIR REGEX WHY: no line under DIR may match REGEX.
forbid() {
  local dir="$1" pattern="$2" why="$3" hits
  hits=$(grep -rnE --include='*.rs' "$pattern" "$dir" || true)
  if [[ -n "$hits" ]]; then
    echo "layer violation: $why" >&2
    echo "$hits" | sed 's/^/  /' >&2
    failed=1
  fi
}

forbid src/app      'crate::api\b'                          "src/app must not name crate::api (api calls app, not the reverse)"
forbid src/store    'crate::(api|app|realtime)\b'           "src/store must not name crate::api, crate::app or crate::realtime (the store holds SQL only)"
forbid src/realtime 'crate::(api|app|state)\b'              "src/realtime must not name crate::api, crate::app or crate::state (delivery only; the WebSocket entry point is api::v4::websocket)"
forbid src/api      'crate::store\b|\bstore::|\.store\b'    "src/api must not reach the store: call an app function"
forbid src/api      'realtime\.publish|\.publish\('         "src/api must not publish events: app publishes after the commit"

if [[ $failed -ne 0 ]]; then
  echo "see docs/ARCHITECTURE.md (Layers) for the rules" >&2
  exit 1
fi
echo "layers OK"
