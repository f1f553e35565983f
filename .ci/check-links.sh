#!/usr/bin/env bash
# Every relative Markdown link in the user-facing docs must resolve to a file (and, for
# `#anchor`s into Markdown, a heading) inside this repository: a fresh clone is all a reader has.
set -euo pipefail
cd "$(dirname "$0")/.."

exec python3 - "$@" <<'PY'
import os
import re
import sys

root = os.path.realpath(".")
files = ["README.md"]
for top in ["docs", "licenses", "config"]:
    for dirpath, _, names in os.walk(top):
        files += [os.path.join(dirpath, n) for n in names if n.endswith(".md")]
for dirpath, dirs, names in os.walk("tests"):
    dirs[:] = [d for d in dirs if d != "node_modules"]
    if "README.md" in names:
        files.append(os.path.join(dirpath, "README.md"))

# [text](target) and [text](<target>), images included; reference definitions `[x]: target`.
inline = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
reference = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
fence = re.compile(r"^\s*(```|~~~)")


def slug(heading):
    # GitHub's anchors: lower case, punctuation dropped, spaces to hyphens.
    text = re.sub(r"`|\*|_(?=\W)|(?<=\W)_", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


anchor_cache = {}


def anchors(path):
    if path not in anchor_cache:
        found, seen, in_fence = set(), {}, False
        with open(path, encoding="utf-8") as f:
            for line in f:
                if fence.match(line):
                    in_fence = not in_fence
                    continue
                m = None if in_fence else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
                if m:
                    base = slug(m.group(1))
                    n = seen.get(base, 0)
                    seen[base] = n + 1
                    found.add(base if n == 0 else f"{base}-{n}")
        anchor_cache[path] = found
    return anchor_cache[path]


def links(path):
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if fence.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            # Inline code spans are examples, not links.
            text = re.sub(r"`[^`]*`", "", line)
            for m in inline.finditer(text):
                yield number, m.group(1)
            m = reference.match(text)
            if m:
                yield number, m.group(1)


errors = []
checked = 0
for source in sorted(set(files)):
    for number, target in links(source):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # http:, https:, mailto:, ...
            continue
        checked += 1
        where = f"{source}:{number}: {target}"
        path_part, _, anchor = target.partition("#")
        if path_part.startswith("/"):
            errors.append(f"{where}: absolute path; use a path relative to {source}")
            continue
        resolved = os.path.realpath(os.path.join(os.path.dirname(source), path_part)) if path_part else os.path.realpath(source)
        if resolved != root and not resolved.startswith(root + os.sep):
            errors.append(f"{where}: points outside the repository")
            continue
        if not os.path.exists(resolved):
            errors.append(f"{where}: no such file")
            continue
        if anchor and resolved.endswith(".md") and os.path.isfile(resolved):
            if anchor.lower() not in anchors(resolved):
                errors.append(f"{where}: no heading #{anchor} in {os.path.relpath(resolved, root)}")

for e in errors:
    print(e, file=sys.stderr)
print(f"{checked} relative links in {len(set(files))} files checked, {len(errors)} broken")
sys.exit(1 if errors else 0)
PY
