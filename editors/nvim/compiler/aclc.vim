" `:make` runs `aclc check --format github` and reads its findings into the
" quickfix list (file, line, column, severity, code and message).
if exists('current_compiler')
  finish
endif
let current_compiler = 'aclc'
CompilerSet makeprg=aclc\ check\ --format\ github
CompilerSet errorformat=
      \::%trror\ file=%f\\,line=%l\\,col=%c\\,%*[^:]::%m,
      \::%tarning\ file=%f\\,line=%l\\,col=%c\\,%*[^:]::%m,
      \::%totice\ file=%f\\,line=%l\\,col=%c\\,%*[^:]::%m
