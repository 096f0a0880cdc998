-- Headless test of what works without the language server: filetype
-- detection, ftplugin settings, the fallback Vim syntax, indentation, and the
-- `aclc` Lua module's configuration. Run by test/run.sh; exits non-zero on
-- the first failure.

local failures = 0
local plugin_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')
local checks = 0

local function check(cond, what)
  checks = checks + 1
  if not cond then
    failures = failures + 1
    io.stderr:write('FAIL: ' .. what .. '\n')
  end
end

local function eq(actual, expected, what)
  check(actual == expected, ('%s: expected %s, got %s'):format(what, vim.inspect(expected), vim.inspect(actual)))
end

local tmp = vim.fn.tempname()
vim.fn.mkdir(tmp .. '/acl/deep', 'p')
local lines = {
  '## Doc comment',
  'component "Rates \\"x\\" #1" {',
  '    allow read read.update # aclc-ignore shadowed-rule, dead-include because',
  '    deny all *.*',
  '    # aclc-ignore dead-include reason',
  '    allow read Rates*.price*',
  '}',
  'reseller "ACME"',
  'access_level "P" for reseller {',
  '    description "bad \\q escape"',
  '    include "A", "B"',
  '}',
  'default customer = "P"',
}
local file = tmp .. '/acl/deep/policy.acl'
vim.fn.writefile(lines, file)

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  eq(vim.bo.filetype, 'acl', 'filetype of a .acl file')
  eq(vim.bo.commentstring, '# %s', 'commentstring')
  eq(vim.bo.shiftwidth, 4, 'shiftwidth')
  eq(vim.bo.expandtab, true, 'expandtab')
  check(vim.bo.makeprg:find('aclc check', 1, true) ~= nil, 'makeprg runs aclc check: ' .. vim.bo.makeprg)
  eq(vim.b.current_syntax, 'acl', 'syntax file loaded')

  -- The syntax group at (line, text) for the nth occurrence of text on the line.
  local function group(lnum, text, nth)
    local line = lines[lnum]
    local col = 0
    for _ = 1, nth or 1 do
      col = line:find(text, col + 1, true)
      assert(col, ('%q not on line %d'):format(text, lnum))
    end
    return vim.fn.synIDattr(vim.fn.synID(lnum, col, 1), 'name')
  end
  local expected = {
    { 1, 'Doc comment', 'aclDocComment' },
    { 2, 'component', 'aclDeclaration' },
    { 2, 'Rates', 'aclDeclName' },
    { 2, '\\"', 'aclEscape' },
    { 2, '#1', 'aclDeclName' },
    { 2, '{', 'aclBrace' },
    { 3, 'allow', 'aclEffect' },
    { 3, 'read', 'aclAccess' },
    { 3, 'read', 'aclObjectName', 2 },
    { 3, 'update', 'aclAttributeName' },
    { 3, 'aclc-ignore', 'aclIgnoreKeyword' },
    { 3, 'shadowed-rule', 'aclLintCode' },
    { 3, 'dead-include', 'aclLintCode' },
    { 3, 'because', 'aclIgnore' },
    { 4, 'all', 'aclAccess' },
    { 4, '*', 'aclWildcard' },
    { 4, '.', 'aclDot' },
    { 5, 'aclc-ignore', 'aclIgnoreKeyword' },
    { 5, 'reason', 'aclIgnore' },
    { 6, 'Rates', 'aclObjectName' },
    { 6, '*', 'aclWildcard' },
    { 6, 'price', 'aclAttributeName' },
    { 8, 'reseller', 'aclDeclaration' },
    { 8, 'ACME', 'aclDeclName' },
    { 9, 'access_level', 'aclDeclaration' },
    { 9, 'for', 'aclStatement' },
    { 9, 'reseller', 'aclParticipant' },
    { 10, 'description', 'aclStatement' },
    { 10, 'bad', 'aclString' },
    { 10, '\\q', 'aclBadEscape' },
    { 11, 'include', 'aclStatement' },
    { 11, '"B"', 'aclString' },
    { 13, 'default', 'aclDeclaration' },
    { 13, 'customer', 'aclParticipant' },
    { 13, '=', 'aclOperator' },
  }
  for _, e in ipairs(expected) do
    eq(group(e[1], e[2], e[4]), e[3], ('syntax of %q on line %d'):format(e[2], e[1]))
  end

  -- Indentation: re-indent a flattened copy and compare with the original.
  local flat = {}
  for i, l in ipairs(lines) do
    flat[i] = vim.trim(l)
  end
  vim.api.nvim_buf_set_lines(0, 0, -1, false, flat)
  vim.cmd('silent normal! gg=G')
  local reindented = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  for i, l in ipairs(lines) do
    eq(reindented[i], l, 'indentation of line ' .. i)
  end
  vim.cmd('silent! undo')

  -- The Lua module: root detection and the client configuration.
  local aclc = require('aclc')
  eq(aclc.find_root(file, { 'aclc.toml' }), nil, 'no root without aclc.toml')
  vim.fn.writefile({ '[policy]' }, tmp .. '/aclc.toml')
  local root = vim.fn.fnamemodify(tmp, ':p'):gsub('/$', '')
  eq(aclc.find_root(file, { 'aclc.toml' }), root, 'root is the folder with aclc.toml')
  aclc.setup({ cmd = { 'aclc-test-missing-binary', 'lsp' }, autostart = false })
  local config = aclc.client_config(0)
  eq(config.name, 'aclc', 'client name')
  eq(table.concat(config.cmd, ' '), 'aclc-test-missing-binary lsp', 'client cmd')
  eq(config.root_dir, root, 'client root_dir')
  -- A missing executable is reported once, and nothing starts.
  local messages = {}
  local notify = vim.notify
  vim.notify = function(msg, level)
    table.insert(messages, { msg = msg, level = level })
  end
  local id = aclc.start(0)
  aclc.start(0)
  vim.notify = notify
  eq(id, nil, 'no client without the executable')
  eq(#messages, 1, 'one message about the missing executable')
  check(messages[1] and messages[1].msg:find('cannot find `aclc-test-missing-binary`', 1, true) ~= nil,
    'the message names the missing executable')
  eq(messages[1] and messages[1].level, vim.log.levels.ERROR, 'the message is an error')
  eq(#(vim.lsp.get_clients or vim.lsp.get_active_clients)(), 0, 'no client started')

  -- nvim-lspconfig: register() adds the server definition under configs.aclc.
  -- (nvim-lspconfig itself is not installed here: its two modules are stood
  -- in for by tables that record what they are given.)
  local patterns
  package.loaded['lspconfig.util'] = {
    root_pattern = function(...)
      patterns = { ... }
      return function() end
    end,
  }
  package.loaded['lspconfig.configs'] = {}
  require('aclc.lspconfig').register()
  local def = package.loaded['lspconfig.configs'].aclc
  check(def ~= nil, 'lspconfig: configs.aclc registered')
  if def then
    eq(table.concat(def.default_config.cmd, ' '), 'aclc lsp', 'lspconfig: cmd')
    eq(table.concat(def.default_config.filetypes, ','), 'acl', 'lspconfig: filetypes')
    eq(type(def.default_config.root_dir), 'function', 'lspconfig: root_dir')
    eq(table.concat(patterns or {}, ','), 'aclc.toml', 'lspconfig: root pattern')
    eq(def.default_config.single_file_support, true, 'lspconfig: single-file support')
  end
  -- Registering twice keeps the first definition (lspconfig forbids redefinition).
  require('aclc.lspconfig').register()
  eq(package.loaded['lspconfig.configs'].aclc, def, 'lspconfig: register() is idempotent')
  package.loaded['lspconfig.util'], package.loaded['lspconfig.configs'] = nil, nil

  -- Neovim 0.11's lsp/aclc.lua: the same server.
  local native = dofile(plugin_dir .. '/lsp/aclc.lua')
  eq(table.concat(native.cmd, ' '), 'aclc lsp', 'lsp/aclc.lua: cmd')
  eq(table.concat(native.filetypes, ','), 'acl', 'lsp/aclc.lua: filetypes')
  eq(table.concat(native.root_markers, ','), 'aclc.toml', 'lsp/aclc.lua: root_markers')

  -- The grammar directory given to nvim-treesitter holds the generated parser.
  check(vim.loop.fs_stat(aclc.config.grammar_dir .. '/src/parser.c') ~= nil,
    'grammar_dir has src/parser.c: ' .. aclc.config.grammar_dir)
  check(vim.loop.fs_stat(plugin_dir .. '/queries/aclc/highlights.scm') ~= nil,
    'queries/aclc/highlights.scm is on the runtimepath of the plugin')
end)
if not ok then
  failures = failures + 1
  io.stderr:write('ERROR: ' .. tostring(err) .. '\n')
end

vim.fn.delete(tmp, 'rf')
io.stdout:write(('nvim-filetype: %d passed, %d failed\n'):format(checks - failures, failures))
if failures > 0 then
  vim.cmd('cquit 1')
end
vim.cmd('qa!')
