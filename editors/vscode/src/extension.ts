// The aclc extension: starts the language server (`aclc lsp` over stdio) for
// `.acl` files, and offers two commands that need no custom LSP request:
// restarting the server, and showing the effective rule table of an access
// level with `aclc show`.

import { execFile } from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

import { declarations, findPolicyRoot, nameAt, resolveExecutable } from './names';

const LANGUAGE_ID = 'acl';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let extensionUri: vscode.Uri;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionUri = context.extensionUri;
  output = vscode.window.createOutputChannel('aclc');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('aclc.restartServer', restartServer),
    vscode.commands.registerCommand('aclc.showEffectiveRules', showEffectiveRules),
    vscode.workspace.onDidChangeConfiguration(event => {
      if (event.affectsConfiguration('aclc.path')) {
        void restartServer();
      }
    }),
  );
  await startServer();
}

export async function deactivate(): Promise<void> {
  await stopServer();
}

/** The `aclc.path` setting, resolved to an executable, or `undefined`. */
function aclcExecutable(): { setting: string; resolved: string | undefined } {
  const setting = vscode.workspace.getConfiguration('aclc').get<string>('path', 'aclc').trim() || 'aclc';
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  return { setting, resolved: resolveExecutable(setting, process.env, process.platform, cwd) };
}

/** Tells the user that aclc was not found, with the way to install it. */
async function reportMissingAclc(setting: string): Promise<void> {
  const install = 'How to install aclc';
  const settings = 'Set aclc.path';
  const choice = await vscode.window.showErrorMessage(
    `aclc: cannot find the aclc executable \`${setting}\` (setting aclc.path). ` +
      'Install aclc, or set aclc.path to where it is; the language server is started as `aclc lsp`.',
    install,
    settings,
  );
  if (choice === install) {
    // The install instructions ship with the extension (its README), so the
    // link works offline and names the repository's own install steps.
    await vscode.commands.executeCommand('markdown.showPreview', await readmeUri());
  } else if (choice === settings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'aclc.path');
  }
}

/** The extension's README at its install section (`vsce` ships it as `readme.md`). */
async function readmeUri(): Promise<vscode.Uri> {
  for (const name of ['readme.md', 'README.md']) {
    const uri = vscode.Uri.joinPath(extensionUri, name);
    try {
      await vscode.workspace.fs.stat(uri);
      return uri.with({ fragment: 'installing-aclc' });
    } catch {
      // not this spelling
    }
  }
  return vscode.Uri.joinPath(extensionUri, 'README.md');
}

async function startServer(): Promise<void> {
  const { setting, resolved } = aclcExecutable();
  if (!resolved) {
    output.appendLine(`aclc not found: "${setting}" (aclc.path); the language server is not started`);
    void reportMissingAclc(setting);
    return;
  }
  const serverOptions: ServerOptions = {
    command: resolved,
    args: ['lsp'],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: LANGUAGE_ID },
      { scheme: 'untitled', language: LANGUAGE_ID },
    ],
    outputChannel: output,
    synchronize: {
      // The server follows policy files and aclc.toml changed outside the editor.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.acl,aclc.toml}'),
    },
  };
  const c = new LanguageClient('aclc', 'aclc language server', serverOptions, clientOptions);
  client = c;
  try {
    await c.start();
    output.appendLine(`started ${resolved} lsp`);
  } catch (err) {
    client = undefined;
    const message = err instanceof Error ? err.message : String(err);
    output.appendLine(`${resolved} lsp failed to start: ${message}`);
    void vscode.window.showErrorMessage(
      `aclc: the language server \`${resolved} lsp\` failed to start (${message}). ` +
        'An aclc with the `lsp` command is needed; see the aclc output channel.',
    );
  }
}

async function stopServer(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch (err) {
      output.appendLine(`stopping the language server: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

async function restartServer(): Promise<void> {
  await stopServer();
  await startServer();
}

/** The folder `aclc` runs in for `document`: its policy root, else its workspace folder, else its folder. */
function policyFolder(document: vscode.TextDocument | undefined): string | undefined {
  if (document && document.uri.scheme === 'file') {
    const dir = path.dirname(document.uri.fsPath);
    return findPolicyRoot(dir) ?? vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? dir;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return folder ? findPolicyRoot(folder) ?? folder : undefined;
}

/** Lets the user pick an access level declared in the workspace (or type any name). */
async function pickAccessLevel(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/*.acl', '**/{node_modules,target,.git}/**', 5000);
  const items: vscode.QuickPickItem[] = [];
  for (const file of files) {
    const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(file));
    for (const d of declarations(text)) {
      items.push({
        label: d.name,
        description: d.kind === 'component' ? 'component' : `access level for ${d.type ?? '?'}`,
        detail: `${vscode.workspace.asRelativePath(file)}:${d.line + 1}`,
      });
    }
  }
  items.sort((a, b) => a.label.localeCompare(b.label));
  const pick = vscode.window.createQuickPick();
  pick.items = items;
  pick.placeholder = 'Access level or component to show (predefined names can be typed)';
  pick.matchOnDescription = true;
  return new Promise(resolve => {
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0]?.label ?? pick.value.trim();
      resolve(chosen || undefined);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

async function showEffectiveRules(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const document = editor?.document.languageId === LANGUAGE_ID ? editor.document : undefined;
  let name = document && editor ? nameAt(document.getText(), document.offsetAt(editor.selection.active)) : undefined;
  name ??= await pickAccessLevel();
  if (!name) return;
  const { setting, resolved } = aclcExecutable();
  if (!resolved) {
    await reportMissingAclc(setting);
    return;
  }
  const cwd = policyFolder(document);
  const args = ['--color', 'never', 'show', name];
  output.appendLine(`running ${resolved} ${args.join(' ')} in ${cwd ?? process.cwd()}`);
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>(resolve => {
    execFile(resolved, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr: stderr || (err && code === -1 ? err.message : '') });
    });
  });
  if (result.code !== 0) {
    output.appendLine(result.stderr);
    void vscode.window.showErrorMessage(`aclc show "${name}": ${firstLine(result.stderr) || `exit ${result.code}`}`);
    return;
  }
  const doc = await vscode.workspace.openTextDocument({ content: result.stdout, language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

function firstLine(text: string): string {
  return text.split('\n').map(l => l.trim()).find(l => l) ?? '';
}
