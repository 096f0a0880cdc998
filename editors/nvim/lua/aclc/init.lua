-- aclc for Neovim: the language server (`aclc lsp` over stdio) for `acl`
-- buffers with plain `vim.lsp.start` (no plugin needed), and the tree-sitter
-- grammar for highlighting when its parser is installed.
--
--   require('aclc').setup()                       -- defaults
--   require('aclc').setup({ cmd = { '/opt/aclc/bin/aclc', 'lsp' } })
--
-- Neovim 0.8 and later use `vim.lsp.start`; 0.7 gets the same behaviour from
-- `vim.lsp.start_client` and `vim.lsp.buf_attach_client` (one client per root).

local M = {}

--- The folder of this plugin (editors/nvim), from this file's path.
local plugin_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h')

M.defaults = {
  -- The server command: `aclc lsp`, `aclc` looked up on PATH.
  cmd = { 'aclc', 'lsp' },
  -- The workspace root is the nearest folder above the file with one of these.
  root_markers = { 'aclc.toml' },
  -- Start the server for every `acl` buffer (FileType autocommand).
  autostart = true,
  -- Highlight with the tree-sitter parser `aclc` when it is installed.
  treesitter = true,
  -- The tree-sitter grammar, for nvim-treesitter's `:TSInstall aclc`.
  grammar_dir = (vim.fn.fnamemodify(plugin_dir .. '/../tree-sitter-aclc', ':p'):gsub('/$', '')),
}

M.config = vim.deepcopy(M.defaults)

local clients_by_root = {} -- Neovim 0.7 only: root -> client id
local warned_missing = false

--- The nearest folder at or above `path` holding one of `markers`, or nil.
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ':p')
  if vim.fn.isdirectory(dir) == 0 then
    dir = vim.fn.fnamemodify(dir, ':h')
  end
  while true do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- The client configuration for buffer `bufnr`: name, cmd, root_dir.
function M.client_config(bufnr)
  local file = vim.api.nvim_buf_get_name(bufnr)
  local cwd = vim.loop.cwd()
  local root = (file ~= '' and M.find_root(file, M.config.root_markers)) or nil
  if not root then
    -- No aclc.toml: the file's folder (or the working directory) is the root.
    root = file ~= '' and vim.fn.fnamemodify(file, ':p:h') or cwd
  end
  return {
    name = 'aclc',
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
  }
end

--- Starts (or reuses) the language server for `bufnr`; returns the client id.
function M.start(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local exe = M.config.cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    if not warned_missing then
      warned_missing = true
      vim.notify(
        ('aclc: cannot find `%s`, the language server is not started. Install aclc (see editors/nvim/README.md) '
          .. 'or pass its path: require("aclc").setup({ cmd = { "/path/to/aclc", "lsp" } })'):format(exe),
        vim.log.levels.ERROR
      )
    end
    return nil
  end
  local config = M.client_config(bufnr)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients_by_root[config.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    clients_by_root[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Whether a tree-sitter parser named `aclc` can be loaded.
function M.has_parser()
  local ok = pcall(function()
    if vim.treesitter.language.add then
      assert(vim.treesitter.language.add('aclc'))
    else
      vim.treesitter.language.require_language('aclc')
    end
  end)
  return ok
end

--- Tells nvim-treesitter where the grammar is, so `:TSInstall aclc` builds it.
function M.register_grammar()
  if vim.treesitter.language.register then
    vim.treesitter.language.register('aclc', 'acl')
  end
  local ok, parsers = pcall(require, 'nvim-treesitter.parsers')
  if not ok then
    return
  end
  local install_info = { url = M.config.grammar_dir, path = M.config.grammar_dir, files = { 'src/parser.c' } }
  if type(parsers.get_parser_configs) == 'function' then
    -- nvim-treesitter `master`
    parsers.get_parser_configs().aclc = { install_info = install_info, filetype = 'acl' }
  else
    -- nvim-treesitter `main`: parsers are a table, refreshed on `User TSUpdate`
    local function add()
      require('nvim-treesitter.parsers').aclc = { install_info = install_info, tier = 3 }
    end
    add()
    vim.api.nvim_create_autocmd('User', { pattern = 'TSUpdate', callback = add })
  end
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  M.register_grammar()
  local group = vim.api.nvim_create_augroup('aclc', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'acl',
    callback = function(args)
      if M.config.treesitter and vim.treesitter.start and M.has_parser() then
        vim.treesitter.start(args.buf, 'aclc')
      end
      if M.config.autostart then
        M.start(args.buf)
      end
    end,
  })
  -- Buffers already open when setup() runs.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'acl' then
      vim.api.nvim_exec_autocmds('FileType', { group = group, buffer = buf })
    end
  end
end

return M
