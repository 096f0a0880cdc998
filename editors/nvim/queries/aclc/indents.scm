; Copied from editors/tree-sitter-aclc/queries/indents.scm by editors/sync-queries.sh (do not edit).
; One level of indentation inside every `{ }` (nvim-treesitter capture names).
[
  (block)
  (object_declaration)
  (environment)
  (guard)
  (test)
] @indent.begin

"}" @indent.branch @indent.end
