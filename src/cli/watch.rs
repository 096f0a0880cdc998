//! `aclc watch`: re-check (and rebuild) the policy set on every change.
//!
//! The policy set is held in a [`Workspace`], so a change re-reads and
//! re-parses only the files it touches before the set is analyzed again.
//! File events come from `notify` through its debouncer; they only say
//! *where* to look: each batch is turned into file texts compared with what
//! the workspace holds, so editors' swap and backup files, our own output
//! and saves that change nothing stay quiet. A policy folder that
//! disappears is watched for from its parent and watched again when it
//! comes back (a new folder is a new inode: the old watch is dead).
//!
//! Events name folders that were only opened (listing the policy folder,
//! writing the build output): a folder's event leads to a new listing only
//! when the folder's modification time, size or identity is not the one
//! seen at its previous event, else each listing would cause the next.
//! And events can be lost: after a policy folder came back, its new watch
//! was seen (rarely, on a loaded machine) to report nothing. So once a
//! second the known files' modification times and sizes are compared with
//! those seen just before they were read; a file that differs is read as
//! if an event had named it, and every watch is set up again.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use notify::{RecursiveMode, Watcher};
use notify_debouncer_mini::{new_debouncer, DebounceEventResult};

use super::build::{write_outputs, Emit};
use super::{Cli, Failure, Outcome};
use aclc::analysis::Analysis;
use aclc::config::{self, Settings};
use aclc::diagnostic::Summary;
use aclc::load;
use aclc::source::{Origin, SourceMap};
use aclc::workspace::Workspace;

/// Shown after `aclc help watch`.
pub const EXAMPLES: &str = "\
Examples:
  aclc watch                                     re-check on every change (Ctrl-C stops)
  aclc watch -p policies/examples --build dist   also rebuild dist/acl.json after each good change";

/// How often the known files' stamps are compared ([`State::sweep`]).
const SWEEP: Duration = Duration::from_secs(1);

/// A file's or folder's modification time, size and identity.
type Stamp = (SystemTime, u64, Option<(u64, u64)>);

/// `path`'s [`Stamp`], if it can be read.
fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len(), identity_of(&m)))
}

/// New findings listed after a change; the counts cover the rest.
const SHOWN_FINDINGS: usize = 8;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rebuild the tables into this folder after every change without
    /// errors (as `aclc build --out DIR`); a broken change keeps the last
    /// good output
    #[arg(long, value_name = "DIR")]
    build: Option<PathBuf>,
    /// What to rebuild (comma-separated), as `aclc build --emit`
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "json",
        requires = "build"
    )]
    emit: Vec<Emit>,
    /// How long the files must be quiet before a check, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 200)]
    debounce: u64,
}

/// What the main loop waits for.
enum Message {
    Files(DebounceEventResult),
    Stop,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let settings = cli.settings()?;
    let cwd = std::env::current_dir()
        .map_err(|e| Failure(format!("cannot read the current folder: {e}")))?;
    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Message::Stop);
    })
    .map_err(|e| Failure(format!("cannot catch Ctrl-C: {e}")))?;
    let mut debouncer = new_debouncer(Duration::from_millis(args.debounce), move |r| {
        let _ = tx.send(Message::Files(r));
    })
    .map_err(|e| Failure(format!("cannot watch files: {e}")))?;
    let mut state = State::new(cli, cwd, settings, args)?;
    state.arm(debouncer.watcher());
    let shown: Vec<String> = state
        .settings
        .paths
        .iter()
        .map(|p| format!("`{}`", load::display(p)))
        .collect();
    println!(
        "watching {}{}; Ctrl-C stops",
        shown.join(", "),
        state
            .settings
            .file
            .as_ref()
            .map(|f| format!(" and `{}`", load::display(f)))
            .unwrap_or_default()
    );
    state.check(&[("", Change::Initial)]);
    let mut sweep_at = Instant::now() + SWEEP;
    loop {
        let wait = sweep_at.saturating_duration_since(Instant::now());
        let message = match rx.recv_timeout(wait) {
            Ok(message) => message,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                state.sweep(debouncer.watcher());
                sweep_at = Instant::now() + SWEEP;
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut events = Vec::new();
        let mut stopping = false;
        // Take every batch already waiting: one check for all of them.
        for m in std::iter::once(message).chain(std::iter::from_fn(|| rx.try_recv().ok())) {
            match m {
                Message::Stop => stopping = true,
                Message::Files(Ok(batch)) => events.extend(batch.into_iter().map(|e| e.path)),
                Message::Files(Err(e)) => println!("{} watch error: {e}", clock()),
            }
        }
        if stopping {
            break;
        }
        state.on_events(events, debouncer.watcher());
        // A stream of events does not put the comparison off.
        if Instant::now() >= sweep_at {
            state.sweep(debouncer.watcher());
            sweep_at = Instant::now() + SWEEP;
        }
    }
    println!("{} stopped", clock());
    Ok(Outcome::Clean)
}

/// What happened to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    Initial,
    Added,
    Changed,
    Removed,
    Settings,
}

/// The watcher's state between changes.
struct State<'a> {
    cli: &'a Cli,
    args: &'a Args,
    cwd: PathBuf,
    settings: Settings,
    workspace: Workspace,
    /// The user files in the workspace now: absolute path → path as shown.
    known: BTreeMap<PathBuf, String>,
    /// What is watched, with the identity of the folder or file then.
    armed: HashMap<PathBuf, (bool, Option<(u64, u64)>)>,
    /// The policy paths found missing at the latest scan.
    missing: BTreeSet<PathBuf>,
    /// Per known file: its [`Stamp`] just before it was last read.
    stamps: HashMap<PathBuf, Option<Stamp>>,
    /// Per folder named by an event: its [`Stamp`] then.
    folders: HashMap<PathBuf, Option<Stamp>>,
    /// The findings of the latest check (code, file, message).
    findings: HashSet<(String, String, String)>,
    /// Whether an output was written since the watch began.
    built: bool,
}

impl<'a> State<'a> {
    fn new(
        cli: &'a Cli,
        cwd: PathBuf,
        settings: Settings,
        args: &'a Args,
    ) -> Result<State<'a>, Failure> {
        let workspace = Workspace::new(SourceMap::new(), settings.options.clone());
        let mut state = State {
            cli,
            args,
            cwd,
            settings,
            workspace,
            known: BTreeMap::new(),
            armed: HashMap::new(),
            missing: BTreeSet::new(),
            stamps: HashMap::new(),
            folders: HashMap::new(),
            findings: HashSet::new(),
            built: false,
        };
        state.load_all()?;
        Ok(state)
    }

    /// Read every policy file into a new workspace (parsed in parallel).
    fn load_all(&mut self) -> Result<(), Failure> {
        let mut sources = load::load_predefined(&self.settings.predefined)?;
        self.known.clear();
        for (abs, shown) in self.list() {
            match self.read(&abs) {
                Ok(text) => {
                    sources.add(shown.clone(), text, Origin::User);
                    self.known.insert(abs, shown);
                }
                Err(e) => println!("{} cannot read `{shown}`: {}", clock(), load::io_reason(&e)),
            }
        }
        self.workspace = Workspace::new(sources, self.settings.options.clone());
        Ok(())
    }

    fn absolute(&self, p: &Path) -> PathBuf {
        let joined = self.cwd.join(p);
        std::path::absolute(&joined).unwrap_or(joined)
    }

    /// Bring the watches in line with the file system: every policy path
    /// (again, when it was re-created), the nearest existing folder above
    /// each (to see it come back) and the folder of `aclc.toml`. Returns
    /// whether a policy path was (re-)armed.
    fn arm(&mut self, watcher: &mut dyn Watcher) -> bool {
        let mut want: BTreeMap<PathBuf, bool> = BTreeMap::new();
        let roots: Vec<PathBuf> = self
            .settings
            .paths
            .iter()
            .map(|p| self.absolute(p))
            .collect();
        for root in &roots {
            if root.exists() {
                want.insert(root.clone(), root.is_dir());
            }
            let mut above = root.parent();
            while let Some(dir) = above {
                if dir.is_dir() {
                    want.entry(dir.to_path_buf()).or_insert(false);
                    break;
                }
                above = dir.parent();
            }
        }
        if let Some(dir) = self
            .settings
            .file
            .as_ref()
            .and_then(|f| self.absolute(f).parent().map(Path::to_path_buf))
        {
            want.entry(dir).or_insert(false);
        }
        let mut rearmed = false;
        for (path, recursive) in &want {
            let now = (*recursive, identity(path));
            if self.armed.get(path) == Some(&now) {
                continue;
            }
            let _ = watcher.unwatch(path);
            let mode = if *recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            match watcher.watch(path, mode) {
                Ok(()) => {
                    self.armed.insert(path.clone(), now);
                    rearmed |= roots.contains(path);
                }
                Err(e) => {
                    self.armed.remove(path);
                    println!("{} cannot watch `{}`: {e}", clock(), load::display(path));
                }
            }
        }
        let stale: Vec<PathBuf> = self
            .armed
            .keys()
            .filter(|p| !want.contains_key(*p))
            .cloned()
            .collect();
        for p in stale {
            let _ = watcher.unwatch(&p);
            self.armed.remove(&p);
        }
        rearmed
    }

    /// Turn a batch of event paths into file changes, then check.
    fn on_events(&mut self, events: Vec<PathBuf>, watcher: &mut dyn Watcher) {
        let config = self.settings.file.as_ref().map(|f| self.absolute(f));
        let mut reread = BTreeSet::new();
        let mut rescan = false;
        let mut reload = false;
        for path in events {
            if config.as_ref() == Some(&path)
                || (config.is_none() && path.file_name() == Some(config::FILE_NAME.as_ref()))
            {
                reload = true;
            } else if ignored(&path) {
                continue;
            } else if self.known.contains_key(&path) {
                reread.insert(path);
            } else if path.extension().is_some_and(|e| e == "acl") {
                // A new policy file: find out from the folders.
                rescan = true;
            } else if !path.is_file() {
                // A folder created, renamed or removed, or a policy path
                // itself — or only opened, which changes nothing.
                let now = stamp(&path);
                rescan |= self.folders.insert(path, now) != Some(now);
            }
        }
        if reload {
            self.reload(watcher);
            return;
        }
        if self.arm(watcher) {
            rescan = true;
        }
        let mut changes: Vec<(String, Change)> = Vec::new();
        for path in reread {
            if let Some(change) = self.reread(&path) {
                // A file gone, maybe with its folder: list the folders, so
                // a folder that went away takes all its files at once.
                rescan |= change.1 == Change::Removed;
                changes.push(change);
            }
        }
        if rescan {
            changes.extend(self.rescan());
        }
        changes.sort();
        changes.dedup();
        if !changes.is_empty() {
            let changes: Vec<(&str, Change)> =
                changes.iter().map(|(p, c)| (p.as_str(), *c)).collect();
            self.check(&changes);
        }
    }

    /// Read a policy file, its [`Stamp`] taken first (a change after it
    /// shows in the next [`State::sweep`]).
    fn read(&mut self, abs: &Path) -> std::io::Result<String> {
        self.stamps.insert(abs.to_path_buf(), stamp(abs));
        std::fs::read_to_string(abs)
    }

    /// Compare the known files' stamps with those seen when they were
    /// read, and the policy paths' presence with the latest scan: what a
    /// lost event would have said. A file found changed this way means a
    /// watch failed, so every watch is set up again.
    fn sweep(&mut self, watcher: &mut dyn Watcher) {
        let mut events: Vec<PathBuf> = self
            .known
            .keys()
            .filter(|abs| self.stamps.get(*abs).is_none_or(|s| *s != stamp(abs)))
            .cloned()
            .collect();
        if !events.is_empty() {
            self.armed.clear();
        }
        for p in &self.settings.paths {
            if p.exists() == self.missing.contains(p) {
                events.push(self.absolute(p));
            }
        }
        if !events.is_empty() {
            self.on_events(events, watcher);
        }
    }

    /// Read a known file again; its change, if its text is not the one the
    /// workspace holds.
    fn reread(&mut self, abs: &Path) -> Option<(String, Change)> {
        let shown = self.known.get(abs)?.clone();
        match self.read(abs) {
            Ok(text) => self.set(&shown, text).then_some((shown, Change::Changed)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.known.remove(abs);
                self.set(&shown, String::new());
                Some((shown, Change::Removed))
            }
            Err(e) => {
                println!("{} cannot read `{shown}`: {}", clock(), load::io_reason(&e));
                None
            }
        }
    }

    /// Set a file's text in the workspace; whether it differs.
    fn set(&mut self, shown: &str, text: String) -> bool {
        let same = self
            .workspace
            .sources()
            .find(shown)
            .is_some_and(|id| *self.workspace.sources().file(id).text == *text);
        if !same {
            self.workspace.set_text(shown, text);
        }
        !same
    }

    /// List the policy files again: files that appeared are read, files
    /// that are gone are emptied (a file id stays valid); known files are
    /// not read.
    fn rescan(&mut self) -> Vec<(String, Change)> {
        let found = self.list();
        let mut changes = Vec::new();
        let gone: Vec<(PathBuf, String)> = self
            .known
            .iter()
            .filter(|(abs, _)| !found.contains_key(*abs))
            .map(|(a, s)| (a.clone(), s.clone()))
            .collect();
        for (abs, shown) in gone {
            self.known.remove(&abs);
            self.set(&shown, String::new());
            changes.push((shown, Change::Removed));
        }
        for (abs, shown) in found {
            if self.known.contains_key(&abs) {
                continue;
            }
            match self.read(&abs) {
                Ok(text) => {
                    let existed = self.workspace.sources().find(&shown).is_some();
                    if self.set(&shown, text) || !existed {
                        changes.push((shown.clone(), Change::Added));
                    }
                    self.known.insert(abs, shown);
                }
                Err(e) => println!("{} cannot read `{shown}`: {}", clock(), load::io_reason(&e)),
            }
        }
        changes
    }

    /// The policy files under the policy paths now (absolute path → path
    /// as shown); says which policy paths went missing.
    fn list(&mut self) -> BTreeMap<PathBuf, String> {
        let mut found: BTreeMap<PathBuf, String> = BTreeMap::new();
        let mut missing = BTreeSet::new();
        for p in &self.settings.paths {
            if !p.exists() {
                missing.insert(p.clone());
                continue;
            }
            match load::collect(std::slice::from_ref(p)) {
                Ok(files) => {
                    for f in files {
                        found.insert(self.absolute(&f), load::display(&f));
                    }
                }
                // Removed while it was listed: it is missing.
                Err(_) => {
                    missing.insert(p.clone());
                }
            }
        }
        for p in missing.difference(&self.missing) {
            println!(
                "{} `{}` is missing; waiting for it to come back",
                clock(),
                load::display(p)
            );
        }
        self.missing = missing;
        found
    }

    /// `aclc.toml` changed: read the settings and every file again.
    fn reload(&mut self, watcher: &mut dyn Watcher) {
        // The command line's `-p` and `--config` still apply.
        let settings = match self.cli.settings() {
            Ok(s) => s,
            Err(Failure(e)) => {
                println!(
                    "{} {e}\n  the previous settings stay in force until it is fixed",
                    clock()
                );
                return;
            }
        };
        let previous = std::mem::replace(&mut self.settings, settings);
        self.missing.clear();
        self.arm(watcher);
        if let Err(Failure(e)) = self.load_all() {
            println!("{} {e}", clock());
            self.settings = previous;
            return;
        }
        let file = self
            .settings
            .file
            .as_ref()
            .map_or_else(|| config::FILE_NAME.to_string(), |f| load::display(f));
        self.check(&[(file.as_str(), Change::Settings)]);
    }

    /// Analyze the workspace, print the summary, rebuild.
    fn check(&mut self, changes: &[(&str, Change)]) {
        let start = Instant::now();
        let analysis = self.workspace.analyze();
        let took = start.elapsed();
        let counts = Summary::of(&analysis.diagnostics);
        let sources = &analysis.model.sources;
        let mut out = format!(
            "{} {}: {}, {}{} ({} ms)\n",
            clock(),
            describe_changes(changes),
            plural(counts.errors, "error"),
            plural(counts.warnings, "warning"),
            if counts.infos > 0 {
                format!(", {}", plural(counts.infos, "info"))
            } else {
                String::new()
            },
            took.as_millis()
        );
        let mut now = HashSet::new();
        let mut fresh = Vec::new();
        for d in &analysis.diagnostics {
            let key = (
                d.code.to_string(),
                sources.file(d.span.file).path.clone(),
                d.message.clone(),
            );
            if !self.findings.contains(&key) {
                fresh.push(d);
            }
            now.insert(key);
        }
        let gone = self.findings.difference(&now).count();
        for d in fresh.iter().take(SHOWN_FINDINGS) {
            out.push_str(&format!(
                "  + {}[{}] {}: {}\n",
                d.severity,
                d.code,
                sources.location(d.span),
                d.message
            ));
        }
        if fresh.len() > SHOWN_FINDINGS {
            out.push_str(&format!(
                "  + {} more new (run `aclc check` for all)\n",
                fresh.len() - SHOWN_FINDINGS
            ));
        }
        if gone > 0 && !matches!(changes, [(_, Change::Initial)]) {
            out.push_str(&format!("  - {} gone\n", plural(gone, "finding")));
        }
        self.findings = now;
        out.push_str(&self.rebuild(&analysis, counts.errors));
        print!("{out}");
    }

    /// Write the outputs for a good analysis; say what was kept otherwise.
    fn rebuild(&mut self, analysis: &Arc<Analysis>, errors: usize) -> String {
        let Some(dir) = &self.args.build else {
            return String::new();
        };
        let shown = load::display(dir);
        let kept = if self.built {
            format!("`{shown}` keeps the last good output")
        } else {
            "nothing built yet".to_string()
        };
        let user_files = analysis
            .model
            .sources
            .iter()
            .filter(|(_, f)| f.origin == Origin::User && !f.text.is_empty())
            .count();
        if errors > 0 {
            return format!(
                "  build skipped: {} in the policy set; {kept}\n",
                plural(errors, "error")
            );
        }
        if user_files == 0 {
            return format!("  build skipped: no policy files; {kept}\n");
        }
        match write_outputs(analysis, dir, &self.args.emit) {
            Ok(()) => {
                self.built = true;
                format!("  built `{shown}`\n")
            }
            Err(Failure(e)) => format!("  build failed: {e}; {kept}\n"),
        }
    }
}

/// A file name only editors and tools make: swap, backup, lock and
/// temporary files (`.x.acl.swp`, `x.acl~`, `.#x.acl`, vim's `4913`) and
/// hidden files, which `aclc` never reads.
fn ignored(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return true;
    };
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || path.extension().is_some_and(|e| {
            ["swp", "swx", "swo", "swn", "tmp", "bak", "orig"]
                .iter()
                .any(|x| e == *x)
        })
}

/// The identity of a file or folder (re-created: a new identity).
fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().and_then(|m| identity_of(&m))
}

/// [`identity`] from a path's metadata.
fn identity_of(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

/// `acl/a.acl changed`, `3 files changed (acl/a.acl, acl/b.acl, …)`.
fn describe_changes(changes: &[(&str, Change)]) -> String {
    match changes {
        [(_, Change::Initial)] => "checked".to_string(),
        [(file, Change::Settings)] => format!("`{file}` changed: everything reloaded"),
        [(file, c)] => format!("{file} {}", verb(*c)),
        _ => {
            let listed: Vec<String> = changes
                .iter()
                .take(3)
                .map(|(f, c)| format!("{f} {}", verb(*c)))
                .collect();
            let more = changes.len().saturating_sub(3);
            format!(
                "{} files changed ({}{})",
                changes.len(),
                listed.join(", "),
                if more > 0 {
                    format!(", and {more} more")
                } else {
                    String::new()
                }
            )
        }
    }
}

fn verb(c: Change) -> &'static str {
    match c {
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Initial | Change::Changed | Change::Settings => "changed",
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The time of day, UTC: `[14:03:27]`.
fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let day = secs % 86_400;
    format!("[{:02}:{:02}:{:02}]", day / 3600, day % 3600 / 60, day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_are_ignored_policy_files_are_not() {
        for junk in [
            "acl/.a.acl.swp",
            "acl/a.acl.swx",
            "acl/a.acl~",
            "acl/.#a.acl",
            "acl/4913",
            "acl/a.acl.tmp",
            "acl/a.acl.bak",
            "acl/.hidden.acl",
        ] {
            assert!(ignored(Path::new(junk)), "{junk}");
        }
        for real in ["acl/a.acl", "acl/sub", "aclc.toml", "acl/4913.acl"] {
            assert!(!ignored(Path::new(real)), "{real}");
        }
    }

    #[test]
    fn changes_are_summed_up_in_one_line() {
        assert_eq!(describe_changes(&[("", Change::Initial)]), "checked");
        assert_eq!(
            describe_changes(&[("acl/a.acl", Change::Changed)]),
            "acl/a.acl changed"
        );
        assert_eq!(
            describe_changes(&[
                ("a.acl", Change::Removed),
                ("b.acl", Change::Added),
                ("c.acl", Change::Changed),
                ("d.acl", Change::Changed),
                ("e.acl", Change::Changed),
            ]),
            "5 files changed (a.acl removed, b.acl added, c.acl changed, and 2 more)"
        );
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(0, "error"), "0 errors");
    }
}
