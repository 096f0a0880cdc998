//! `check --format json` (DESIGN §6), streamed: each finding is converted
//! as it is written, so a run with hundreds of thousands of findings never
//! holds the document in memory.

use std::io::{self, Write};

use serde::{Serialize, Serializer};

use crate::analysis::lints;
use crate::diagnostic::{Diagnostic, Summary};
use crate::source::SourceMap;

#[derive(Serialize)]
struct Output<'a> {
    diagnostics: Findings<'a>,
    summary: Summary,
}

/// The findings, converted one by one while they are serialized.
struct Findings<'a> {
    sources: &'a SourceMap,
    diags: &'a [Diagnostic],
    lint_url: &'a str,
    regions: bool,
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.diags
                .iter()
                .map(|d| convert(self.sources, d, self.lint_url, self.regions)),
        )
    }
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
    /// The whole region of the finding, as permissions (`--regions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    regions: Option<&'a [String]>,
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
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(&mut out, sources, diags, lint_url, false);
    String::from_utf8_lossy(&out).into_owned()
}

/// Write the JSON document for a list of findings to `out` ([`render_linked`]);
/// with `regions`, each finding carries its whole region (`regions`).
pub fn write(
    out: &mut dyn Write,
    sources: &SourceMap,
    diags: &[Diagnostic],
    lint_url: &str,
    regions: bool,
) -> io::Result<()> {
    let doc = Output {
        diagnostics: Findings {
            sources,
            diags,
            lint_url,
            regions,
        },
        summary: Summary::of(diags),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

fn convert<'a>(
    sources: &'a SourceMap,
    d: &'a Diagnostic,
    lint_url: &str,
    regions: bool,
) -> JsonDiagnostic<'a> {
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
        regions: regions.then_some(d.regions.as_slice()),
    }
}
