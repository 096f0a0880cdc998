#!/usr/bin/env bash
# Tests of the Helix setup without Helix: languages.toml says what Helix needs
# (language `acl`, the server `aclc lsp`, the grammar `aclc`), and install.sh
# produces a configuration whose grammar path holds the generated parser and
# whose query folder holds the queries. The queries themselves are checked by
# editors/tree-sitter-aclc/check.sh (they compile against the grammar).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT

# Installed twice: the second run must leave languages.toml alone.
HELIX_CONFIG="$config" PATH="/usr/bin:/bin" bash "$here/install.sh" >/dev/null
HELIX_CONFIG="$config" PATH="/usr/bin:/bin" bash "$here/install.sh" >/dev/null

python3 - "$here/languages.toml" "$config" <<'PY'
import os, sys, tomllib

def check(cond, what):
    if not cond:
        raise SystemExit(f"FAIL: {what}")

def validate(doc, where):
    langs = [l for l in doc.get("language", []) if l.get("name") == "acl"]
    check(len(langs) == 1, f"{where}: one [[language]] named acl")
    lang = langs[0]
    check(lang.get("file-types") == ["acl"], f"{where}: file-types = ['acl']")
    check(lang.get("scope") == "source.acl", f"{where}: scope source.acl")
    check(lang.get("roots") == ["aclc.toml"], f"{where}: roots = ['aclc.toml']")
    check(lang.get("comment-token") == "#", f"{where}: comment-token #")
    check(lang.get("grammar") == "aclc", f"{where}: grammar aclc")
    check(lang.get("language-servers") == ["aclc"], f"{where}: language-servers = ['aclc']")
    server = doc.get("language-server", {}).get("aclc", {})
    check(server.get("command") == "aclc" and server.get("args") == ["lsp"], f"{where}: aclc lsp")
    grammars = [g for g in doc.get("grammar", []) if g.get("name") == "aclc"]
    check(len(grammars) == 1, f"{where}: one [[grammar]] named aclc")
    return grammars[0]["source"]

repo_file, config = sys.argv[1], sys.argv[2]
with open(repo_file, "rb") as f:
    validate(tomllib.load(f), "editors/helix/languages.toml")
with open(os.path.join(config, "languages.toml"), "rb") as f:
    source = validate(tomllib.load(f), "installed languages.toml")
path = source.get("path", "")
check(os.path.isabs(path), f"the installed grammar path is absolute: {path}")
check(os.path.isfile(os.path.join(path, "src", "parser.c")), f"{path}/src/parser.c exists")
for q in ("highlights.scm", "indents.scm"):
    check(os.path.isfile(os.path.join(config, "runtime", "queries", "acl", q)), f"runtime/queries/acl/{q} installed")
print("helix: 2 passed, 0 failed (languages.toml; install.sh output)")
PY
