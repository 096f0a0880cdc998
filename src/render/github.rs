//! `check --format github`: GitHub Actions workflow commands, one per line.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error file=…,line=…::message` line per finding.
pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let (start, end) = sources.char_range(d.span);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&sources.file(d.span.file).path),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(d.code),
            escape_data(&message)
        ));
    }
    out
}
