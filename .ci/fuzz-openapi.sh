#!/usr/bin/env bash
# Schema-driven fuzz of the HTTP API: schemathesis (PyPI, pinned, in a venv under ~/.cache)
# generates requests from /api/v4/openapi.json of a running debug binary and checks every
# answer against the document: no 5xx, status codes, content types and bodies as documented.
#
#   cargo build && .ci/fuzz-openapi.sh
#
# Two passes on one server with a fresh SQLite database, authenticated as a seeded system
# admin (a personal access token); an Enterprise build is licensed first (the development
# license) and has terms of service:
#   1. every GET with the ids of seeded data (team, channel, thread, file, emoji, ...): the
#      success bodies;
#   2. every operation with generated input (and ids schemathesis picks up from answers, so
#      this pass changes and deletes things): input validation and error bodies. It leaves
#      out the few operations that would end the admin's token or rights for the rest of the
#      run; the integration tests cover those.
#
# Environment:
#   TOWNSQUARE_BIN     server binary (default: $CARGO_TARGET_DIR/debug/townsquare, with
#                      CARGO_TARGET_DIR defaulting to ~/.cache/townsquare-target)
#   TS_FUZZ_EXAMPLES   examples per operation (default 10)
#   TS_FUZZ_SEED       random seed (default 1207)
#   TS_FUZZ_KEEP=1     keep the scratch directory (server log, reports)
# Extra arguments go to both `schemathesis run` calls.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
venv="$HOME/.cache/townsquare-schemathesis-$SCHEMATHESIS_VERSION"
bin="${TOWNSQUARE_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/townsquare-target}/debug/townsquare}"
examples="${TS_FUZZ_EXAMPLES:-10}"
seed="${TS_FUZZ_SEED:-1207}"

if [[ ! -x "$bin" ]]; then
  echo "fuzz: no server binary at $bin (run \`cargo build\` or set TOWNSQUARE_BIN)" >&2
  exit 2
fi

# --- schemathesis: installed once per version, reused from the cache ---------------------------
if [[ ! -f "$venv/.installed" ]]; then
  echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" </dev/null
  touch "$venv/.installed"
fi
py="$venv/bin/python"

# --- scratch space, server, cleanup -------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/townsquare-fuzz.XXXXXX")
log="$work/server.log"
server_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ "$status" != 0 ]]; then
    echo "----- server log (last 40 lines) -----"
    tail -n 40 "$log" 2>/dev/null || true
  fi
  if [[ "${TS_FUZZ_KEEP:-}" == 1 ]]; then
    echo "fuzz: kept $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Link previews off: `GET /redirect_location` must not fetch the URLs the fuzzer makes up (the
# fuzz talks to this loopback server only).
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
(
  cd "$work"
  exec env NO_COLOR=1 \
    MM_SERVICEENVIRONMENT=test \
    MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true \
    MM_SERVICESETTINGS_ENABLECUSTOMEMOJI=true \
    MM_SUPPORTSETTINGS_CUSTOMTERMSOFSERVICEENABLED=true \
    MM_SERVICESETTINGS_ENABLELINKPREVIEWS=false \
    MM_FILESETTINGS_ENABLEPUBLICLINK=true \
    MM_FILESETTINGS_DIRECTORY="$work/files" \
    MM_LOGSETTINGS_ENABLECONSOLE=true \
    MM_LOGSETTINGS_CONSOLELEVEL=WARN \
    "$bin" serve --listen "127.0.0.1:$port" --data-source "$work/townsquare.db"
) </dev/null >>"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  if "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
    "$url/api/v4/system/ping" 2>/dev/null; then
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || { echo "fuzz: the server exited" >&2; exit 1; }
  sleep 0.1
done
echo "fuzz: $("$bin" version | head -1) at $url"

# --- seed: an admin with a token, and one of each thing the GET routes name -------------------
# Prints the token; writes the ids as schemathesis parameters for the second pass.
token=$("$py" - "$url" "$work/ids.toml" <<'PY'
import json, struct, sys, urllib.request, uuid, zlib

base, ids_path = sys.argv[1], sys.argv[2]
token = None


def call(method, path, body=None, raw=None, content_type=None, tolerate=()):
    data, headers = None, {}
    if body is not None:
        data, content_type = json.dumps(body).encode(), "application/json"
    elif raw is not None:
        data = raw
    if content_type:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read()
            return json.loads(text) if text else None, response.headers
    except urllib.error.HTTPError as err:
        if err.code in tolerate:
            return None, err.headers
        sys.exit(f"seed: {method} {path}: {err.code} {err.read()[:300]!r}")


def png():
    # A 64x64 opaque PNG: big enough for a thumbnail and a preview.
    row = b"\x00" + b"\x20\x60\xc0" * 64
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * 64)) + chunk(b"IEND", b""))


def multipart(fields):
    boundary = uuid.uuid4().hex
    out = b""
    for name, (filename, value, kind) in fields.items():
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        out += (f"Content-Type: {kind}\r\n" if kind else "").encode() + b"\r\n" + value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


password = "Fuzz-Passw0rd!"
admin, _ = call("POST", "/api/v4/users",
                {"username": "fuzzadmin", "email": "fuzzadmin@example.com", "password": password})
_, headers = call("POST", "/api/v4/users/login", {"login_id": "fuzzadmin", "password": password})
token = headers["Token"]
pat, _ = call("POST", f"/api/v4/users/{admin['id']}/tokens", {"description": "schema fuzz"})
team, _ = call("POST", "/api/v4/teams", {"name": "fuzz", "display_name": "Fuzz", "type": "O"})
channel, _ = call("POST", "/api/v4/channels", {"team_id": team["id"], "name": "fuzz-channel",
                                               "display_name": "Fuzz channel", "type": "O"})
other, _ = call("POST", "/api/v4/users",
                {"username": "fuzzuser", "email": "fuzzuser@example.com", "password": password})
call("POST", f"/api/v4/teams/{team['id']}/members", {"team_id": team["id"], "user_id": other["id"]})
call("POST", f"/api/v4/channels/{channel['id']}/members", {"user_id": other["id"]})
files, _ = call("POST", f"/api/v4/files?channel_id={channel['id']}&filename=square.png", raw=png(),
                content_type="image/png")
file_id = files["file_infos"][0]["id"]
root, _ = call("POST", "/api/v4/posts", {"channel_id": channel["id"], "message": "hello #fuzz @fuzzuser",
                                         "file_ids": [file_id]})
call("PUT", f"/api/v4/posts/{root['id']}/patch", {"message": "hello #fuzz @fuzzuser, edited"})
call("POST", "/api/v4/posts", {"channel_id": channel["id"], "message": "a reply", "root_id": root["id"]})
call("POST", "/api/v4/reactions", {"user_id": admin["id"], "post_id": root["id"], "emoji_name": "smile"})
call("POST", f"/api/v4/posts/{root['id']}/pin")
call("PUT", "/api/v4/users/me/preferences", [{"user_id": admin["id"], "category": "display_settings",
                                              "name": "use_military_time", "value": "true"}])
body, kind = multipart({"emoji": (None, json.dumps({"name": "fuzzemoji", "creator_id": admin["id"]}).encode(), None),
                        "image": ("fuzz.png", png(), "image/png")})
emoji, _ = call("POST", "/api/v4/emoji", raw=body, content_type=kind)
categories, _ = call("GET", f"/api/v4/users/me/teams/{team['id']}/channels/categories")
# An Enterprise build gets the development license (valid with MM_SERVICEENVIRONMENT=test)
# and terms of service, so the licensed answers are checked too; Team Edition answers 501.
with open("licenses/dev/sample-enterprise.townsquare-license", "rb") as file:
    body, kind = multipart({"license": ("sample.townsquare-license", file.read(), "application/octet-stream")})
license, _ = call("POST", "/api/v4/license", raw=body, content_type=kind, tolerate=(501,))
if license:
    terms, _ = call("POST", "/api/v4/terms_of_service", {"text": "Be kind."})
    call("POST", "/api/v4/users/me/terms_of_service", {"termsOfServiceId": terms["id"], "accepted": True})
# A draft, a bookmark and a scheduled post (the last two need a license), a picture and an icon.
call("POST", "/api/v4/drafts", {"channel_id": channel["id"], "message": "unsent"}, tolerate=(501,))
call("POST", f"/api/v4/channels/{channel['id']}/bookmarks",
     {"display_name": "Home", "type": "link", "link_url": "https://example.com/"}, tolerate=(501,))
call("POST", "/api/v4/posts/schedule", {"channel_id": channel["id"], "message": "later",
                                        "scheduled_at": 4102444800000}, tolerate=(400, 501))
for path in ("/api/v4/users/me/image", f"/api/v4/teams/{team['id']}/image"):
    body, kind = multipart({"image": ("square.png", png(), "image/png")})
    call("POST", path, raw=body, content_type=kind)
role, _ = call("GET", "/api/v4/roles/name/system_user")

ids = {
    "path.user_id": admin["id"], "path.team_id": team["id"], "path.channel_id": channel["id"],
    "path.post_id": root["id"], "path.thread_id": root["id"], "path.file_id": file_id,
    "path.emoji_id": emoji["id"], "path.emoji_name": "fuzzemoji", "path.token_id": pat["id"],
    "path.role_id": role["id"], "path.role_name": "system_user",
    "path.category_id": categories["order"][0], "path.category": "display_settings",
    "path.preference_name": "use_military_time", "path.name": "fuzz", "path.team_name": "fuzz",
    "path.channel_name": "fuzz-channel", "path.username": "fuzzadmin",
    "path.email": "fuzzadmin@example.com",
}
with open(ids_path, "w") as out:
    out.write("[parameters]\n")
    for key, value in ids.items():
        out.write(f"{json.dumps(key)} = {json.dumps(value)}\n")
print(pat["token"])
PY
)
# A Team Edition build answers the license writes with 501 by design (as Mattermost's Team
# Edition does): the one 5xx the fuzz accepts, on those routes only.
cat >"$work/random.toml" <<'TOML'
[[operations]]
include-path-regex = "^/api/v4/license(/preview)?$"
include-method-regex = "^(POST|DELETE)$"
checks.not_a_server_error.expected-statuses = ["2XX", "3XX", "4XX", "501"]
TOML
cat "$work/random.toml" >>"$work/ids.toml"

# Run from the scratch directory: schemathesis keeps its crash files under the working directory.
run() {
  local config="$1"
  shift
  (cd "$work" && "$venv/bin/schemathesis" --config-file "$config" run "$url/api/v4/openapi.json" \
    --url "$url" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$examples" --seed "$seed" --generation-with-security-parameters false \
    --phases examples,coverage,fuzzing --workers 2 --no-color \
    "$@")
}

echo
echo "=== fuzz 1/2: GET routes with the seeded ids ==="
failed=0
run "$work/ids.toml" --include-method GET --exclude-path /api/v4/websocket "$@" || failed=1

echo
echo "=== fuzz 2/2: every operation, generated input ==="
# Not fuzzed here: logging out, deactivating or demoting the admin, changing its password,
# revoking its sessions or tokens; and the WebSocket upgrade, which is not request/response.
run "$work/random.toml" \
  --exclude-operation-id logout \
  --exclude-operation-id deactivate_user \
  --exclude-operation-id update_active \
  --exclude-operation-id update_password \
  --exclude-operation-id update_roles \
  --exclude-operation-id revoke_all_sessions \
  --exclude-operation-id revoke_token \
  --exclude-operation-id disable_token \
  --exclude-path /api/v4/websocket "$@" || failed=1

if [[ "$failed" != 0 ]]; then
  echo "fuzz: the API does not answer as its OpenAPI document says (see above)" >&2
fi
exit "$failed"
