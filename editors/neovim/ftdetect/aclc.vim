" Detect aclc policy files.
autocmd BufRead,BufNewFile *.acl setfiletype aclc
