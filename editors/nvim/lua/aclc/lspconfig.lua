-- aclc as a custom server of nvim-lspconfig:
--
--   require('aclc.lspconfig').register()
--   require('lspconfig').aclc.setup({})
--
-- (On Neovim 0.11 and later, `lsp/aclc.lua` of this plugin also makes
-- `vim.lsp.enable('aclc')` work without nvim-lspconfig.)

local M = {}

--- The server definition nvim-lspconfig expects under `configs.aclc`.
function M.server_definition()
  local util = require('lspconfig.util')
  return {
    default_config = {
      cmd = { 'aclc', 'lsp' },
      filetypes = { 'acl' },
      root_dir = util.root_pattern('aclc.toml'),
      single_file_support = true,
    },
    docs = {
      description = [[
aclc language server for access-control policies (`.acl`): `aclc lsp` over
stdio. The workspace root is the folder with `aclc.toml`.]],
    },
  }
end

--- Adds `aclc` to nvim-lspconfig's servers (once).
function M.register()
  local configs = require('lspconfig.configs')
  if not configs.aclc then
    configs.aclc = M.server_definition()
  end
end

return M
