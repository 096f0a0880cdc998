// The helpers behind "aclc: show effective rules" and the server start.

import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';

import { declarations, findPolicyRoot, nameAt, resolveExecutable, unescapeName } from '../src/names';

const POLICY = [
  '## Read-only access to rate tables.',
  'component "Rates read-only" {',
  '    allow read Rates.*',
  '}',
  '',
  'access_level "Quoted \\"best\\" {x}" for customer {',
  '    description "a } brace # and a hash"',
  '    include "Rates read-only", "Customer self-care" # "not a name"',
  '    deny read SelfCare.identity',
  '}',
  '',
  'default customer = "Premium customer"',
  'guard "g" {',
  '    for customer, "Admin"',
  '    deny update Customers.credit_limit',
  '}',
  'test "t" {',
  '    expect "Night helpdesk" deny update Customers.credit_limit',
  '}',
  'reseller "ACME"',
].join('\n');

/** The offset of the `nth` occurrence of `text` in POLICY, plus `delta`. */
function at(text: string, delta = 0, nth = 0): number {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = POLICY.indexOf(text, i + 1);
  assert.notEqual(i, -1, text);
  return i + delta;
}

test('unescapeName resolves the two escapes', () => {
  assert.equal(unescapeName('Quoted \\"best\\" \\\\ x'), 'Quoted "best" \\ x');
});

test('declarations lists access levels and components with types and lines', () => {
  assert.deepEqual(declarations(POLICY), [
    { kind: 'component', name: 'Rates read-only', line: 1 },
    { kind: 'access_level', name: 'Quoted "best" {x}', type: 'customer', line: 5 },
  ]);
});

test('nameAt: inside a block, the block', () => {
  assert.equal(nameAt(POLICY, at('allow read Rates')), 'Rates read-only');
  assert.equal(nameAt(POLICY, at('deny read SelfCare')), 'Quoted "best" {x}');
  // A brace inside a string or a comment does not end the block.
  assert.equal(nameAt(POLICY, at('a } brace', 2)), 'Quoted "best" {x}');
  assert.equal(nameAt(POLICY, at('# "not a name"', 4)), 'Quoted "best" {x}');
});

test('nameAt: on a name that refers to an access level, that name', () => {
  assert.equal(nameAt(POLICY, at('"Customer self-care"', 3)), 'Customer self-care');
  assert.equal(nameAt(POLICY, at('"Rates read-only"', 1, 1)), 'Rates read-only');
  assert.equal(nameAt(POLICY, at('"Premium customer"', 1)), 'Premium customer');
  assert.equal(nameAt(POLICY, at('"Admin"', 1)), 'Admin');
  assert.equal(nameAt(POLICY, at('"Night helpdesk"', 1)), 'Night helpdesk');
  assert.equal(nameAt(POLICY, at('"Rates read-only"', 1, 0)), 'Rates read-only');
  assert.equal(nameAt(POLICY, at('component "Rates', 2)), 'Rates read-only');
});

test('nameAt: elsewhere, nothing', () => {
  assert.equal(nameAt(POLICY, at('## Read-only')), undefined);
  assert.equal(nameAt(POLICY, at('default customer')), undefined);
  assert.equal(nameAt(POLICY, at('deny update Customers', 0, 0)), undefined);
  assert.equal(nameAt(POLICY, at('"g"', 1)), undefined);
  assert.equal(nameAt(POLICY, at('"ACME"', 1)), undefined);
  assert.equal(nameAt(POLICY, POLICY.length), undefined);
  // A description is not a name of an access level, but it is inside one.
  assert.equal(nameAt(POLICY, at('a } brace', 0)), 'Quoted "best" {x}');
});

test('findPolicyRoot walks up to the folder with aclc.toml', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aclc-root-'));
  try {
    fs.mkdirSync(path.join(root, 'acl', 'deep'), { recursive: true });
    assert.equal(findPolicyRoot(path.join(root, 'acl', 'deep')), undefined);
    fs.writeFileSync(path.join(root, 'aclc.toml'), '');
    assert.equal(findPolicyRoot(path.join(root, 'acl', 'deep')), root);
    assert.equal(findPolicyRoot(root), root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('resolveExecutable searches PATH, or takes a path as given', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aclc-bin-'));
  try {
    const exe = path.join(dir, 'aclc');
    fs.writeFileSync(exe, '#!/bin/sh\n');
    fs.chmodSync(exe, 0o755);
    const plain = path.join(dir, 'not-executable');
    fs.writeFileSync(plain, '');
    fs.chmodSync(plain, 0o644);
    const env = { PATH: ['/nonexistent', dir].join(':') };
    assert.equal(resolveExecutable('aclc', env, 'linux', '/'), exe);
    assert.equal(resolveExecutable('missing-aclc', env, 'linux', '/'), undefined);
    assert.equal(resolveExecutable(exe, { PATH: '' }, 'linux', '/'), exe);
    assert.equal(resolveExecutable('./aclc', { PATH: '' }, 'linux', dir), exe);
    assert.equal(resolveExecutable('~/aclc', { PATH: '', HOME: dir }, 'linux', '/'), exe);
    if (process.platform !== 'win32') {
      assert.equal(resolveExecutable('not-executable', env, 'linux', '/'), undefined);
    }
    // Windows: PATHEXT extensions, `;` separators.
    const winExe = path.join(dir, 'tool.EXE');
    fs.writeFileSync(winExe, '');
    const isFile = (p: string) => fs.existsSync(p) && fs.statSync(p).isFile();
    assert.equal(resolveExecutable('tool', { Path: `C:\\none;${dir}`, PATHEXT: '.COM;.EXE' }, 'win32', '/', isFile), winExe);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
