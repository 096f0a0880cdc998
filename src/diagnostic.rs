//! The one diagnostic model. Every front end (terminal, JSON, SARIF, GitHub,
//! language server) converts from it; none re-decides labels or severity.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::source::{SourceFile, Span};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// A problem that does not fail `check` unless `--deny-warnings`.
    Warning,
    /// Fails `check` (exit 1) and stops `build`.
    Error,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A labelled span elsewhere that explains a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What it is to the finding.
    pub message: String,
}

/// One finding: where it is and how serious, and what it says
/// ([`Details`], read through the finding; shared by its copies, so a
/// re-analysis takes over an earlier finding by reference).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The lint code (kebab-case, from the lint registry).
    pub code: &'static str,
    /// The severity in force (after `aclc.toml`).
    pub severity: Severity,
    /// The primary span.
    pub span: Span,
    details: Arc<Details>,
}

/// What a finding says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Details {
    /// One line, lower case, no final period; user names in backticks.
    pub message: String,
    /// The label on the primary span.
    pub label: String,
    /// Related spans with labels.
    pub related: Vec<Related>,
    /// What to do about it.
    pub help: Option<String>,
    /// The access levels concerned.
    pub access_levels: Vec<String>,
    /// The whole region concerned, as permissions, when the analysis was
    /// asked for it (`check --format json --regions`); messages name only a
    /// few parts of a region.
    pub regions: Vec<String>,
    /// Safe quick fixes (applied by `aclc fix`, offered as code actions).
    pub fixes: Vec<Fix>,
}

impl std::ops::Deref for Diagnostic {
    type Target = Details;

    fn deref(&self) -> &Details {
        &self.details
    }
}

/// One replacement in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// What is replaced (an empty span inserts).
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// A quick fix: edits that settle a finding without changing what the
/// policy set means beyond what the finding asks for (removing what never
/// decides changes no decision; a did-you-mean replaces a name that
/// resolves to nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What it does, as a command: "remove the redundant rule".
    pub title: String,
    /// The edits, in one file, not overlapping.
    pub edits: Vec<Edit>,
}

impl Edit {
    /// Replace `span` with `text`.
    pub fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            span,
            text: text.into(),
        }
    }

    /// Remove the statement at `span` of `file`: its whole line(s) when
    /// nothing but white space and a comment share them, else the
    /// statement alone.
    pub fn remove_statement(file: &SourceFile, span: Span) -> Edit {
        let first = file.lines.line_of(span.start);
        let last = file.lines.line_of(span.end);
        let start = file.lines.line_start(first) as usize;
        let end = file.next_line_start(last);
        let text = &file.text;
        let before = text.get(start..span.start as usize).unwrap_or("x");
        let after = text.get(span.end as usize..end).unwrap_or("x").trim();
        if before.trim().is_empty() && (after.is_empty() || after.starts_with('#')) {
            Edit::replace(Span::new(span.file, start, end), "")
        } else {
            Edit::replace(span, "")
        }
    }

    /// Remove name `i` of a list statement (`include "A", "B"`) whose
    /// names are at `names`, with its comma; the whole statement (`stmt`)
    /// when it is the only name.
    pub fn remove_list_item(file: &SourceFile, stmt: Span, names: &[Span], i: usize) -> Edit {
        let span = match (
            i.checked_sub(1).and_then(|p| names.get(p)),
            names.get(i),
            names.get(i + 1),
        ) {
            (_, None, _) => return Edit::replace(names.get(i).copied().unwrap_or(stmt), ""),
            (None, Some(_), None) => return Edit::remove_statement(file, stmt),
            (Some(prev), Some(this), _) => {
                Span::new(this.file, prev.end as usize, this.end as usize)
            }
            (None, Some(this), Some(next)) => {
                Span::new(this.file, this.start as usize, next.start as usize)
            }
        };
        Edit::replace(span, "")
    }
}

impl Diagnostic {
    /// A finding with the code's default severity; refine it with the builders.
    pub fn new(
        lint: &crate::analysis::lints::LintInfo,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code: lint.code,
            severity: lint.default_severity,
            span,
            details: Arc::new(Details {
                message: exact(message.into()),
                label: String::new(),
                related: Vec::new(),
                help: None,
                access_levels: Vec::new(),
                regions: Vec::new(),
                fixes: Vec::new(),
            }),
        }
    }

    /// What it says, to change (a copy, when other copies of the finding
    /// share it).
    pub fn details_mut(&mut self) -> &mut Details {
        Arc::make_mut(&mut self.details)
    }

    /// Offer a quick fix.
    pub fn fix(mut self, title: impl Into<String>, edits: Vec<Edit>) -> Diagnostic {
        let d = self.details_mut();
        d.fixes.reserve_exact(1);
        d.fixes.push(Fix {
            title: title.into(),
            edits,
        });
        self
    }

    /// Set the primary label.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.details_mut().label = label.into();
        self
    }

    /// Set the help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.details_mut().help = Some(exact(help.into()));
        self
    }

    /// Add a related span.
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        let d = self.details_mut();
        d.related.reserve_exact(1);
        d.related.push(Related {
            span,
            message: exact(message.into()),
        });
        self
    }

    /// Name an access level concerned.
    pub fn access_level(mut self, name: impl Into<String>) -> Diagnostic {
        let d = self.details_mut();
        d.access_levels.reserve_exact(1);
        d.access_levels.push(name.into());
        self
    }

    /// Add lines of the whole region concerned.
    pub fn regions(mut self, lines: impl IntoIterator<Item = String>) -> Diagnostic {
        self.details_mut().regions.extend(lines);
        self
    }

    /// Order for output: file, position, code, message.
    pub fn sort_key(&self) -> (u32, u32, u32, &'static str, &str) {
        (
            self.span.file.0,
            self.span.start,
            self.span.end,
            self.code,
            &self.message,
        )
    }
}

/// `text` holding no more room than it needs. A finding is built once and
/// kept until the output is written: at the messy legacy million there
/// are 372,000 of them, and room grown for a `format!` or a first `push`
/// (four items) would be kept as long.
fn exact(mut text: String) -> String {
    text.shrink_to_fit();
    text
}

/// Apply edits (sorted by position, not overlapping) to a text; `None`
/// when they overlap or fall outside it.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for e in edits {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            return None;
        }
        out.push_str(&text[at..start]);
        out.push_str(&e.text);
        at = end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Of the fixes offered for one file, those that can be applied together
/// (in position order, each skipped when it overlaps one taken before),
/// and their edits in order.
pub fn compatible_fixes<'a>(fixes: &[&'a Fix]) -> (Vec<&'a Fix>, Vec<&'a Edit>) {
    let mut sorted: Vec<&Fix> = fixes.to_vec();
    sorted.sort_by_key(|f| f.edits.iter().map(|e| (e.span.start, e.span.end)).min());
    let mut taken: Vec<&Fix> = Vec::new();
    let mut edits: Vec<&Edit> = Vec::new();
    for f in sorted {
        let overlaps = f.edits.iter().any(|e| {
            edits.iter().any(|t| {
                (e.span.start < t.span.end && t.span.start < e.span.end) || e.span == t.span
            })
        });
        if !overlaps {
            taken.push(f);
            edits.extend(f.edits.iter());
        }
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    (taken, edits)
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl Summary {
    /// Count `diags`.
    pub fn of(diags: &[Diagnostic]) -> Summary {
        let mut s = Summary::default();
        for d in diags {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

/// Names longer than this (in bytes) get no "did you mean" and are never
/// suggested: Jaro-Winkler takes time proportional to the product of the
/// lengths, so two 1-MB names took minutes, and nobody mistypes a name of
/// hundreds of characters expecting a suggestion.
const SUGGEST_MAX_LEN: usize = 256;

/// "did you mean `x`?" for `name` among `candidates`, if one is close.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    Suggester::new(candidates).suggest(name).map(str::to_string)
}

/// How many name comparisons one [`Suggester`] makes in all. Beyond it,
/// names get no suggestion: a policy set with tens of thousands of unknown
/// names among tens of thousands of declared ones would otherwise spend
/// minutes on suggestions (billions of comparisons).
const SUGGEST_BUDGET: u64 = 2_000_000;

/// "Did you mean" for many names among one set of candidates: candidates
/// are prepared once, each distinct name is looked up once, and the total
/// work is bounded (two million comparisons).
pub struct Suggester<'a> {
    /// Candidates with their lower-case forms, long names left out.
    candidates: Vec<(String, &'a str)>,
    answers: std::collections::HashMap<String, Option<&'a str>>,
    budget: u64,
}

impl<'a> Suggester<'a> {
    /// A suggester over `candidates`.
    pub fn new(candidates: impl IntoIterator<Item = &'a str>) -> Suggester<'a> {
        Suggester {
            candidates: candidates
                .into_iter()
                .filter(|c| c.len() <= SUGGEST_MAX_LEN)
                .map(|c| (c.to_lowercase(), c))
                .collect(),
            answers: std::collections::HashMap::new(),
            budget: SUGGEST_BUDGET,
        }
    }

    /// The closest candidate to `name`, if one is close enough (and the
    /// budget allows looking).
    pub fn suggest(&mut self, name: &str) -> Option<&'a str> {
        if let Some(&known) = self.answers.get(name) {
            return known;
        }
        let cost = self.candidates.len() as u64;
        if name.len() > SUGGEST_MAX_LEN || cost > self.budget {
            return None;
        }
        self.budget -= cost;
        let lower = name.to_lowercase();
        let mut best: Option<(f64, &'a str)> = None;
        for (c_lower, c) in &self.candidates {
            let score = if *c_lower == lower {
                2.0
            } else {
                strsim::jaro_winkler(&lower, c_lower)
            };
            if score >= 0.85 && best.is_none_or(|(s, b)| score > s || (score == s && *c < b)) {
                best = Some((score, c));
            }
        }
        let answer = best.map(|(_, c)| c);
        self.answers.insert(name.to_string(), answer);
        answer
    }
}
