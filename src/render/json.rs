//! `check --format json` (DESIGN §6).

use serde::Serialize;

use crate::analysis::lints;
use crate::diagnostic::{Diagnostic, Summary};
use crate::source::SourceMap;

#[derive(Serialize)]
struct Output<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    /// The lint's documentation page (an extension of DESIGN §6).
    url: String,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    access_levels: &'a [String],
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
}

/// The JSON document for a list of findings (lines and columns 1-based,
/// columns in characters, end exclusive), linking each finding to its
/// lint's page in the repository's docs ([`lints::DEFAULT_DOCS_URL`]).
pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    render_linked(sources, diags, lints::DEFAULT_DOCS_URL)
}

/// [`render`], with each finding's `url` made from `lint_url` (`{code}`
/// stands for the lint code; `[docs] lint_url` of aclc.toml).
pub fn render_linked(sources: &SourceMap, diags: &[Diagnostic], lint_url: &str) -> String {
    let diagnostics = diags
        .iter()
        .map(|d| {
            let (start, end) = sources.char_range(d.span);
            JsonDiagnostic {
                code: d.code,
                url: lints::docs_url(lint_url, d.code),
                severity: d.severity.as_str(),
                message: &d.message,
                help: d.help.as_deref(),
                file: &sources.file(d.span.file).path,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                access_levels: &d.access_levels,
                related: d
                    .related
                    .iter()
                    .map(|r| {
                        let (s, e) = sources.char_range(r.span);
                        JsonRelated {
                            file: &sources.file(r.span.file).path,
                            line: s.line,
                            column: s.column,
                            end_line: e.line,
                            end_column: e.column,
                            message: &r.message,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    crate::emit::json::to_json(&Output {
        diagnostics,
        summary: Summary::of(diags),
    })
}
