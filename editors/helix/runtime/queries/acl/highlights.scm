; Highlights of the aclc policy language for Helix, derived from
; editors/tree-sitter-aclc/queries/highlights.scm by editors/sync-queries.sh (do not edit). Patterns never capture the same
; node twice, so the result is the same whichever pattern an editor prefers.

; Declaration keywords
(access_level "access_level" @keyword)
(component "component" @keyword)
(reseller_declaration "reseller" @keyword)
(object_declaration "object" @keyword)
(default_declaration "default" @keyword)
(environment "environment" @keyword)
(guard "guard" @keyword)
(test "test" @keyword)

; Statement keywords
[
  "include"
  "group"
  "subsystem"
  "description"
  "visible_to"
  "for"
  "expect"
] @keyword

(hidden) @keyword

; Permissions: the effect, the access types, the participant types
(effect) @keyword.control.conditional

(access) @constant.builtin

(participant_type) @type.builtin

; Targets `Object.attribute`: names, prefix globs `Name*`, wildcards `*`
(target
  object: [
    (name)
    (prefix_pattern)
  ] @type)

(target
  attribute: [
    (name)
    (prefix_pattern)
  ] @variable.other.member)

(wildcard) @special

; The catalog
(object_declaration
  name: (identifier) @type.definition)

(object_declaration
  attribute: (attribute) @variable.other.member)

; Names: strings, with the escapes `\"` and `\\`
(string) @string

(escape_sequence) @constant.character.escape

; The names an access level or component is declared with, and those that refer
; to one.
(access_level
  name: (string
    (string_content) @type.definition))

(component
  name: (string
    (string_content) @type.definition))

(include
  name: (string
    (string_content) @type))

(default_declaration
  access_level: (string
    (string_content) @type))

(expect
  access_level: (string
    (string_content) @type))

(guard_for
  target: (string
    (string_content) @type))

; Resellers
(reseller_declaration
  name: (string
    (string_content) @constant))

(visible_to
  reseller: (string
    (string_content) @constant))

; Comments: `#`, `##` doc comments, `# aclc-ignore CODE reason` suppressions.
; (Only regular expressions that Neovim's and Rust's engines read alike.)
((comment) @comment
  (#not-match? @comment "^##")
  (#not-match? @comment "^#[ \t]*aclc-ignore"))

((comment) @comment
  (#match? @comment "^#[ \t]*aclc-ignore[A-Za-z0-9_-]"))

((comment) @comment.line.documentation
  (#match? @comment.line.documentation "^##"))

((comment) @keyword.directive
  (#match? @keyword.directive "^#[ \t]*aclc-ignore")
  (#not-match? @keyword.directive "^#[ \t]*aclc-ignore[A-Za-z0-9_-]"))

; Punctuation
[
  "{"
  "}"
] @punctuation.bracket

[
  ","
  "."
] @punctuation.delimiter

"=" @operator
