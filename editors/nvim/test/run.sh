#!/usr/bin/env bash
# Headless Neovim tests of editors/nvim:
#   ft_test.lua   filetype, ftplugin, fallback syntax, indentation, the Lua module;
#   lsp_test.lua  opens a policy with a known finding, attaches `aclc lsp`, and
#                 waits for the finding as a diagnostic.
# The LSP test needs an aclc that has the `lsp` command; without one it is
# skipped with a message. The aclc binary: $ACLC, else target/release/aclc or
# target/debug/aclc of the repository, else `aclc` on PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")
repo=$(cd "$plugin/../.." && pwd)
nvim=${NVIM:-nvim}

run_nvim() {
    # -u NONE: no user config; the plugin alone on the runtimepath.
    "$nvim" --headless -u NONE -i NONE -n \
        --cmd "set rtp^=$plugin" --cmd 'filetype plugin indent on' --cmd 'syntax on' "$@"
}

echo "== nvim: $("$nvim" --version | head -1)"
run_nvim -c "luafile $here/ft_test.lua"

# The tree-sitter queries in Neovim's engine, on the parser of the committed
# grammar (a C compiler is all it needs).
grammar="$plugin/../tree-sitter-aclc"
cc=${CC:-cc}
if command -v "$cc" >/dev/null 2>&1; then
    parser_dir=$(mktemp -d)
    "$cc" -shared -fPIC -O1 -I "$grammar/src" "$grammar/src/parser.c" -o "$parser_dir/aclc.so"
    ACLC_PARSER="$parser_dir/aclc.so" ACLC_SAMPLE="$grammar/test/highlight/sample.acl" \
        run_nvim -c "luafile $here/ts_test.lua" || { rm -rf "$parser_dir"; exit 1; }
    rm -rf "$parser_dir"
else
    echo "no C compiler ($cc): nvim tree-sitter query test skipped"
fi

aclc=${ACLC:-}
if [ -z "$aclc" ]; then
    for candidate in "$repo/target/release/aclc" "$repo/target/debug/aclc"; do
        if [ -x "$candidate" ]; then aclc=$candidate; break; fi
    done
fi
aclc=${aclc:-$(command -v aclc || true)}
if [ -z "$aclc" ]; then
    echo "aclc not found (set ACLC or build it): nvim LSP test skipped"
    exit 0
fi
if ! "$aclc" lsp --help >/dev/null 2>&1; then
    echo "aclc lsp not available: nvim LSP test skipped ($aclc has no lsp command)"
    exit 0
fi

workspace=$(mktemp -d)
trap 'rm -rf "$workspace"' EXIT
# A workspace without the predefined library, with one shadowed rule (line 3).
printf '[policy]\npredefined = false\n' >"$workspace/aclc.toml"
cp "$repo/tests/fixtures/shadowed-rule-fires/policy.acl" "$workspace/policy.acl"
ACLC="$aclc" WORKSPACE="$workspace" timeout 120 "$nvim" --headless -u NONE -i NONE -n \
    --cmd "set rtp^=$plugin" --cmd 'filetype plugin indent on' \
    -c "luafile $here/lsp_test.lua"
