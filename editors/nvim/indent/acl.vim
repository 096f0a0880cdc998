" Indentation of aclc policies: one level inside each `{ }` block.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1
setlocal autoindent
setlocal indentexpr=AclIndent(v:lnum)
setlocal indentkeys=0{,0},0),!^F,o,O
let b:undo_indent = 'setlocal autoindent< indentexpr< indentkeys<'

if exists('*AclIndent')
  finish
endif

" The braces of a line that count: not those in names or comments.
function! s:Braces(line) abort
  let code = substitute(a:line, '"\%([^"\\]\|\\.\)*"\=', '""', 'g')
  let code = substitute(code, '#.*$', '', '')
  return [len(substitute(code, '[^{]', '', 'g')), len(substitute(code, '[^}]', '', 'g'))]
endfunction

function! AclIndent(lnum) abort
  let prev = prevnonblank(a:lnum - 1)
  if prev == 0
    return 0
  endif
  let ind = indent(prev)
  let [open, close] = s:Braces(getline(prev))
  " A line that opens more than it closes opens a block...
  if open > close
    let ind += shiftwidth()
  endif
  " ...and a line that starts with `}` closes one.
  if getline(a:lnum) =~# '^\s*}'
    let ind -= shiftwidth()
  endif
  return max([ind, 0])
endfunction
