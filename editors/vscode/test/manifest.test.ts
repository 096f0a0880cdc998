// What package.json contributes exists and works: every command is
// registered by the extension, every file it names is there and valid, and
// every snippet expands to a policy that aclc parses.

import * as assert from 'assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';

import { EXTENSION_DIR, REPO_DIR, tokenize } from './textmate';

const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

test('every contributed command is registered by the extension, and only those', () => {
  const source = fs.readFileSync(path.join(EXTENSION_DIR, 'src', 'extension.ts'), 'utf8');
  const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map(m => m[1]).sort();
  const contributed = contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(registered, contributed);
  for (const menu of contributes.menus?.commandPalette ?? []) {
    assert.ok(contributed.includes(menu.command), `menu entry for an unknown command ${menu.command}`);
  }
});

test('the language, grammar, snippets and configuration files exist and parse', () => {
  const [language] = contributes.languages;
  assert.equal(language.id, 'acl');
  assert.deepEqual(language.extensions, ['.acl']);
  const config = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, language.configuration), 'utf8'));
  assert.equal(config.comments.lineComment, '#');
  new RegExp(config.indentationRules.increaseIndentPattern);
  new RegExp(config.indentationRules.decreaseIndentPattern);
  new RegExp(config.wordPattern);
  const [grammar] = contributes.grammars;
  assert.equal(grammar.language, 'acl');
  const tm = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, grammar.path), 'utf8'));
  assert.equal(tm.scopeName, grammar.scopeName);
  const [snippets] = contributes.snippets;
  assert.equal(snippets.language, 'acl');
  JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, snippets.path), 'utf8'));
  // The entry point, as compiled by `npm run compile` (tests run after it).
  assert.ok(fs.existsSync(path.join(EXTENSION_DIR, manifest.main)), `main ${manifest.main} is built`);
  assert.deepEqual(Object.keys(contributes.configuration.properties).sort(), ['aclc.path', 'aclc.trace.server']);
});

/** A snippet body as inserted with its defaults: placeholders' text, choices' first option. */
function expand(body: string[]): string {
  return body.join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .replace(/\t/g, '    ') + '\n';
}

/** The aclc binary to parse with: $ACLC, else the repository's release or debug build. */
function aclcBinary(): string | undefined {
  const candidates = [process.env.ACLC && path.resolve(process.env.ACLC), path.join(REPO_DIR, 'target', 'release', 'aclc'), path.join(REPO_DIR, 'target', 'debug', 'aclc')];
  return candidates.find(c => c && fs.existsSync(c));
}

test('every snippet expands to a policy that aclc parses', async t => {
  const snippets = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, contributes.snippets[0].path), 'utf8'));
  const names = Object.keys(snippets);
  assert.deepEqual(names.map(n => snippets[n].prefix).sort(), ['access_level', 'component', 'guard', 'test']);
  const aclc = aclcBinary();
  if (!aclc) {
    t.skip('no aclc binary (set ACLC or cargo build): snippets not parsed');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aclc-snippets-'));
  try {
    for (const name of names) {
      const text = expand(snippets[name].body);
      for (const line of await tokenize(text)) {
        for (const token of line) {
          assert.ok(!token.scopes.some(s => s.startsWith('invalid')), `${name}: invalid token ${token.text}`);
        }
      }
      const file = path.join(dir, 'snippet.acl');
      fs.writeFileSync(file, text);
      let out: string;
      try {
        out = execFileSync(aclc, ['--no-predefined', '--color', 'never', 'check', '-p', file, '--format', 'json'], { cwd: dir, encoding: 'utf8' });
      } catch (err) {
        // Exit 1: findings (an unknown include, say); the JSON is still on stdout.
        out = (err as { stdout: string }).stdout;
      }
      const codes = JSON.parse(out).diagnostics.map((d: { code: string }) => d.code);
      assert.ok(!codes.includes('syntax-error'), `snippet ${name} does not parse:\n${text}\n${out}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
