" aclc policy files (language id `acl`).
autocmd BufRead,BufNewFile *.acl setfiletype acl
