#!/usr/bin/env bash
# The tree-sitter queries of editors/tree-sitter-aclc/queries/ are the only
# ones written by hand. This script derives the copies the editors load:
#   nvim/queries/aclc/*.scm          (Neovim: same capture names)
#   helix/runtime/queries/acl/*.scm  (Helix: its capture names, its indent style)
# `sync-queries.sh --check` fails when a copy differs (run by tree-sitter-aclc/check.sh).
set -euo pipefail
cd "$(dirname "$0")"
src=tree-sitter-aclc/queries

helix_highlights() {
    sed -e 's/@keyword\.conditional/@keyword.control.conditional/g' \
        -e 's/@property/@variable.other.member/g' \
        -e 's/@character\.special/@special/g' \
        -e 's/@string\.escape/@constant.character.escape/g' \
        -e 's/@comment\.documentation/@comment.line.documentation/g' \
        -e 's/^; Highlights of the aclc policy language (capture names of nvim-treesitter,$/; Highlights of the aclc policy language for Helix, derived from/' \
        -e 's/^; also understood by the tree-sitter CLI). Patterns never capture the same$/; editors\/tree-sitter-aclc\/queries\/highlights.scm by editors\/sync-queries.sh (do not edit). Patterns never capture the same/' \
        "$src/highlights.scm"
}

helix_indents() {
    cat <<'SCM'
; Indentation for Helix: one level inside every `{ }`. Written by
; editors/sync-queries.sh from the blocks of tree-sitter-aclc/queries/indents.scm.
[
  (block)
  (object_declaration)
  (environment)
  (guard)
  (test)
] @indent

"}" @outdent
SCM
}

declare -A want
for q in highlights folds indents; do
    want["nvim/queries/aclc/$q.scm"]=$(printf '; Copied from editors/tree-sitter-aclc/queries/%s.scm by editors/sync-queries.sh (do not edit).\n' "$q"; cat "$src/$q.scm")
done
want["helix/runtime/queries/acl/highlights.scm"]=$(helix_highlights)
want["helix/runtime/queries/acl/indents.scm"]=$(helix_indents)

status=0
for file in "${!want[@]}"; do
    if [ "${1:-}" = "--check" ]; then
        if ! diff -u "$file" <(printf '%s\n' "${want[$file]}") >/dev/null 2>&1; then
            echo "editors/$file is not up to date: run editors/sync-queries.sh" >&2
            status=1
        fi
    else
        mkdir -p "$(dirname "$file")"
        printf '%s\n' "${want[$file]}" >"$file"
    fi
done
exit $status
