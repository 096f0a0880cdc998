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
