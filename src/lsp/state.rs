//! What the language server holds between messages: the policy set of the
//! workspace as a [`Workspace`] (files on disk, with the editor's unsaved
//! buffers laid over them), its latest analysis, and what was last
//! published for each file. No protocol types here beyond URIs: the
//! conversion to LSP diagnostics is in [`super::convert`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use crate::analysis::Analysis;
use crate::config::{self, Settings};
use crate::diagnostic::Diagnostic;
use crate::load;
use crate::source::{FileId, Origin, SourceMap};
use crate::workspace::Workspace;

/// A change to apply before the next analysis.
#[derive(Clone, Debug)]
pub enum Change {
    /// The text of a file is now this (an edited buffer, a file changed
    /// or created on disk).
    Text(String, Arc<str>),
    /// The file is gone: it takes part no more (as an empty file, whose
    /// id stays valid).
    Removed(String),
    /// `aclc.toml` changed: load the whole policy set again.
    Reload,
    /// Nothing changed, analyze all the same (the first analysis).
    Reanalyze,
}

/// A text parsed ahead of [`State::apply`] ([`State::preparse`]).
#[derive(Debug)]
pub struct Preparsed {
    path: String,
    text: Arc<str>,
    id: FileId,
    parsed: crate::syntax::ast::ParsedFile,
}

/// The server's view of the workspace.
pub struct State {
    /// The first workspace folder (where `aclc.toml` is looked for).
    root: Option<PathBuf>,
    settings: Settings,
    workspace: Workspace,
    /// The diagnostics last published, by path (paths survive a reload,
    /// file ids may not).
    published: HashMap<String, Vec<Diagnostic>>,
    /// A problem loading the workspace (a broken `aclc.toml`), to tell the user.
    pub load_error: Option<String>,
}

impl State {
    /// Load the policy set of the workspace folder `root` (none: only the
    /// files the editor opens).
    pub fn load(root: Option<PathBuf>) -> State {
        let (settings, sources, load_error) = load_workspace(root.as_deref());
        State {
            workspace: Workspace::new(sources, settings.options.clone()),
            root,
            settings,
            published: HashMap::new(),
            load_error,
        }
    }

    /// The policy paths of the workspace (files and folders).
    pub fn policy_paths(&self) -> Vec<PathBuf> {
        self.settings.paths.clone()
    }

    /// Parse the texts of `changes` (the last text of each path) as
    /// [`State::apply`] would, ahead of it: the server does it while it
    /// waits for more edits.
    pub fn preparse(&self, changes: &[(String, Arc<str>)]) -> Vec<Preparsed> {
        changes
            .iter()
            .map(|(path, text)| {
                let id = self.workspace.file_id(path);
                Preparsed {
                    path: path.clone(),
                    text: Arc::clone(text),
                    id,
                    parsed: crate::syntax::parse_file(id, text),
                }
            })
            .collect()
    }

    /// Apply changes (in order), re-parsing only the files they touch
    /// (a text in `preparsed` is not parsed again); `open` are the
    /// editor's buffers (laid over the files again after a reload).
    pub fn apply(
        &mut self,
        changes: Vec<Change>,
        open: &HashMap<String, Arc<str>>,
        mut preparsed: Vec<Preparsed>,
    ) {
        for change in changes {
            match change {
                Change::Text(path, text) => {
                    let ready = preparsed
                        .iter()
                        .position(|p| p.path == path && Arc::ptr_eq(&p.text, &text))
                        .map(|i| {
                            let p = preparsed.swap_remove(i);
                            (p.id, p.parsed)
                        });
                    self.workspace.set_text_parsed(&path, text, ready);
                }
                Change::Removed(path) => {
                    if self.workspace.sources().find(&path).is_some() {
                        self.workspace.set_text(&path, "");
                    }
                }
                Change::Reanalyze => {}
                Change::Reload => {
                    let (settings, sources, error) = load_workspace(self.root.as_deref());
                    self.settings = settings;
                    self.load_error = error;
                    self.workspace = Workspace::new(sources, self.settings.options.clone());
                    for (path, text) in open {
                        self.workspace.set_text(path, Arc::clone(text));
                    }
                }
            }
        }
    }

    /// Analyze the policy set as it is now (reusing the previous analysis
    /// where the engine can).
    pub fn analyze(&mut self) -> Arc<Analysis> {
        self.workspace.analyze()
    }

    /// The user files whose diagnostics differ from what was last
    /// published, by path, with their new diagnostics (empty: clear them);
    /// records them as published. Diagnostics are compared in the engine's
    /// model, so nothing is converted for files that did not change.
    pub fn changed_files<'a>(
        &mut self,
        analysis: &'a Analysis,
    ) -> Vec<(String, Vec<&'a Diagnostic>)> {
        let sources = &analysis.model.sources;
        let mut by_file: HashMap<FileId, Vec<&Diagnostic>> = HashMap::new();
        for d in &analysis.diagnostics {
            if sources.file(d.span.file).origin == Origin::User {
                by_file.entry(d.span.file).or_default().push(d);
            }
        }
        let mut out = Vec::new();
        let mut current = std::collections::HashSet::new();
        for (&file, diags) in &by_file {
            let path = &sources.file(file).path;
            current.insert(path.as_str());
            let same = self.published.get(path).is_some_and(|old| {
                old.len() == diags.len() && old.iter().zip(diags).all(|(a, b)| a == *b)
            });
            if !same {
                out.push((path.clone(), diags.clone()));
            }
        }
        for path in self.published.keys() {
            if !current.contains(path.as_str()) {
                out.push((path.clone(), Vec::new()));
            }
        }
        for (path, diags) in &out {
            if diags.is_empty() {
                self.published.remove(path);
            } else {
                self.published
                    .insert(path.clone(), diags.iter().map(|d| (*d).clone()).collect());
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// Settings and files of the workspace at `root`: `aclc.toml` found from
/// it (its policy paths, else the folder it is in), else every `.acl` file
/// under `root`. A broken `aclc.toml` is reported and the defaults used.
fn load_workspace(root: Option<&Path>) -> (Settings, SourceMap, Option<String>) {
    let mut error = None;
    let mut settings = Settings::default();
    if let Some(root) = root {
        match config::discover(root) {
            Some(file) => match load::read_text(&file).and_then(|t| config::parse(&t, &file)) {
                Ok(s) => settings = s,
                Err(e) => error = Some(e),
            },
            None => settings.file = None,
        }
        if settings.paths.is_empty() {
            let dir = settings
                .file
                .as_deref()
                .and_then(Path::parent)
                .unwrap_or(root);
            settings.paths = vec![dir.to_path_buf()];
        }
    }
    let sources = match load::load(&settings.paths, &settings.predefined) {
        Ok(s) => s,
        Err(e) => {
            error.get_or_insert(e);
            load::load_predefined(&settings.predefined).unwrap_or_default()
        }
    };
    (settings, sources, error)
}

/// Whether `path` is a policy file under one of the policy paths.
pub fn is_policy_file(paths: &[PathBuf], path: &str) -> bool {
    path.ends_with(".acl") && paths.iter().any(|p| Path::new(path).starts_with(p))
}

/// The path a `file:` URI names, as the workspace shows it.
pub fn path_of(uri: &Uri) -> Option<String> {
    uri.to_file_path().map(|p| load::display(&p))
}

/// The URI of a file of the workspace, by path.
pub fn uri_of(path: &str) -> Option<Uri> {
    let path = Path::new(path);
    if path.is_absolute() {
        Uri::from_file_path(path)
    } else {
        std::env::current_dir()
            .ok()
            .and_then(|d| Uri::from_file_path(d.join(path)))
    }
}
