//! `aclc diff OLD NEW` and `aclc diff --base GIT_REV`: the semantic diff
//! of two versions of a policy set. With `--base`, the old side is read
//! from git at that revision (a constant number of git commands: the
//! files are listed by one `git ls-tree` and read by one `git cat-file
//! --batch`), the new side from the working tree.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use clap::ValueEnum;

use super::{Cli, Failure, Outcome};
use aclc::config::{self, Predefined, Settings};
use aclc::diff;
use aclc::load;
use aclc::model::Model;
use aclc::render;
use aclc::source::{Origin, SourceMap};

/// Shown after `aclc help diff`.
pub const EXAMPLES: &str = "\
Examples:
  aclc diff policies/examples policies/examples        two folders (or files): no change, exit 0
  aclc diff policies/examples policies/examples --format json

In a git clone (the old side read from git at the revision):
  aclc diff --base HEAD                                uncommitted and untracked edits
  aclc diff --base origin/main --format markdown       a pull-request comment
  aclc diff --base origin/main --format github         annotations in a GitHub Actions log
  aclc diff --base origin/main --format sarif          for code scanning

Kinds of change: new-access, removed-access, added-access-level, removed-access-level,
unhide, hide, visibility-widened, visibility-narrowed, default-changed, type-changed.
`[diff] fail_on` in aclc.toml picks those that fail (default: new-access, unhide,
visibility-widened, default-changed; unhide always fails); `[[diff.allow]]` entries
accept known-safe changes, each with a reason.

Exit status: 0 no failing change; 1 a failing change; 2 usage or I/O error.";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The old version: a policy file or folder (not with --base)
    #[arg(value_name = "OLD", requires = "new", conflicts_with = "base")]
    old: Option<PathBuf>,
    /// The new version: a policy file or folder
    #[arg(value_name = "NEW")]
    new: Option<PathBuf>,
    /// Compare the working tree with this git revision (branch, tag, commit)
    #[arg(long, value_name = "GIT_REV")]
    base: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print how long each phase took (to standard error)
    #[arg(long)]
    timings: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
    Markdown,
    Sarif,
    Github,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let mut clock = Instant::now();
    let mut timings: Vec<(&str, std::time::Duration)> = Vec::new();
    let mut lap = |name: &'static str| {
        let now = Instant::now();
        timings.push((name, now - clock));
        clock = now;
    };
    let settings = cli.settings()?;
    // Each side read, parsed and modeled in its own task (with `--base`,
    // the old side from git), both at once.
    let (old, new) = match (&args.old, &args.new, &args.base) {
        (Some(old), Some(new), None) => {
            if !cli.policy.is_empty() {
                return Err(Failure(
                    "`-p` does not go with `aclc diff OLD NEW`: OLD and NEW are the policies; use `-p` with `--base`".into(),
                ));
            }
            let read = |p: &PathBuf| load::load(std::slice::from_ref(p), &settings.predefined);
            let (old, new) = diff::models(|| read(old), || read(new));
            (old?, new?)
        }
        (None, None, Some(rev)) => {
            let (old, new) = diff::models(
                || from_git(cli, &settings, rev),
                || load::load(&settings.paths, &settings.predefined).map_err(Failure),
            );
            // The working tree's error first, as it is the one to fix.
            let new = new?;
            (old?, new)
        }
        _ => {
            return Err(Failure(
                "name two versions: `aclc diff OLD NEW` (files or folders) or `aclc diff --base GIT_REV`".into(),
            ))
        }
    };
    let rules = settings.diff;
    lap("read, parse, model");
    for (side, m) in [("old", &old), ("new", &new)] {
        if !m.syntax_errors.is_empty() {
            eprintln!(
                "warning: the {side} side has {} syntax error(s); blocks that did not parse are left out (run `aclc check`)",
                m.syntax_errors.len()
            );
        }
    }
    let result = diff::diff(&old, &new, &rules);
    lap("diff");
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        // Streamed: the full regions of a large diff are big.
        Format::Json => render::diff::json::write(&mut out, &result),
        other => {
            let text = match other {
                Format::Markdown => render::diff::markdown::render(&result),
                Format::Sarif => render::diff::sarif::render(&result),
                Format::Github => render::diff::github::render(&result),
                Format::Text | Format::Json => render::diff::text::render(&result, cli.color()),
            };
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        }
    };
    lap("render");
    if args.timings {
        eprintln!("{}", super::check::timings_line(&timings));
    }
    finish(written, (old, new, result))
}

/// The outcome once the report is written (a closed pipe ends the output,
/// not the diff).
fn finish(
    written: std::io::Result<()>,
    (old, new, result): (Model, Model, diff::Diff),
) -> Result<Outcome, Failure> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(Failure(format!("cannot write the diff: {e}")))
        }
        _ => {}
    }
    let failing = result.failing();
    // Freeing both models piece by piece would only delay the exit.
    std::mem::forget((old, new, result));
    Ok(if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Run git in `dir`; its standard output, or an error with its message.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}; `--base` needs git on the PATH"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// A path made absolute against `cwd`, with `.` and `..` resolved in text.
fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `p` relative to the repository root, `/`-separated ("" for the root).
fn in_repo(root: &Path, cwd: &Path, p: &Path) -> Result<String, Failure> {
    let abs = absolute(cwd, p);
    let rel = abs.strip_prefix(root).map_err(|_| {
        Failure(format!(
            "`{}` is outside the git repository at `{}`; `--base` reads policies inside it",
            load::display(p),
            root.display()
        ))
    })?;
    Ok(load::display(rel).trim_end_matches('/').to_string())
}

/// One `git ls-tree -r -z` entry: (repository path, object id).
fn ls_tree(
    root: &Path,
    rev: &str,
    paths: &[String],
    recursive: bool,
) -> Result<Vec<(String, String)>, Failure> {
    let mut args = vec!["ls-tree", "-z", "--full-tree"];
    if recursive {
        args.push("-r");
    }
    args.push(rev);
    args.push("--");
    let specs: Vec<&str> = paths
        .iter()
        .map(|p| if p.is_empty() { "." } else { p.as_str() })
        .collect();
    args.extend(specs);
    let out =
        git(root, &args).map_err(|e| Failure(format!("cannot list the files of `{rev}`: {e}")))?;
    let mut entries = Vec::new();
    for rec in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let rec = String::from_utf8_lossy(rec);
        // `<mode> SP <type> SP <object> TAB <path>`
        let Some((meta, path)) = rec.split_once('\t') else {
            continue;
        };
        let mut f = meta.split(' ');
        let (_, ty, id) = (f.next(), f.next(), f.next());
        if let (Some("blob"), Some(id)) = (ty, id) {
            entries.push((path.to_string(), id.to_string()));
        }
    }
    Ok(entries)
}

/// The contents of blobs, by one `git cat-file --batch`.
fn cat_files(root: &Path, ids: &[String]) -> Result<Vec<Vec<u8>>, Failure> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let fail = |e: std::io::Error| Failure(format!("cannot read files from git: {e}"));
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(fail)?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| Failure("cannot write to git cat-file".into()))?;
    let request: String = ids.iter().map(|id| format!("{id}\n")).collect();
    // Written from another thread: git answers while it reads.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .ok_or_else(|| Failure("cannot read from git cat-file".into()))?
        .read_to_end(&mut out)
        .map_err(fail)?;
    let _ = writer.join();
    let status = child.wait().map_err(fail)?;
    if !status.success() {
        return Err(Failure("git cat-file failed to read the files".into()));
    }
    let mut blobs = Vec::with_capacity(ids.len());
    let mut at = 0;
    for id in ids {
        let rest = out.get(at..).unwrap_or(&[]);
        let nl = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| Failure(format!("unexpected output of git cat-file for {id}")))?;
        let header = String::from_utf8_lossy(&rest[..nl]).to_string();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .filter(|_| header.contains(" blob "))
            .ok_or_else(|| Failure(format!("git cat-file cannot read {id}: {header}")))?;
        let start = at + nl + 1;
        let end = start + size;
        let blob = out
            .get(start..end)
            .ok_or_else(|| Failure(format!("git cat-file output ended early for {id}")))?;
        blobs.push(blob.to_vec());
        at = end + 1;
    }
    Ok(blobs)
}

/// Whether a path under a policy root is one `collect` would read.
fn wanted(suffix: &str) -> bool {
    suffix.ends_with(".acl")
        && !suffix
            .split('/')
            .any(|c| c.starts_with('.') || c == "target" || c == "node_modules")
}

/// The old side: the policy set as it was at `rev`.
fn from_git(cli: &Cli, settings: &Settings, rev: &str) -> Result<SourceMap, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure(format!("cannot find the current folder: {e}")))?;
    let top = git(&cwd, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        Failure(format!(
            "not inside a git repository ({e}); `--base` reads the old side from git: run it in a clone, or compare two folders with `aclc diff OLD NEW`"
        ))
    })?;
    let root = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    let root = root.canonicalize().unwrap_or(root);
    let spec = format!("{rev}^{{commit}}");
    let commit = git(&root, &["rev-parse", "--verify", "--quiet", "--end-of-options", &spec])
        .map_err(|_| {
            Failure(format!(
                "unknown revision `{rev}`: no commit of that name in this repository; name a branch, tag or commit (in CI, fetch it first, e.g. `git fetch origin main`)"
            ))
        })?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    // The old side's aclc.toml: at the path of the new side's, else the
    // nearest one above the current folder, as it was at `rev`.
    let candidates: Vec<PathBuf> = match (&cli.config, &settings.file) {
        (Some(f), _) | (None, Some(f)) => vec![f.clone()],
        (None, None) => cwd
            .ancestors()
            .take_while(|d| d.starts_with(&root))
            .map(|d| d.join(config::FILE_NAME))
            .collect(),
    };
    let mut repo_paths = Vec::new();
    for c in &candidates {
        if let Ok(p) = in_repo(&root, &cwd, c) {
            repo_paths.push((p, c.clone()));
        }
    }
    let listed = ls_tree(
        &root,
        &commit,
        &repo_paths.iter().map(|p| p.0.clone()).collect::<Vec<_>>(),
        false,
    )?;
    let found = repo_paths.iter().find_map(|(p, shown)| {
        listed
            .iter()
            .find(|(l, _)| l == p)
            .map(|(_, id)| (id.clone(), shown.clone()))
    });
    let mut old_settings = match &found {
        Some((id, shown)) => {
            let blob = cat_files(&root, std::slice::from_ref(id))?;
            let text =
                String::from_utf8_lossy(blob.first().map_or(&[][..], Vec::as_slice)).to_string();
            let shown = if shown.is_absolute() {
                shown.clone()
            } else {
                relative(&cwd, &absolute(&cwd, shown))
            };
            config::parse(&text, &shown).map_err(|e| Failure(format!("{e} (as of `{rev}`)")))?
        }
        None => Settings::default(),
    };
    if !cli.policy.is_empty() {
        old_settings.paths = cli.policy.clone();
    } else if old_settings.paths.is_empty() {
        old_settings.paths = vec![PathBuf::from(".")];
    }
    if cli.no_predefined {
        old_settings.predefined = Predefined::Off;
    }
    let mut sources = load::load_predefined(&old_settings.predefined)?;
    // Each policy path: its repository path; all listed at once.
    let roots: Vec<(PathBuf, String)> = old_settings
        .paths
        .iter()
        .map(|p| in_repo(&root, &cwd, p).map(|r| (p.clone(), r)))
        .collect::<Result<_, _>>()?;
    let entries = ls_tree(
        &root,
        &commit,
        &roots.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        true,
    )?;
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for (given, rel) in &roots {
        let mut found: Vec<(PathBuf, String)> = Vec::new();
        for (path, id) in &entries {
            let shown = if path == rel {
                given.clone()
            } else if rel.is_empty() {
                if !wanted(path) {
                    continue;
                }
                given.join(path)
            } else {
                match path
                    .strip_prefix(rel.as_str())
                    .and_then(|s| s.strip_prefix('/'))
                {
                    Some(suffix) if wanted(suffix) => given.join(suffix),
                    _ => continue,
                }
            };
            found.push((shown, id.clone()));
        }
        found.sort();
        files.extend(found);
    }
    files.dedup_by(|a, b| a.0 == b.0);
    let ids: Vec<String> = files.iter().map(|f| f.1.clone()).collect();
    let blobs = cat_files(&root, &ids)?;
    for ((shown, _), blob) in files.iter().zip(blobs) {
        let text = String::from_utf8(blob).map_err(|_| {
            Failure(format!(
                "`{}` is not valid UTF-8 at `{rev}`; aclc reads UTF-8 files only",
                load::display(shown)
            ))
        })?;
        sources.add(load::display(shown), text, Origin::User);
    }
    Ok(sources)
}

/// `target` relative to `base` (both absolute), with `..` as needed.
fn relative(base: &Path, target: &Path) -> PathBuf {
    let b: Vec<Component> = base.components().collect();
    let t: Vec<Component> = target.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    out
}
