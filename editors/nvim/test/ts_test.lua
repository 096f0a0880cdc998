-- Headless test of the tree-sitter queries as Neovim runs them (its query
-- engine, and Vim regular expressions for `#match?`): loads the parser built
-- from editors/tree-sitter-aclc/src/parser.c (ACLC_PARSER), opens the
-- highlight test of the grammar (editors/tree-sitter-aclc/test/highlight/sample.acl)
-- and checks each of its assertions (`# <- capture`, `#   ^ capture`) against
-- the captures of queries/aclc/highlights.scm of this plugin; also checks
-- that the fold and indent queries load. Run by test/run.sh.

local parser_path = assert(os.getenv('ACLC_PARSER'), 'ACLC_PARSER is not set')
local sample = assert(os.getenv('ACLC_SAMPLE'), 'ACLC_SAMPLE is not set')
local failures, checks = 0, 0

local function check(cond, what)
  checks = checks + 1
  if not cond then
    failures = failures + 1
    io.stderr:write('FAIL: ' .. what .. '\n')
  end
end

local function get_query(lang, name)
  if vim.treesitter.query and vim.treesitter.query.get then
    return vim.treesitter.query.get(lang, name)
  end
  return vim.treesitter.get_query(lang, name)
end

local ok, err = pcall(function()
  if vim.treesitter.language.add then
    vim.treesitter.language.add('aclc', { path = parser_path })
  else
    vim.treesitter.require_language('aclc', parser_path)
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(sample))
  local buf = vim.api.nvim_get_current_buf()
  local tree = vim.treesitter.get_parser(buf, 'aclc'):parse()[1]
  local root = tree:root()
  check(not root:has_error(), 'the sample parses without errors')

  local query = get_query('aclc', 'highlights')
  check(query ~= nil, 'queries/aclc/highlights.scm is found on the runtimepath')
  check(get_query('aclc', 'folds') ~= nil, 'queries/aclc/folds.scm loads')
  check(get_query('aclc', 'indents') ~= nil, 'queries/aclc/indents.scm loads')

  -- The capture that highlights (row, col): the one on the smallest node
  -- holding the position (patterns never capture one node twice).
  local function capture_at(row, col)
    local best, best_size
    local seen = {}
    for id, node in query:iter_captures(root, buf, row, row + 1) do
      local sr, sc, er, ec = node:range()
      local key = table.concat({ node:type(), sr, sc, er, ec }, ':')
      local name = query.captures[id]
      if seen[key] ~= nil and seen[key] ~= name then
        check(false, ('%s node at %d:%d captured twice (%s and %s)'):format(node:type(), sr + 1, sc + 1, seen[key], name))
      end
      seen[key] = name
      local inside = (row > sr or (row == sr and col >= sc)) and (row < er or (row == er and col < ec))
      if inside then
        local size = (er - sr) * 100000 + (ec - sc)
        if not best_size or size < best_size then
          best, best_size = query.captures[id], size
        end
      end
    end
    return best
  end

  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local source_row
  local assertions = 0
  for i, line in ipairs(lines) do
    local row = i - 1
    local arrow_col, arrow_capture = line:match('^()%s*#%s*<%-%s*(%S+)%s*$')
    local caret_col, caret_capture = line:match('^%s*#%s*()%^%s*(%S+)%s*$')
    if arrow_col and source_row then
      local col = #line:match('^%s*')
      local got = capture_at(source_row, col)
      check(got == arrow_capture, ('%s:%d:%d: expected %s, got %s'):format(sample, source_row + 1, col + 1, arrow_capture, tostring(got)))
      assertions = assertions + 1
    elseif caret_col and source_row then
      local got = capture_at(source_row, caret_col - 1)
      check(got == caret_capture, ('%s:%d:%d: expected %s, got %s'):format(sample, source_row + 1, caret_col, caret_capture, tostring(got)))
      assertions = assertions + 1
    else
      source_row = row
    end
  end
  check(assertions > 50, ('the sample has its assertions (%d)'):format(assertions))
end)
if not ok then
  failures = failures + 1
  io.stderr:write('ERROR: ' .. tostring(err) .. '\n')
end
io.stdout:write(('nvim-treesitter: %d passed, %d failed\n'):format(checks - failures, failures))
if failures > 0 then
  vim.cmd('cquit 1')
end
vim.cmd('qa!')
