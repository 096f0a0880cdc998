; One level of indentation inside every `{ }` (nvim-treesitter capture names).
[
  (block)
  (object_declaration)
  (environment)
  (guard)
  (test)
] @indent.begin

"}" @indent.branch @indent.end
