//! The one converter from the engine's diagnostic model to LSP
//! diagnostics (STYLE: one converter per renderer; positions from the one
//! line index in [`crate::source`]).

use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Position, Range,
};

use super::state::uri_of;
use crate::diagnostic::{Diagnostic, Severity};
use std::collections::HashMap;

use crate::source::{FileId, SourceMap, Span};

/// Where a lint's documentation page is, `{code}` standing for the lint
/// code: the same default as the docs (`docs/src/lints/CODE.md` of the
/// aclc repository). A relative template is read against the source
/// checkout aclc was built from. The one place to change the links.
pub const LINT_DOCS: &str = "docs/src/lints/{code}.md";

/// The documentation link of a lint code.
pub fn lint_docs_uri(code: &str) -> Option<lsp::Uri> {
    let target = LINT_DOCS.replace("{code}", code);
    if target.contains("://") {
        return target.parse().ok();
    }
    lsp::Uri::from_file_path(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(target))
}

/// The LSP range of a span (UTF-16 columns).
pub fn range(sources: &SourceMap, span: Span) -> Range {
    let f = sources.file(span.file);
    let (sl, sc) = f.lines.utf16_position(&f.text, span.start);
    let (el, ec) = f.lines.utf16_position(&f.text, span.end);
    Range::new(Position::new(sl, sc), Position::new(el, ec))
}

/// The byte offset of an LSP position in a text (clamped to it).
pub fn offset(sources: &SourceMap, file: crate::source::FileId, pos: Position) -> u32 {
    let f = sources.file(file);
    f.lines.offset_of_utf16(&f.text, pos.line, pos.character)
}

/// The codes whose findings are code that does nothing (shown faded).
const UNNECESSARY: [&str; 5] = [
    "redundant-rule",
    "shadowed-rule",
    "dead-include",
    "duplicate-include",
    "unused-ignore",
];

/// An LSP diagnostic from the engine's.
pub fn diagnostic(sources: &SourceMap, d: &Diagnostic) -> lsp::Diagnostic {
    Converter::new(sources).diagnostic(d)
}

/// Converts many diagnostics of one analysis: the URI of each file and the
/// documentation link of each code are worked out once.
pub struct Converter<'s> {
    sources: &'s SourceMap,
    uris: HashMap<FileId, Option<lsp::Uri>>,
    docs: HashMap<&'static str, Option<lsp::Uri>>,
}

impl<'s> Converter<'s> {
    /// A converter for the diagnostics of an analysis of `sources`.
    pub fn new(sources: &'s SourceMap) -> Converter<'s> {
        Converter {
            sources,
            uris: HashMap::new(),
            docs: HashMap::new(),
        }
    }

    /// The URI of a file an editor can open (none for the embedded
    /// predefined library).
    fn uri(&mut self, file: FileId) -> Option<lsp::Uri> {
        let sources = self.sources;
        self.uris
            .entry(file)
            .or_insert_with(|| {
                let file = sources.file(file);
                if file.path.starts_with(crate::load::EMBEDDED_PREFIX) {
                    return None;
                }
                uri_of(&file.path)
            })
            .clone()
    }

    /// An LSP diagnostic from the engine's.
    pub fn diagnostic(&mut self, d: &Diagnostic) -> lsp::Diagnostic {
        let sources = self.sources;
        let severity = match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        };
        let related: Vec<DiagnosticRelatedInformation> = d
            .related
            .iter()
            .filter_map(|r| {
                let uri = self.uri(r.span.file)?;
                Some(DiagnosticRelatedInformation {
                    location: Location::new(uri, range(sources, r.span)),
                    message: r.message.clone(),
                })
            })
            .collect();
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let docs = self
            .docs
            .entry(d.code)
            .or_insert_with(|| lint_docs_uri(d.code))
            .clone();
        lsp::Diagnostic {
            range: range(sources, d.span),
            severity: Some(severity),
            code: Some(NumberOrString::String(d.code.to_string())),
            code_description: docs.map(|href| CodeDescription { href }),
            source: Some("aclc".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: UNNECESSARY
                .contains(&d.code)
                .then(|| vec![DiagnosticTag::UNNECESSARY]),
            data: None,
        }
    }
}
