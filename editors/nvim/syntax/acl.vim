" Vim syntax file for aclc policies (`.acl`). Neovim uses the tree-sitter
" grammar (editors/tree-sitter-aclc) when its parser is installed; this file is
" the highlighting everywhere else. The language is defined by the pest
" grammar in grammar/aclc.pest.
if exists('b:current_syntax')
  finish
endif

syn case match
" `.` and `*` belong to words here, so that the keywords are not found inside
" a target: `allow read read.update` names an object `read`.
syn iskeyword @,48-57,_,.,*

syn keyword aclDeclaration access_level component guard test environment nextgroup=aclDeclName skipwhite skipempty
syn keyword aclDeclaration default
syn keyword aclDeclaration object nextgroup=aclObjectDeclName skipwhite skipempty
syn keyword aclStatement include group subsystem description hidden visible_to for expect
syn keyword aclEffect allow deny
syn keyword aclAccess read update insert delete all
syn keyword aclParticipant user customer account distributor representative cc_staff vendor
" `reseller` is a participant type, and declares a reseller before a name.
syn match aclParticipant /\<reseller\>/
syn match aclDeclaration /\<reseller\>\ze\s*"/ nextgroup=aclDeclName skipwhite

" `Object.attribute`: each side `*`, a prefix `Name*` or a name; no spaces.
syn match aclTarget /\%(\*\|\h\w*\*\=\)\.\%(\*\|\h\w*\*\=\)/ contains=aclObjectName,aclAttributeName,aclWildcard,aclDot
syn match aclObjectName /\h\w*/ contained
syn match aclAttributeName /\.\@1<=\h\w*/ contained
syn match aclWildcard /\*/ contained
syn match aclDot /\./ contained

syn match aclObjectDeclName /\h\w*/ contained
syn match aclBrace /[{}]/
syn match aclOperator /[=,]/

" Names: `"…"` with the escapes `\"` and `\\`; anything else after `\` is an
" error, and a name ends at the end of its line.
syn region aclString start=/"/ skip=/\\[\\"]/ end=/"/ end=/$/ oneline contains=aclEscape,aclBadEscape
syn region aclDeclName start=/"/ skip=/\\[\\"]/ end=/"/ end=/$/ oneline contained contains=aclEscape,aclBadEscape
syn match aclBadEscape /\\[^\\"]\=/ contained
syn match aclEscape /\\[\\"]/ contained

" Comments: `#`, `##` doc comments, and `# aclc-ignore CODE[, CODE] reason`.
syn match aclComment /#.*$/ contains=aclTodo,@Spell
syn match aclIgnore /#\s*aclc-ignore\%([[:alnum:]_-]\)\@!.*$/ contains=aclIgnoreKeyword
syn match aclIgnoreKeyword /aclc-ignore/ contained nextgroup=aclLintCodes skipwhite
syn match aclLintCodes /[a-z][a-z0-9-]*\%(\s*,\s*[a-z][a-z0-9-]*\)*/ contained contains=aclLintCode
syn match aclLintCode /[a-z][a-z0-9-]*/ contained
syn match aclDocComment /##.*$/ contains=@Spell
syn keyword aclTodo TODO FIXME XXX contained

hi def link aclDeclaration Structure
hi def link aclStatement Statement
hi def link aclEffect Keyword
hi def link aclAccess Constant
hi def link aclParticipant Type
hi def link aclObjectName Identifier
hi def link aclObjectDeclName Identifier
hi def link aclAttributeName Identifier
hi def link aclWildcard Special
hi def link aclDot Delimiter
hi def link aclBrace Delimiter
hi def link aclOperator Operator
hi def link aclString String
hi def link aclDeclName Function
hi def link aclEscape SpecialChar
hi def link aclBadEscape Error
hi def link aclComment Comment
hi def link aclDocComment SpecialComment
hi def link aclIgnore Comment
hi def link aclIgnoreKeyword PreProc
hi def link aclLintCode Label
hi def link aclTodo Todo

let b:current_syntax = 'acl'
