// The TextMate grammar, tokenized as VS Code does: tricky lines with the exact
// scopes expected, then every shipped policy file checked against a simple
// independent reading of each line.

import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';

import { REPO_DIR, Token, hasScope, tokenize, tokensIn } from './textmate';

/** `scope` must cover every character of the `nth` occurrence of `text` on the line. */
interface Has {
  text: string;
  scope: string;
  nth?: number;
}
/** No character of the `nth` occurrence of `text` may carry `scope`. */
interface HasNot {
  text: string;
  not: string;
  nth?: number;
}
type Expectation = Has | HasNot;

function locate(line: string, text: string, nth = 0): [number, number] {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = line.indexOf(text, at + 1);
    assert.notEqual(at, -1, `"${text}" (occurrence ${nth}) is not in: ${line}`);
  }
  return [at, at + text.length];
}

function describe(tokens: Token[]): string {
  return tokens.map(t => `  ${JSON.stringify(t.text)}: ${t.scopes.join(' ')}`).join('\n');
}

let assertions = 0;

/** Checks one expectation against the tokens of `line`. */
function check(line: string, tokens: Token[], e: Expectation): void {
  const [start, end] = locate(line, e.text, e.nth);
  const covering = tokensIn(tokens, start, end);
  assert.ok(covering.length > 0, `no token covers "${e.text}" in: ${line}`);
  if ('scope' in e) {
    for (const t of covering) {
      assert.ok(hasScope(t.scopes, e.scope), `"${e.text}" should be ${e.scope} in: ${line}\n${describe(tokens)}`);
    }
  } else {
    for (const t of covering) {
      assert.ok(!hasScope(t.scopes, e.not), `"${e.text}" should not be ${e.not} in: ${line}\n${describe(tokens)}`);
    }
  }
  assertions++;
}

/** Tricky lines, each with what its tokens must (and must not) be. */
const CASES: [string, Expectation[]][] = [
  ['component "Rates read-only" {', [
    { text: 'component', scope: 'storage.type.component.acl' },
    { text: 'Rates read-only', scope: 'entity.name.type.component.acl' },
    { text: '"Rates read-only"', scope: 'string.quoted.double.acl' },
    { text: '{', scope: 'punctuation.section.block.begin.acl' },
  ]],
  ['access_level "Premium customer" for customer {', [
    { text: 'access_level', scope: 'storage.type.access_level.acl' },
    { text: 'Premium customer', scope: 'entity.name.type.access-level.acl' },
    { text: 'customer', nth: 0, not: 'support.type.participant' },
    { text: 'for', scope: 'keyword.other.for.acl' },
    { text: 'customer', nth: 1, scope: 'support.type.participant.acl' },
  ]],
  ['access_level "Reseller staff" for reseller {', [
    { text: 'reseller', scope: 'support.type.participant.acl' },
    { text: 'reseller', not: 'storage.type' },
  ]],
  ['    deny update, insert, delete Tariffs.*', [
    { text: 'deny', scope: 'keyword.control.effect.deny.acl' },
    { text: 'update', scope: 'constant.language.access.update.acl' },
    { text: 'insert', scope: 'constant.language.access.insert.acl' },
    { text: 'delete', scope: 'constant.language.access.delete.acl' },
    { text: ',', scope: 'punctuation.separator.comma.acl' },
    { text: 'Tariffs', scope: 'entity.name.type.object.acl' },
    { text: '.', scope: 'punctuation.accessor.acl' },
    { text: '*', scope: 'keyword.operator.wildcard.acl' },
    { text: 'Tariffs.*', scope: 'meta.target.acl' },
  ]],
  ['    allow read, update Rates*.price*', [
    { text: 'allow', scope: 'keyword.control.effect.allow.acl' },
    { text: 'read', scope: 'constant.language.access.read.acl' },
    { text: 'Rates', scope: 'entity.name.type.object.prefix.acl' },
    { text: '*', nth: 0, scope: 'keyword.operator.glob.acl' },
    { text: 'price', scope: 'variable.other.property.attribute.prefix.acl' },
    { text: '*', nth: 1, scope: 'keyword.operator.glob.acl' },
  ]],
  ['    deny all *.*', [
    { text: 'all', scope: 'constant.language.access.all.acl' },
    { text: '*', nth: 0, scope: 'keyword.operator.wildcard.acl' },
    { text: '*', nth: 0, scope: 'meta.pattern.object.acl' },
    { text: '*', nth: 1, scope: 'keyword.operator.wildcard.acl' },
    { text: '*', nth: 1, scope: 'meta.pattern.attribute.acl' },
  ]],
  ['    allow read read.update  # keywords as names', [
    { text: 'read', nth: 0, scope: 'constant.language.access.read.acl' },
    { text: 'read', nth: 1, scope: 'entity.name.type.object.acl' },
    { text: 'read', nth: 1, not: 'constant.language' },
    { text: 'update', scope: 'variable.other.property.attribute.acl' },
    { text: 'update', not: 'constant.language' },
    { text: '# keywords as names', scope: 'comment.line.number-sign.acl' },
  ]],
  ['    allow read SelfCare.identity_2', [
    { text: 'SelfCare', scope: 'entity.name.type.object.acl' },
    { text: 'identity_2', scope: 'variable.other.property.attribute.acl' },
  ]],
  ['    description "Quoted \\"best\\" reports \\\\ here"', [
    { text: 'description', scope: 'keyword.other.description.acl' },
    { text: '\\"', nth: 0, scope: 'constant.character.escape.acl' },
    { text: '\\"', nth: 1, scope: 'constant.character.escape.acl' },
    { text: '\\\\', scope: 'constant.character.escape.acl' },
    { text: 'best', scope: 'string.quoted.double.acl' },
    { text: 'best', not: 'constant.character.escape' },
    { text: ' here"', scope: 'string.quoted.double.acl' },
  ]],
  ['component "Path\\Reports" {', [
    { text: '\\R', scope: 'invalid.illegal.unknown-escape.acl' },
  ]],
  ['component "Quoted \\"best\\" reports" {', [
    { text: 'Quoted', scope: 'entity.name.type.component.acl' },
    { text: '\\"', scope: 'constant.character.escape.acl' },
    { text: 'reports', scope: 'entity.name.type.component.acl' },
    { text: '{', scope: 'punctuation.section.block.begin.acl' },
  ]],
  ['    group "Tier #1 # not a comment"  # a comment', [
    { text: 'group', scope: 'keyword.other.group.acl' },
    { text: 'Tier #1 # not a comment', scope: 'string.quoted.double.acl' },
    { text: 'Tier #1 # not a comment', not: 'comment' },
    { text: '# a comment', scope: 'comment.line.number-sign.acl' },
  ]],
  ['## Read-only access to rate tables.', [
    { text: '##', scope: 'punctuation.definition.comment.acl' },
    { text: '## Read-only access to rate tables.', scope: 'comment.line.documentation.acl' },
  ]],
  ['    ## doc inside a block: allow read X.y "str"', [
    { text: 'allow read X.y "str"', scope: 'comment.line.documentation.acl' },
    { text: 'allow', not: 'keyword' },
    { text: '"str"', not: 'string' },
  ]],
  ['# allow read Rates.* is commented out', [
    { text: '# allow read Rates.* is commented out', scope: 'comment.line.number-sign.acl' },
    { text: 'allow', not: 'keyword' },
    { text: 'Rates.*', not: 'meta.target' },
  ]],
  ['    # aclc-ignore duplicate-include listed twice on purpose', [
    { text: '#', scope: 'punctuation.definition.comment.acl' },
    { text: 'aclc-ignore', scope: 'keyword.other.aclc-ignore.acl' },
    { text: 'duplicate-include', scope: 'constant.other.lint-code.acl' },
    { text: ' listed twice on purpose', scope: 'comment.line.number-sign.aclc-ignore.acl' },
    { text: 'listed twice on purpose', not: 'constant.other.lint-code' },
  ]],
  ['    include "Reports" # aclc-ignore duplicate-include, include-before-permission the audit wants it', [
    { text: 'include', nth: 0, scope: 'keyword.other.include.acl' },
    { text: '"Reports"', scope: 'string.quoted.double.acl' },
    { text: 'aclc-ignore', scope: 'keyword.other.aclc-ignore.acl' },
    { text: 'duplicate-include', scope: 'constant.other.lint-code.acl' },
    { text: 'include-before-permission', scope: 'constant.other.lint-code.acl' },
    { text: 'the audit wants it', scope: 'comment' },
    { text: 'the audit wants it', not: 'constant.other.lint-code' },
  ]],
  ['# aclc-ignored is not a suppression', [
    { text: 'aclc-ignored', scope: 'comment.line.number-sign.acl' },
    { text: 'aclc-ignored', not: 'keyword.other.aclc-ignore' },
  ]],
  ['    include "Rates read-only", "Customer self-care"', [
    { text: 'include', scope: 'keyword.other.include.acl' },
    { text: '"Rates read-only"', scope: 'string.quoted.double.acl' },
    { text: '"Customer self-care"', scope: 'string.quoted.double.acl' },
    { text: ', ', not: 'string' },
  ]],
  ['    visible_to "ACME Telecom", "Globex"', [
    { text: 'visible_to', scope: 'keyword.other.visible_to.acl' },
    { text: '"Globex"', scope: 'string.quoted.double.acl' },
  ]],
  ['    hidden', [{ text: 'hidden', scope: 'keyword.other.hidden.acl' }]],
  ['    subsystem "Billing"', [{ text: 'subsystem', scope: 'keyword.other.subsystem.acl' }]],
  ['reseller "ACME Telecom"', [
    { text: 'reseller', scope: 'storage.type.reseller.acl' },
    { text: 'ACME Telecom', scope: 'entity.name.type.reseller.acl' },
  ]],
  ['object WebForms { ASR, xDRs, Invoices }', [
    { text: 'object', scope: 'storage.type.object.acl' },
    { text: 'WebForms', scope: 'entity.name.type.object.acl' },
    { text: 'ASR', scope: 'variable.other.property.attribute.acl' },
    { text: 'Invoices', scope: 'variable.other.property.attribute.acl' },
    { text: '}', scope: 'punctuation.section.block.end.acl' },
  ]],
  ['object read { update, all }', [
    { text: 'read', scope: 'entity.name.type.object.acl' },
    { text: 'update', scope: 'variable.other.property.attribute.acl' },
    { text: 'all', not: 'constant.language' },
  ]],
  ['default customer = "Premium customer"          # all environments', [
    { text: 'default', scope: 'storage.type.default.acl' },
    { text: 'customer', nth: 0, scope: 'support.type.participant.acl' },
    { text: '=', scope: 'keyword.operator.assignment.acl' },
    { text: '"Premium customer"', scope: 'string.quoted.double.acl' },
    { text: '# all environments', scope: 'comment.line.number-sign.acl' },
  ]],
  ['default component = "Base"', [
    { text: 'component', scope: 'support.type.participant.acl' },
  ]],
  ['environment "staging" {', [
    { text: 'environment', scope: 'storage.type.environment.acl' },
    { text: 'staging', scope: 'entity.name.section.environment.acl' },
  ]],
  ['guard "self-care users cannot change a credit limit" {', [
    { text: 'guard', scope: 'storage.type.guard.acl' },
    { text: 'self-care users cannot change a credit limit', scope: 'entity.name.function.guard.acl' },
  ]],
  ['    for customer, account, "Admin"', [
    { text: 'for', scope: 'keyword.other.for.acl' },
    { text: 'customer', scope: 'support.type.participant.acl' },
    { text: 'account', scope: 'support.type.participant.acl' },
    { text: '"Admin"', scope: 'string.quoted.double.acl' },
  ]],
  ['test "premium customers do not see the Identity tab" {', [
    { text: 'test', scope: 'storage.type.test.acl' },
    { text: 'premium customers do not see the Identity tab', scope: 'entity.name.function.test.acl' },
  ]],
  ['    expect "Premium customer" deny read SelfCare.identity', [
    { text: 'expect', scope: 'keyword.other.expect.acl' },
    { text: '"Premium customer"', scope: 'string.quoted.double.acl' },
    { text: 'deny', scope: 'keyword.control.effect.deny.acl' },
    { text: 'read', scope: 'constant.language.access.read.acl' },
    { text: 'SelfCare.identity', scope: 'meta.target.acl' },
  ]],
  ['    allow read_only Rates.x  # words that only start like keywords', [
    { text: 'read_only', not: 'constant.language' },
  ]],
  ['## Zugriff für Kundinnen — «Selbstbedienung» 🚀', [
    { text: 'Kundinnen — «Selbstbedienung» 🚀', scope: 'comment.line.documentation.acl' },
  ]],
  ['component "Selbstbedienung 🚀" {', [
    { text: 'Selbstbedienung 🚀', scope: 'entity.name.type.component.acl' },
    { text: '{', scope: 'punctuation.section.block.begin.acl' },
  ]],
];

test('tricky lines get the expected scopes', async () => {
  for (const [line, expectations] of CASES) {
    const [tokens] = await tokenize(line);
    for (const e of expectations) check(line, tokens, e);
  }
});

test('an unterminated string ends at the end of its line', async () => {
  const text = 'access_level "Open for user {\n    include "Fine"\n}';
  const lines = await tokenize(text);
  check('    include "Fine"', lines[1], { text: 'include', scope: 'keyword.other.include.acl' });
  check('    include "Fine"', lines[1], { text: '"Fine"', scope: 'string.quoted.double.acl' });
  check('}', lines[2], { text: '}', scope: 'punctuation.section.block.end.acl' });
});

test('a multi-line object declaration keeps its attributes', async () => {
  const text = 'object SelfCare {\n    identity\n    payments, # trailing\n}\nallow read X.y';
  const lines = await tokenize(text);
  check('    identity', lines[1], { text: 'identity', scope: 'variable.other.property.attribute.acl' });
  check('    payments, # trailing', lines[2], { text: 'payments', scope: 'variable.other.property.attribute.acl' });
  check('    payments, # trailing', lines[2], { text: '# trailing', scope: 'comment.line.number-sign.acl' });
  check('}', lines[3], { text: '}', scope: 'punctuation.section.block.end.acl' });
  check('allow read X.y', lines[4], { text: 'allow', scope: 'keyword.control.effect.allow.acl' });
});

function policyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...policyFiles(p));
    else if (entry.name.endsWith('.acl')) out.push(p);
  }
  return out.sort();
}

const STRING = /"(?:[^"\\\n]|\\.)*"/g;
const TARGET = /(?<![\w*.])(\*|[A-Za-z_]\w*\*?)\.(\*|[A-Za-z_]\w*\*?)(?![\w*.])/g;
const TOP_LEVEL = /^(access_level|component|reseller|object|default|environment|guard|test)\b/;
// On the code part, where strings are replaced by `S`s.
const PERMISSION = /^\s*(?:expect\s+S+\s+)?(allow|deny)\s+((?:read|update|insert|delete|all)(?:\s*,\s*(?:read|update|insert|delete|all))*)\s/d;

/**
 * What a policy line must look like, read without the grammar: comments by
 * their first characters, strings and targets by a regular expression on the
 * code part, top-level keywords in column 0, and the effect and access types
 * of a permission or an `expect`.
 */
function checkPolicyLine(line: string, tokens: Token[]): void {
  for (const t of tokens) {
    assert.ok(!t.scopes.some(s => s.startsWith('invalid')), `invalid token ${JSON.stringify(t.text)} in: ${line}`);
  }
  const trimmed = line.trimStart();
  if (trimmed.startsWith('##')) {
    check(line, tokens, { text: trimmed, scope: 'comment.line.documentation.acl' });
    return;
  }
  if (/^#\s*aclc-ignore\b/.test(trimmed)) {
    check(line, tokens, { text: 'aclc-ignore', scope: 'keyword.other.aclc-ignore.acl' });
    return;
  }
  if (trimmed.startsWith('#')) {
    check(line, tokens, { text: trimmed, scope: 'comment.line.number-sign.acl' });
    return;
  }
  // The code part: up to a `#` outside a string.
  const code = line.replace(STRING, m => 'S'.repeat(m.length)).split('#')[0];
  const comment = line.slice(code.length);
  if (comment) check(line, tokens, { text: comment, scope: 'comment' });
  for (const m of line.slice(0, code.length).matchAll(STRING)) {
    const covering = tokensIn(tokens, m.index, m.index + m[0].length);
    for (const t of covering) assert.ok(hasScope(t.scopes, 'string.quoted.double.acl'), `string ${m[0]} in: ${line}\n${describe(tokens)}`);
    assertions++;
  }
  for (const m of code.matchAll(TARGET)) {
    const covering = tokensIn(tokens, m.index, m.index + m[0].length);
    for (const t of covering) assert.ok(hasScope(t.scopes, 'meta.target.acl'), `target ${m[0]} in: ${line}\n${describe(tokens)}`);
    assertions++;
  }
  const top = TOP_LEVEL.exec(line);
  if (top) {
    const [tok] = tokensIn(tokens, 0, top[1].length);
    assert.ok(hasScope(tok.scopes, 'storage.type'), `top-level keyword ${top[1]} in: ${line}\n${describe(tokens)}`);
    assertions++;
  }
  const perm = PERMISSION.exec(code);
  if (perm?.indices) {
    const [effectAt] = perm.indices[1];
    for (const t of tokensIn(tokens, effectAt, effectAt + perm[1].length)) {
      assert.ok(hasScope(t.scopes, `keyword.control.effect.${perm[1]}.acl`), `effect in: ${line}\n${describe(tokens)}`);
    }
    assertions++;
    const [listAt] = perm.indices[2];
    for (const access of perm[2].matchAll(/[a-z]+/g)) {
      const at = listAt + access.index;
      for (const t of tokensIn(tokens, at, at + access[0].length)) {
        assert.ok(hasScope(t.scopes, `constant.language.access.${access[0]}.acl`), `access ${access[0]} in: ${line}\n${describe(tokens)}`);
      }
      assertions++;
    }
  }
}

test('every shipped policy file reads as expected', async t => {
  const files = policyFiles(path.join(REPO_DIR, 'policies'));
  assert.ok(files.length >= 10, `expected the shipped policies, found ${files.length} files`);
  let lines = 0;
  const before = assertions;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const tokenized = await tokenize(text);
    text.split(/\r?\n/).forEach((line, i) => {
      lines++;
      try {
        checkPolicyLine(line, tokenized[i]);
      } catch (err) {
        throw new Error(`${path.relative(REPO_DIR, file)}:${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }
  t.diagnostic(`${files.length} files, ${lines} lines, ${assertions - before} scope assertions`);
  assert.ok(assertions - before > 500, 'the policies should exercise the grammar');
});

test('total scope assertions', t => {
  t.diagnostic(`${assertions} scope assertions in all`);
  assert.ok(assertions > 0);
});
