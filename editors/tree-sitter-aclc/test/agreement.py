#!/usr/bin/env python3
"""The tree-sitter grammar and aclc's own parser (the pest grammar) must agree
on which inputs are syntax errors.

Inputs: every `.acl` file of the repository (policies, fixtures, hostile
cases, ...) and every input of the corpus tests. For each, the tree-sitter
verdict (`tree-sitter parse --quiet`: an ERROR or MISSING node) is compared
with aclc's (`aclc check --format json` reports a `syntax-error`). Prints one
line per disagreement and exits 1 if there is any.

Usage: agreement.py ACLC_BINARY   (run from editors/tree-sitter-aclc)
"""

import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GRAMMAR_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(GRAMMAR_DIR))
SKIP_DIRS = {'.git', 'target', 'node_modules', 'out'}


def repository_files():
    for root, dirs, files in os.walk(REPO):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith('.'))
        for name in sorted(files):
            if name.endswith('.acl'):
                path = os.path.join(root, name)
                with open(path, 'rb') as f:
                    yield os.path.relpath(path, REPO), f.read()


def corpus_inputs():
    """(name, input bytes) of every corpus test, as `tree-sitter test` reads them."""
    header = re.compile(rb'^(={3,})\n([^\n]*)\n(?::[^\n]*\n)*\1\n', re.M)
    corpus = os.path.join(GRAMMAR_DIR, 'test', 'corpus')
    for name in sorted(os.listdir(corpus)):
        with open(os.path.join(corpus, name), 'rb') as f:
            text = f.read()
        matches = list(header.finditer(text))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            body = text[m.end():end]
            source = re.split(rb'\n-{3,}\n', body, maxsplit=1)[0]
            yield f'test/corpus/{name}: {m.group(2).decode()}', source.strip(b'\n')


def tree_sitter_error(path):
    r = subprocess.run(['tree-sitter', 'parse', '--quiet', path], cwd=GRAMMAR_DIR,
                       capture_output=True, text=True)
    return r.returncode != 0 or 'ERROR' in r.stdout or 'MISSING' in r.stdout


def aclc_error(aclc, path, workdir):
    # Run in an empty folder, so that no aclc.toml above changes anything.
    r = subprocess.run([aclc, '--no-predefined', '--color', 'never', 'check', '-p', path,
                        '--format', 'json'], cwd=workdir, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise SystemExit(f'aclc failed on {path} (exit {r.returncode}): {r.stderr}')
    codes = [d['code'] for d in json.loads(r.stdout)['diagnostics']]
    return 'syntax-error' in codes


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    aclc = os.path.abspath(sys.argv[1])
    cases = list(repository_files()) + list(corpus_inputs())
    disagreements = 0
    errors = 0
    with tempfile.TemporaryDirectory() as work:
        for i, (name, source) in enumerate(cases):
            path = os.path.join(work, f'case{i}.acl')
            with open(path, 'wb') as f:
                f.write(source)
            ts = tree_sitter_error(path)
            pest = aclc_error(aclc, path, work)
            errors += pest
            if ts != pest:
                disagreements += 1
                print(f'disagree: {name}: tree-sitter {"error" if ts else "ok"}, aclc {"error" if pest else "ok"}')
    print(f'agreement: {len(cases) - disagreements} passed, {disagreements} failed '
          f'({len(cases)} inputs, {errors} of them syntax errors for aclc)')
    sys.exit(1 if disagreements else 0)


if __name__ == '__main__':
    main()
