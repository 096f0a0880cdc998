//! Terminal rendering with miette: source snippet, labels, help. Related
//! spans close to the primary one become labels of its snippet; the others
//! (in other files, or far away or above in the same file) become related
//! reports with their own snippet, so the first snippet is always the
//! primary location.

use std::fmt;

use rayon::prelude::*;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap, Span};

/// Render findings for a terminal (`color`: ANSI colors and unicode).
pub fn render(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(&mut out, sources, diags, color);
    String::from_utf8_lossy(&out).into_owned()
}

/// Findings rendered at once, in parallel, before they are written.
const CHUNK: usize = 2048;

/// Write findings for a terminal to `out`, rendered in parallel a chunk at
/// a time (in order), so memory holds one chunk of text, not all of it.
pub fn write(
    out: &mut dyn std::io::Write,
    sources: &SourceMap,
    diags: &[Diagnostic],
    color: bool,
) -> std::io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    for chunk in diags.chunks(CHUNK) {
        let texts: Vec<String> = chunk
            .par_iter()
            .map(|d| {
                let mut text = String::new();
                let report = Report::new(sources, d);
                if handler.render_report(&mut text, &report).is_err() {
                    text = format!("{}: {} [{}]\n", d.severity, d.message, d.code);
                }
                text.push('\n');
                text
            })
            .collect();
        for t in texts {
            out.write_all(t.as_bytes())?;
        }
    }
    Ok(())
}

struct Report<'a> {
    message: String,
    code: Option<&'static str>,
    severity: Severity,
    help: Option<String>,
    source: Snippets<'a>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report<'a>>,
}

/// A file as miette's source code. miette's own `str` source finds a
/// span's lines by scanning the text from its start, which made rendering
/// thousands of findings in a large file quadratic (minutes for a
/// 1-MB file); this one cuts out the lines around the span with the file's
/// line index and lets miette scan only those.
struct Snippets<'a>(&'a SourceFile);

impl SourceCode for Snippets<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let file = self.0;
        let text: &str = &file.text;
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let lines = &file.lines;
        if on_long_line(file, start) {
            return Ok(excerpt(file, start, end, before > 0 || after > 0));
        }
        let first = lines.line_of(start as u32).saturating_sub(before);
        let last = lines.line_of(end.saturating_sub(1).max(start) as u32) + after;
        let from = lines.line_start(first) as usize;
        let to = file.next_line_start(last).min(text.len());
        let window = text.get(from..to).ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((start - from).into(), span.len());
        let inner = window.read_span(&local, before, after)?;
        let data = inner.data();
        let shown = SourceSpan::new((inner.span().offset() + from).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            file.path.clone(),
            data,
            shown,
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

/// How many lines below the primary span a related span may be to share
/// its snippet.
const NEARBY_LINES: usize = 8;

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

/// A span on a line this long (in bytes) is shown in an excerpt of the line:
/// miette pads underlines with the column as a format width, which may not
/// exceed 65,535, and would print the whole line for every finding on it.
const LONG_LINE: usize = 512;

/// Bytes of the line shown on each side of a far-right span.
const EXCERPT_CONTEXT: usize = 60;

/// Whether the line holding `offset` is a long one.
fn on_long_line(file: &SourceFile, offset: usize) -> bool {
    let line = file.lines.line_of(offset as u32);
    let start = file.lines.line_start(line) as usize;
    let end = file.next_line_start(line);
    end - start.min(end) > LONG_LINE
}

/// The part of a long line around a span, shown as if it were the line
/// (with the line's number), or (without `context`) the span alone with its
/// line and column (in bytes, as miette counts them), for the header.
fn excerpt<'a>(
    file: &'a SourceFile,
    start: usize,
    end: usize,
    context: bool,
) -> Box<dyn SpanContents<'a> + 'a> {
    let text: &str = &file.text;
    let line = file.lines.line_of(start as u32);
    // The end of the line, without its line break.
    let next = file.next_line_start(line);
    let line_end = match next.checked_sub(1) {
        Some(last) if text.as_bytes().get(last) == Some(&b'\n') => last,
        _ => next,
    };
    let line_start = file.lines.line_start(line) as usize;
    if !context {
        let data = text.get(start..end.max(start)).unwrap_or("");
        return Box::new(MietteSpanContents::new_named(
            file.path.clone(),
            data.as_bytes(),
            SourceSpan::new(start.into(), data.len()),
            line,
            start - line_start.min(start),
            line + 1,
        ));
    }
    let mut from = start.saturating_sub(EXCERPT_CONTEXT).max(line_start);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = end
        .max(start)
        .saturating_add(EXCERPT_CONTEXT)
        .min(line_end.max(end));
    while !text.is_char_boundary(to) {
        to += 1;
    }
    let data = text.get(from..to).unwrap_or("");
    Box::new(MietteSpanContents::new_named(
        file.path.clone(),
        data.as_bytes(),
        SourceSpan::new(from.into(), data.len()),
        line,
        0,
        line + 1,
    ))
}

impl<'a> Report<'a> {
    fn new(sources: &'a SourceMap, d: &Diagnostic) -> Report<'a> {
        let file = sources.file(d.span.file);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(d.label.clone()).filter(|l| !l.is_empty()),
            source_span(d.span),
        )];
        let mut related = Vec::new();
        let primary_line = file.lines.line_of(d.span.start);
        for r in &d.related {
            let close = r.span.file == d.span.file
                && !on_long_line(file, d.span.start as usize)
                && !on_long_line(file, r.span.start as usize)
                && {
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
                    source: Snippets(other),
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
            source: Snippets(file),
            labels,
            related,
        }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
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
