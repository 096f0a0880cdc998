-- Headless end-to-end test of the LSP setup: opens a policy with a known
-- finding, starts `aclc lsp` through require('aclc'), and waits for the
-- finding to arrive as a diagnostic. Run by test/run.sh, which provides
-- ACLC (the aclc binary) and WORKSPACE (aclc.toml + policy.acl, whose line 3
-- holds a shadowed rule).

local aclc_bin = assert(os.getenv('ACLC'), 'ACLC is not set')
local workspace = assert(os.getenv('WORKSPACE'), 'WORKSPACE is not set')
local timeout_ms = tonumber(os.getenv('TIMEOUT_MS') or '') or 30000

local function fail(msg)
  io.stderr:write('FAIL: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local ok, err = pcall(function()
  require('aclc').setup({ cmd = { aclc_bin, 'lsp' } })
  vim.cmd('edit ' .. vim.fn.fnameescape(workspace .. '/policy.acl'))
  local buf = vim.api.nvim_get_current_buf()
  if vim.bo[buf].filetype ~= 'acl' then
    return fail('filetype is ' .. vim.bo[buf].filetype)
  end

  local function code_of(d)
    return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  end
  local found
  local arrived = vim.wait(timeout_ms, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if code_of(d) == 'shadowed-rule' then
        found = d
        return true
      end
    end
    return false
  end, 50)

  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  if #clients == 0 then
    return fail('no language client attached (aclc lsp did not start)')
  end
  local client = clients[1]
  if client.name ~= 'aclc' then
    return fail('the client is ' .. client.name)
  end
  local root = vim.fn.resolve(vim.fn.fnamemodify(workspace, ':p')):gsub('/$', '')
  local client_root = vim.fn.resolve(client.config.root_dir or ''):gsub('/$', '')
  if client_root ~= root then
    return fail(('root_dir is %s, expected %s (the folder with aclc.toml)'):format(client_root, root))
  end
  if not arrived then
    local got = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(got, ('%d: %s %s'):format(d.lnum + 1, tostring(code_of(d)), d.message))
    end
    return fail(('no shadowed-rule diagnostic within %d ms; got: %s'):format(timeout_ms, vim.inspect(got)))
  end
  -- `allow read Customers.personal_info`, line 3, column 5.
  if found.lnum ~= 2 or found.col ~= 4 then
    return fail(('shadowed-rule at %d:%d, expected 3:5'):format(found.lnum + 1, found.col + 1))
  end
  if found.severity ~= vim.diagnostic.severity.WARN then
    return fail('shadowed-rule severity is ' .. tostring(found.severity) .. ', expected a warning')
  end
  if not found.message:find('never decides', 1, true) then
    return fail('unexpected message: ' .. found.message)
  end
  io.stdout:write(('nvim-lsp: shadowed-rule arrived at %d:%d from %s lsp\n'):format(found.lnum + 1, found.col + 1, aclc_bin))
end)
if not ok then
  fail(tostring(err))
end
for _, client in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
  vim.lsp.stop_client(client.id)
end
vim.wait(2000, function()
  return #(vim.lsp.get_clients or vim.lsp.get_active_clients)() == 0
end, 50)
vim.cmd('qa!')
