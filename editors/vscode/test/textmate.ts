// Loads the extension's TextMate grammar with the engine VS Code uses
// (vscode-textmate on the Oniguruma regular expressions of vscode-oniguruma).

import * as fs from 'fs';
import * as path from 'path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

/** The folder of the extension (tests run from `out/test/`). */
export const EXTENSION_DIR = path.resolve(__dirname, '..', '..');
/** The root of the aclc repository. */
export const REPO_DIR = path.resolve(EXTENSION_DIR, '..', '..');

/** One token of a line: its text, where it starts, and its scopes (outermost first). */
export interface Token {
  text: string;
  start: number;
  end: number;
  scopes: string[];
}

let grammar: Promise<vsctm.IGrammar> | undefined;

async function load(): Promise<vsctm.IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const grammarPath = path.join(EXTENSION_DIR, 'syntaxes', 'acl.tmLanguage.json');
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === 'source.acl' ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const g = await registry.loadGrammar('source.acl');
  if (!g) throw new Error(`cannot load ${grammarPath}`);
  return g;
}

/** The grammar, loaded once. */
export function aclGrammar(): Promise<vsctm.IGrammar> {
  grammar ??= load();
  return grammar;
}

/** Tokenizes `text` line by line, carrying the state across lines as an editor does. */
export async function tokenize(text: string): Promise<Token[][]> {
  const g = await aclGrammar();
  let state = vsctm.INITIAL;
  const lines: Token[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const r = g.tokenizeLine(line, state);
    lines.push(r.tokens.map(t => ({
      text: line.slice(t.startIndex, Math.min(t.endIndex, line.length)),
      start: t.startIndex,
      end: Math.min(t.endIndex, line.length),
      scopes: t.scopes,
    })));
    state = r.ruleStack;
  }
  return lines;
}

/** Whether a scope stack holds `scope` or a scope below it (`string` matches `string.quoted.double.acl`). */
export function hasScope(scopes: string[], scope: string): boolean {
  return scopes.some(s => s === scope || s.startsWith(scope + '.'));
}

/** The tokens of `line` that overlap the characters `[start, end)`. */
export function tokensIn(line: Token[], start: number, end: number): Token[] {
  return line.filter(t => t.start < end && t.end > start);
}
