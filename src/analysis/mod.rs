//! Analysis: runs the lints over the model, applies suppressions and the
//! configured severities. The one entry point every front end calls is
//! [`analyze`].

pub mod lints;
pub mod region;
pub mod semantics;

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Model;
use crate::source::SourceMap;
use crate::syntax::{self, ast::ParsedFile};

/// What a lint is set to in `aclc.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Not reported.
    Off,
    /// Reported at this severity.
    On(Severity),
}

/// Options of an analysis.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Severity overrides by lint code.
    pub levels: HashMap<String, Level>,
}

/// The result of analyzing a policy set.
#[derive(Debug)]
pub struct Analysis {
    /// The semantic model (with its sources).
    pub model: Model,
    /// Findings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The exact rule analysis (regions of every access level's decisions).
    pub semantics: semantics::Semantics,
}

impl Analysis {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Parse every file of `sources`.
pub fn parse_all(sources: &SourceMap) -> Vec<ParsedFile> {
    sources
        .iter()
        .map(|(id, f)| syntax::parse_file(id, &f.text))
        .collect()
}

/// Analyze a policy set held in memory: parse, build the model, run every
/// lint, apply suppressions and configured severities.
pub fn analyze(sources: SourceMap, options: &Options) -> Analysis {
    let parsed = parse_all(&sources);
    let model = Model::build(sources, parsed);
    let cx = lints::Context::new(&model);
    let diagnostics = run_lints(&cx, options);
    let semantics = cx
        .into_semantics()
        .unwrap_or_else(|| semantics::Semantics::new(&model));
    Analysis {
        model,
        diagnostics,
        semantics,
    }
}

/// Run every registered lint.
pub fn run_lints(cx: &lints::Context<'_>, options: &Options) -> Vec<Diagnostic> {
    let model = cx.model;
    let mut diags = Vec::new();
    for lint in lints::ALL {
        lint.check(cx, &mut diags);
    }
    let unused = lints::unused_ignore::apply_suppressions(model, &mut diags);
    diags.extend(unused);
    diags.retain_mut(|d| match options.levels.get(d.code) {
        Some(Level::Off) => false,
        Some(Level::On(s)) => {
            d.severity = *s;
            true
        }
        None => true,
    });
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
    diags
}
