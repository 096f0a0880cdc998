" aclc policy files: comments start with `#`; `:make` runs `aclc check`.
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1
setlocal commentstring=#\ %s
setlocal comments=:##,:#
setlocal expandtab shiftwidth=4 softtabstop=4
compiler aclc
let b:undo_ftplugin = 'setlocal commentstring< comments< expandtab< shiftwidth< softtabstop< makeprg< errorformat<'
