#!/usr/bin/env bash
# Checks of the tree-sitter grammar of aclc (needs the tree-sitter CLI and a C
# compiler; `cargo install --locked tree-sitter-cli`):
#   1. `tree-sitter generate` reproduces the committed src/ exactly;
#   2. `tree-sitter test`: the corpus (test/corpus/) and highlight (test/highlight/) tests;
#   3. every query compiles against the grammar, and the Neovim and Helix
#      copies are up to date (editors/sync-queries.sh --check);
#   4. every .acl file of policies/ and tests/fixtures/ parses without an
#      ERROR or MISSING node, except the fixtures that are syntax errors on
#      purpose: the folders whose snapshot (tests/snapshots/fixtures__fixtures@NAME.snap)
#      reports a `syntax-error`;
#   5. with an aclc binary ($ACLC, else target/release/aclc), tree-sitter and
#      aclc's own parser agree on which inputs are syntax errors: every .acl
#      file of the repository and every corpus input (test/agreement.py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$here"
# ABI 14: loadable by every tree-sitter runtime in use (Neovim 0.9 and 0.10 included).
abi=14
# The CLI version src/ was generated with (.ci/run installs this one): another
# version may generate a different parser.c from the same grammar.
cli_version=0.27.1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== tree-sitter generate --abi $abi: the committed src/ is up to date"
installed=$(tree-sitter --version | awk '{print $2}')
cp grammar.js tree-sitter.json "$tmp/"
(cd "$tmp" && tree-sitter generate --abi "$abi")
if [ "$installed" != "$cli_version" ]; then
    echo "tree-sitter $installed is not $cli_version, which generated src/: comparison skipped (cargo install --locked tree-sitter-cli --version $cli_version)"
elif ! diff -r src "$tmp/src" >"$tmp/generate.diff"; then
    head -40 "$tmp/generate.diff"
    echo "src/ differs from what grammar.js generates: run \`tree-sitter generate --abi $abi\` in editors/tree-sitter-aclc and commit src/" >&2
    exit 1
fi

echo "== tree-sitter test"
tree-sitter test 2>&1 | grep -v -e 'not configured any parser directories' -e 'tree-sitter init-config' \
    -e 'configuration file to indicate' -e '^language grammars\.$' || true
# grep hides the CLI's noise but also its exit status: run again, quietly, for it.
tree-sitter test >/dev/null 2>&1 || { echo "tree-sitter test failed" >&2; exit 1; }

echo "== the queries compile, and the Neovim and Helix copies are up to date"
sample="$repo/tests/fixtures/design-section-2-example/example.acl"
for query in queries/*.scm ../nvim/queries/aclc/*.scm ../helix/runtime/queries/acl/*.scm; do
    if ! tree-sitter query --quiet "$query" "$sample" >"$tmp/query.out" 2>&1; then
        cat "$tmp/query.out"
        echo "$query does not compile against the grammar" >&2
        exit 1
    fi
done
../sync-queries.sh --check

echo "== every policy and fixture parses without ERROR or MISSING nodes"
: >"$tmp/paths"
excluded=0
while IFS= read -r -d '' file; do
    rel=${file#"$repo"/}
    case "$rel" in
    tests/fixtures/*)
        fixture=${rel#tests/fixtures/}
        fixture=${fixture%%/*}
        snapshot="$repo/tests/snapshots/fixtures__fixtures@$fixture.snap"
        if [ -f "$snapshot" ] && grep -q '"code": "syntax-error"' "$snapshot"; then
            excluded=$((excluded + 1))
            continue
        fi
        ;;
    esac
    echo "$file" >>"$tmp/paths"
done < <(find "$repo/policies" "$repo/tests/fixtures" -name '*.acl' -print0 | sort -z)
count=$(wc -l <"$tmp/paths")
status=0
tree-sitter parse --quiet --paths "$tmp/paths" >"$tmp/parse.out" 2>&1 || status=$?
if [ "$status" -ne 0 ] || grep -q -e ERROR -e MISSING "$tmp/parse.out"; then
    grep -e ERROR -e MISSING "$tmp/parse.out" || cat "$tmp/parse.out"
    echo "some files do not parse" >&2
    exit 1
fi
echo "$count files parse cleanly ($excluded syntax-error fixtures excluded)"
[ "$count" -gt 50 ] || { echo "expected the repository's policies and fixtures, found $count files" >&2; exit 1; }

echo "== tree-sitter and aclc agree on what is a syntax error"
aclc=${ACLC:-$repo/target/release/aclc}
if [ -x "$aclc" ] && command -v python3 >/dev/null 2>&1; then
    python3 test/agreement.py "$aclc"
elif [ -x "$aclc" ]; then
    echo "python3 is not available: agreement check skipped"
else
    echo "no aclc binary at $aclc (set ACLC or cargo build --release): agreement check skipped"
fi
