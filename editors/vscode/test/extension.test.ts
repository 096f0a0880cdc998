// The extension's own code run against a stand-in for the `vscode` module
// (VS Code itself cannot run here): what happens when aclc is missing, and
// what "aclc: Show effective rules" runs, where, and what it shows.

import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';

import { EXTENSION_DIR } from './textmate';

interface Call {
  api: string;
  args: unknown[];
}

/** A minimal `vscode` API that records what the extension asks of it. */
function fakeVscode(settings: Record<string, string>, answers: { errorChoice?: string }) {
  const calls: Call[] = [];
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const record = (api: string) => (...args: unknown[]) => {
    calls.push({ api, args });
  };
  const disposable = { dispose() {} };
  class Uri {
    constructor(readonly scheme: string, readonly fsPath: string, readonly fragment = '') {}
    static file(p: string) {
      return new Uri('file', p);
    }
    static joinPath(base: Uri, ...parts: string[]) {
      return new Uri(base.scheme, path.join(base.fsPath, ...parts));
    }
    with(change: { fragment?: string }) {
      return new Uri(this.scheme, this.fsPath, change.fragment ?? this.fragment);
    }
  }
  const classes = Object.fromEntries(
    ['CompletionItem', 'CodeLens', 'DocumentLink', 'CodeAction', 'Diagnostic', 'CallHierarchyItem',
      'TypeHierarchyItem', 'SymbolInformation', 'InlayHint', 'CancellationError'].map(n => [n, class {}]),
  );
  const state = {
    activeTextEditor: undefined as unknown,
    workspaceFolders: [] as { uri: Uri }[],
  };
  const vscode = {
    ...classes,
    Uri,
    ViewColumn: { Beside: -2 },
    window: {
      createOutputChannel: () => ({ appendLine: record('output'), dispose() {} }),
      showErrorMessage: async (...args: unknown[]) => {
        calls.push({ api: 'showErrorMessage', args });
        return answers.errorChoice;
      },
      showTextDocument: async (...args: unknown[]) => {
        calls.push({ api: 'showTextDocument', args });
      },
      get activeTextEditor() {
        return state.activeTextEditor;
      },
    },
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        commands.set(id, fn);
        return disposable;
      },
      executeCommand: async (...args: unknown[]) => {
        calls.push({ api: 'executeCommand', args });
      },
    },
    workspace: {
      getConfiguration: (section: string) => ({
        get: (key: string, fallback: string) => settings[`${section}.${key}`] ?? fallback,
      }),
      onDidChangeConfiguration: () => disposable,
      get workspaceFolders() {
        return state.workspaceFolders;
      },
      getWorkspaceFolder: () => state.workspaceFolders[0],
      fs: {
        stat: async (uri: Uri) => fs.promises.stat(uri.fsPath),
      },
      openTextDocument: async (options: unknown) => {
        calls.push({ api: 'openTextDocument', args: [options] });
        return { options };
      },
    },
  };
  return { vscode, calls, commands, state };
}

type Fake = ReturnType<typeof fakeVscode>;

/** Loads a fresh copy of the compiled extension against `fake`. */
function loadExtension(fake: Fake): { activate(context: unknown): Promise<void> } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('module');
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  require.cache['vscode'] = { id: 'vscode', filename: 'vscode', loaded: true, exports: fake.vscode } as NodeJS.Module;
  const main = require.resolve(path.join(EXTENSION_DIR, 'out', 'src', 'extension.js'));
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(path.join(EXTENSION_DIR, 'out', 'src')) || key.includes('vscode-languageclient')) {
      delete require.cache[key];
    }
  }
  try {
    return require(main);
  } finally {
    Module._resolveFilename = resolve;
  }
}

function context() {
  return { subscriptions: [] as unknown[], extensionUri: fakeUri(EXTENSION_DIR) };
}

function fakeUri(p: string) {
  return { scheme: 'file', fsPath: p, fragment: '', with(c: { fragment: string }) {
    return { ...this, fragment: c.fragment };
  } };
}

/** Waits until the promise chains started by the extension have run. */
const settle = () => new Promise(resolve => setTimeout(resolve, 50));

test('aclc missing: a clear error with the install instructions, and no server', async () => {
  const fake = fakeVscode({ 'aclc.path': '/nonexistent/bin/aclc' }, { errorChoice: 'How to install aclc' });
  const ext = loadExtension(fake);
  await ext.activate(context());
  await settle();
  assert.deepEqual([...fake.commands.keys()].sort(), ['aclc.restartServer', 'aclc.showEffectiveRules']);
  const errors = fake.calls.filter(c => c.api === 'showErrorMessage');
  assert.equal(errors.length, 1);
  const [message, ...buttons] = errors[0].args as string[];
  assert.match(message, /cannot find the aclc executable `\/nonexistent\/bin\/aclc` \(setting aclc.path\)/);
  assert.deepEqual(buttons, ['How to install aclc', 'Set aclc.path']);
  const preview = fake.calls.find(c => c.api === 'executeCommand');
  assert.ok(preview, 'the install instructions are opened');
  assert.equal(preview.args[0], 'markdown.showPreview');
  const uri = preview.args[1] as { fsPath: string; fragment: string };
  assert.equal(path.dirname(uri.fsPath), EXTENSION_DIR);
  assert.match(path.basename(uri.fsPath), /^readme\.md$/i);
  assert.ok(fs.existsSync(uri.fsPath));
  assert.equal(uri.fragment, 'installing-aclc');
  assert.match(fs.readFileSync(uri.fsPath, 'utf8'), /^## Installing aclc$/m);
});

test('aclc missing: "Set aclc.path" opens that setting', async () => {
  const fake = fakeVscode({ 'aclc.path': 'aclc-not-on-path-anywhere' }, { errorChoice: 'Set aclc.path' });
  await loadExtension(fake).activate(context());
  await settle();
  const open = fake.calls.find(c => c.api === 'executeCommand');
  assert.deepEqual(open?.args, ['workbench.action.openSettings', 'aclc.path']);
});

/** A folder with aclc.toml, a policy in a subfolder, and a fake `aclc` that reports how it was run. */
function workspace(exitCode: number): { root: string; policy: string; aclc: string } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'aclc-ext-')));
  fs.writeFileSync(path.join(root, 'aclc.toml'), '[policy]\n');
  fs.mkdirSync(path.join(root, 'acl'));
  const policy = path.join(root, 'acl', 'levels.acl');
  fs.writeFileSync(policy, 'access_level "Night \\"desk\\"" for user {\n    include "Helpdesk"\n}\n');
  const aclc = path.join(root, 'fake-aclc');
  fs.writeFileSync(aclc, exitCode === 0
    ? '#!/bin/sh\necho "cwd=$(pwd)"\nfor a in "$@"; do echo "arg=$a"; done\n'
    : `#!/bin/sh\necho "error: no access level named \\\`$4\\\`" >&2\nexit ${exitCode}\n`);
  fs.chmodSync(aclc, 0o755);
  return { root, policy, aclc };
}

function editorOn(file: string, offset: number) {
  const text = fs.readFileSync(file, 'utf8');
  return {
    document: {
      languageId: 'acl',
      uri: { scheme: 'file', fsPath: file },
      getText: () => text,
      offsetAt: () => offset,
    },
    selection: { active: {} },
  };
}

test('show effective rules: runs `aclc show NAME` in the policy root and shows its output', async () => {
  const ws = workspace(0);
  try {
    const settings: Record<string, string> = { 'aclc.path': '/nonexistent/aclc' };
    const fake = fakeVscode(settings, {});
    await loadExtension(fake).activate(context());
    settings['aclc.path'] = ws.aclc;
    const text = fs.readFileSync(ws.policy, 'utf8');
    // The cursor in the block of the access level: its name, escapes resolved.
    fake.state.activeTextEditor = editorOn(ws.policy, text.indexOf('include'));
    await fake.commands.get('aclc.showEffectiveRules')?.();
    let opened = fake.calls.filter(c => c.api === 'openTextDocument');
    assert.equal(opened.length, 1);
    let shown = (opened[0].args[0] as { content: string }).content;
    assert.equal(shown, `cwd=${ws.root}\narg=--color\narg=never\narg=show\narg=Night "desk"\n`);
    assert.ok(fake.calls.some(c => c.api === 'showTextDocument'));
    // The cursor on an included name: that name.
    fake.state.activeTextEditor = editorOn(ws.policy, text.indexOf('Helpdesk') + 2);
    await fake.commands.get('aclc.showEffectiveRules')?.();
    opened = fake.calls.filter(c => c.api === 'openTextDocument');
    shown = (opened[1].args[0] as { content: string }).content;
    assert.match(shown, /^arg=Helpdesk$/m);
  } finally {
    fs.rmSync(ws.root, { recursive: true, force: true });
  }
});

test('show effective rules: a failure of aclc is shown as an error, not as a document', async () => {
  const ws = workspace(2);
  try {
    const settings: Record<string, string> = { 'aclc.path': '/nonexistent/aclc' };
    const fake = fakeVscode(settings, {});
    await loadExtension(fake).activate(context());
    settings['aclc.path'] = ws.aclc;
    fake.calls.length = 0;
    fake.state.activeTextEditor = editorOn(ws.policy, fs.readFileSync(ws.policy, 'utf8').indexOf('include'));
    await fake.commands.get('aclc.showEffectiveRules')?.();
    assert.equal(fake.calls.filter(c => c.api === 'openTextDocument').length, 0);
    const errors = fake.calls.filter(c => c.api === 'showErrorMessage');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].args[0], 'aclc show "Night "desk"": error: no access level named `Night "desk"`');
  } finally {
    fs.rmSync(ws.root, { recursive: true, force: true });
  }
});
