#!/usr/bin/env bash
# Regenerates the development sample licenses from their payloads, with the Enterprise
# build's own vendor tools:
#
#   townsquare license sign --key licenses/dev/ts-dev-1.key PAYLOAD.json   (kid = key file stem)
#   townsquare license inspect FILE                                         (verify and print)
#
# ed25519 signatures are deterministic: an unchanged payload gives a byte-identical license.
# Usage: licenses/dev/generate.sh   (set TOWNSQUARE_BIN to use an existing Enterprise binary)
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ -n "${TOWNSQUARE_BIN:-}" ]]; then
  townsquare() { "$TOWNSQUARE_BIN" "$@"; }
else
  cargo build --quiet -p townsquare --features enterprise --bin townsquare
  target_dir="${CARGO_TARGET_DIR:-target}"
  townsquare() { "$target_dir/debug/townsquare" "$@"; }
fi

for payload in licenses/dev/sample-*.json; do
  license="${payload%.json}.townsquare-license"
  townsquare license sign --key licenses/dev/ts-dev-1.key "$payload" --output "$license"
  report=$(townsquare license inspect "$license")
  echo "$license: ${report%%$'\n'dates:*}" | tr '\n' ' '
  echo
done
