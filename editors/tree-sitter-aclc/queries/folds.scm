; Every braced block folds.
[
  (block)
  (object_declaration)
  (environment)
  (guard)
  (test)
] @fold
