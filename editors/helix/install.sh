#!/usr/bin/env bash
# Installs aclc support into Helix's user configuration:
#   - the [[language]], [language-server.aclc] and [[grammar]] entries of
#     languages.toml, appended to ~/.config/helix/languages.toml (once), with the
#     grammar's path pointing at this clone's editors/tree-sitter-aclc;
#   - the queries into ~/.config/helix/runtime/queries/acl/;
#   - the compiled grammar, with `hx --grammar build` when hx is on PATH.
# HELIX_CONFIG overrides ~/.config/helix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
grammar=$(cd "$here/../tree-sitter-aclc" && pwd)
config=${HELIX_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/helix}

mkdir -p "$config/runtime/queries/acl"
cp "$here"/runtime/queries/acl/*.scm "$config/runtime/queries/acl/"
echo "queries: $config/runtime/queries/acl/"

languages="$config/languages.toml"
if [ -f "$languages" ] && grep -q '^name = "acl"' "$languages"; then
    echo "languages: $languages already has the acl language; left as it is"
else
    {
        [ -s "$languages" ] && echo
        sed "s|^source = { path = \"editors/tree-sitter-aclc\" }|source = { path = \"$grammar\" }|" "$here/languages.toml"
    } >>"$languages"
    echo "languages: acl appended to $languages (grammar: $grammar)"
fi

if command -v hx >/dev/null 2>&1; then
    hx --grammar build
else
    echo "hx is not on PATH: run \`hx --grammar build\` to compile the grammar"
fi
