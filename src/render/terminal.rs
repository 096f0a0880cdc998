//! Terminal rendering with miette: source snippet, labels, help. Related
//! spans close to the primary one become labels of its snippet; the others
//! (in other files, or far away or above in the same file) become related
//! reports with their own snippet, so the first snippet is always the
//! primary location.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// Render findings for a terminal (`color`: ANSI colors and unicode).
pub fn render(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let report = Report::new(sources, d);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {} [{}]\n", d.severity, d.message, d.code));
        }
        out.push('\n');
    }
    out
}

struct Report {
    message: String,
    code: Option<&'static str>,
    severity: Severity,
    help: Option<String>,
    source: NamedSource<Arc<str>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

/// How many lines below the primary span a related span may be to share
/// its snippet.
const NEARBY_LINES: usize = 8;

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

impl Report {
    fn new(sources: &SourceMap, d: &Diagnostic) -> Report {
        let file = sources.file(d.span.file);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(d.label.clone()).filter(|l| !l.is_empty()),
            source_span(d.span),
        )];
        let mut related = Vec::new();
        let primary_line = file.lines.line_of(d.span.start);
        for r in &d.related {
            let close = r.span.file == d.span.file && {
                let line = file.lines.line_of(r.span.start);
                line >= primary_line && line <= primary_line + NEARBY_LINES
            };
            if close {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    source_span(r.span),
                ));
            } else {
                let other = sources.file(r.span.file);
                related.push(Report {
                    message: r.message.clone(),
                    code: Some(d.code),
                    severity: Severity::Info,
                    help: None,
                    source: NamedSource::new(other.path.clone(), other.text.clone()),
                    labels: vec![LabeledSpan::new_primary_with_span(
                        None,
                        source_span(r.span),
                    )],
                    related: Vec::new(),
                });
            }
        }
        Report {
            message: d.message.clone(),
            code: Some(d.code),
            severity: d.severity,
            help: d.help.clone(),
            source: NamedSource::new(file.path.clone(), file.text.clone()),
            labels,
            related,
        }
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.map(|c| Box::new(c) as Box<dyn fmt::Display + 'a>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}
