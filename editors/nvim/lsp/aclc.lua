-- Neovim 0.11+: `vim.lsp.enable('aclc')` starts `aclc lsp` for `acl` buffers,
-- rooted at the folder with aclc.toml (this file is found on 'runtimepath').
return {
  cmd = { 'aclc', 'lsp' },
  filetypes = { 'acl' },
  root_markers = { 'aclc.toml' },
}
