; Copied from editors/tree-sitter-aclc/queries/folds.scm by editors/sync-queries.sh (do not edit).
; Every braced block folds.
[
  (block)
  (object_declaration)
  (environment)
  (guard)
  (test)
] @fold
