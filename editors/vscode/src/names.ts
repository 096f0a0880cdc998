// What the extension needs to know about `.acl` text and the file system
// without the language server: which access level the cursor is in or on,
// which access levels a file declares, where the policy root is, and where the
// `aclc` executable is. Nothing here imports `vscode`, so it is unit-tested
// with the node test runner.

import * as fs from 'fs';
import * as path from 'path';

/** An access level or component declared in a file. */
export interface Declaration {
  /** `access_level` or `component`. */
  kind: 'access_level' | 'component';
  /** The name, escapes resolved. */
  name: string;
  /** The participant type of an access level (`customer`, ...). */
  type?: string;
  /** 0-based line of the declaration. */
  line: number;
}

/** The text of a quoted name without its escapes (`\"` and `\\`). */
export function unescapeName(quotedContent: string): string {
  return quotedContent.replace(/\\(["\\])/g, '$1');
}

interface Token {
  kind: 'word' | 'string' | 'open' | 'close' | 'comma' | 'equals' | 'other';
  text: string;
  start: number;
  end: number;
  line: number;
}

/**
 * The tokens of `text` that matter here: words, quoted names (an unterminated
 * one ends at the end of its line, as in aclc), braces, commas and `=`.
 * Comments and white space are skipped.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      const start = i;
      i++;
      let content = '';
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') {
        if (text[i] === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
          content += text[i + 1];
          i += 2;
        } else {
          content += text[i];
          i++;
        }
      }
      if (text[i] === '"') i++;
      tokens.push({ kind: 'string', text: content, start, end: i, line });
    } else if (/[A-Za-z0-9_*.]/.test(c)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_*.]/.test(text[i])) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), start, end: i, line });
    } else {
      const kind = c === '{' ? 'open' : c === '}' ? 'close' : c === ',' ? 'comma' : c === '=' ? 'equals' : 'other';
      tokens.push({ kind, text: c, start: i, end: i + 1, line });
      i++;
    }
  }
  return tokens;
}

/** The access levels and components declared in `text`, in order. */
export function declarations(text: string): Declaration[] {
  const tokens = tokenize(text);
  const out: Declaration[] = [];
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'open') depth++;
    else if (t.kind === 'close') depth = Math.max(0, depth - 1);
    else if (depth === 0 && t.kind === 'word' && (t.text === 'access_level' || t.text === 'component')) {
      const name = tokens[k + 1];
      if (name?.kind !== 'string') continue;
      const decl: Declaration = { kind: t.text, name: name.text, line: t.line };
      if (t.text === 'access_level' && tokens[k + 2]?.text === 'for' && tokens[k + 3]?.kind === 'word') {
        decl.type = tokens[k + 3].text;
      }
      out.push(decl);
    }
  }
  return out;
}

/**
 * The access level (or component) that `offset` designates in `text`: the name
 * the cursor is on when it is on a name that refers to one (a declaration, an
 * include, an `expect`, a `default`, a guard's `for` list), else the access
 * level or component whose header or block holds the cursor; `undefined`
 * elsewhere.
 */
export function nameAt(text: string, offset: number): string | undefined {
  const tokens = tokenize(text);
  let depth = 0;
  let item: string | undefined; // the top-level keyword of the current item
  let block: string | undefined; // the name of the access level or component being read
  let statement: string | undefined; // the keyword that starts the current statement
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.start > offset) {
      // On the header of an access level or component (before its `{`):
      // the name it declares, which may come after the cursor.
      if (depth === 0 && (item === 'access_level' || item === 'component')) {
        return block ?? (t.kind === 'string' && tokens[k - 1]?.text === item ? t.text : undefined);
      }
      break;
    }
    if (t.kind === 'word' && /^[a-z_]+$/.test(t.text)) {
      if (depth === 0 && isTopLevelKeyword(t.text)) {
        item = t.text;
        block = undefined;
      }
      if (STATEMENT_KEYWORDS.includes(t.text)) statement = t.text;
    }
    if (t.kind === 'open') {
      depth++;
      statement = undefined;
    } else if (t.kind === 'close') {
      depth = Math.max(0, depth - 1);
      statement = undefined;
      if (depth === 0) {
        if (offset < t.end) return block;
        item = undefined;
        block = undefined;
      }
    } else if (t.kind === 'string') {
      const declaresName = depth === 0 && (item === 'access_level' || item === 'component') && block === undefined
        && tokens[k - 1]?.text === item;
      if (declaresName) block = t.text;
      const onIt = offset >= t.start && (offset < t.end || (offset === t.end && text[t.end - 1] !== '"'));
      if (onIt && (declaresName || refersToAccessLevel(statement))) return t.text;
    }
  }
  return depth > 0 ? block : undefined;
}

const TOP_LEVEL_KEYWORDS = ['access_level', 'component', 'reseller', 'object', 'default', 'environment', 'guard', 'test'];

/** The keywords that start a statement or an item (`for` starts a guard's list). */
const STATEMENT_KEYWORDS = [
  ...TOP_LEVEL_KEYWORDS,
  'for', 'allow', 'deny', 'include', 'group', 'subsystem', 'description', 'hidden', 'visible_to', 'expect',
];

function isTopLevelKeyword(word: string): boolean {
  return TOP_LEVEL_KEYWORDS.includes(word);
}

/** Whether a quoted name in a statement starting with `keyword` names an access level. */
function refersToAccessLevel(keyword: string | undefined): boolean {
  return keyword === 'include' || keyword === 'expect' || keyword === 'default' || keyword === 'for';
}

/** The nearest folder at or above `dir` that holds an `aclc.toml`, if any. */
export function findPolicyRoot(dir: string, exists: (p: string) => boolean = fs.existsSync): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    if (exists(path.join(current, 'aclc.toml'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * The executable that `command` names: a path (absolute, or relative to
 * `cwd`) when it contains a path separator, else the first match on `PATH`
 * (with the `PATHEXT` extensions on Windows). `undefined` when there is none.
 */
export function resolveExecutable(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  cwd: string = process.cwd(),
  isExecutable: (p: string) => boolean = isExecutableFile,
): string | undefined {
  const win = platform === 'win32';
  const exts = win ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(e => e)] : [''];
  const expanded = command.startsWith('~/') && env.HOME ? path.join(env.HOME, command.slice(2)) : command;
  const hasSeparator = expanded.includes('/') || (win && expanded.includes('\\'));
  if (hasSeparator) {
    const full = path.resolve(cwd, expanded);
    return exts.map(e => full + e).find(isExecutable);
  }
  const dirs = (env.PATH ?? env.Path ?? '').split(win ? ';' : ':').filter(d => d);
  for (const dir of dirs) {
    const found = exts.map(e => path.join(dir, expanded + e)).find(isExecutable);
    if (found) return found;
  }
  return undefined;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
