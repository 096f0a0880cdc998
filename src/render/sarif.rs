//! `check --format sarif`: SARIF 2.1.0 for code-scanning tools.

use serde_json::{json, Value};

use crate::analysis::lints;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

fn location(sources: &SourceMap, span: Span, message: Option<&str>) -> Value {
    let (s, e) = sources.char_range(span);
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": sources.file(span.file).path},
            "region": {"startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column}
        }
    });
    if let Some(m) = message {
        loc["message"] = json!({"text": m});
    }
    loc
}

/// The SARIF log for a list of findings, with the repository-relative
/// documentation links ([`lints::DEFAULT_DOCS_URL`]).
pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    render_linked(sources, diags, lints::DEFAULT_DOCS_URL)
}

/// Whether `url` is absolute (`scheme:…`), as SARIF's `helpUri` must be.
fn is_absolute_uri(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// [`render`], linking each rule to its documentation page made from
/// `lint_url` (`{code}` stands for the lint code). SARIF wants an absolute
/// `helpUri`: it is written when the link is one (an `https://` page
/// configured in aclc.toml); the repository-relative default goes in the
/// rule's `properties.docs`. The rule's `help` carries the page's text, so
/// code-scanning tools show it without any link.
pub fn render_linked(sources: &SourceMap, diags: &[Diagnostic], lint_url: &str) -> String {
    let rules: Vec<Value> = lints::infos()
        .map(|i| {
            let url = lints::docs_url(lint_url, i.code);
            let mut rule = json!({
                "id": i.code,
                "shortDescription": {"text": i.summary},
                "fullDescription": {"text": i.doc},
                "help": {"text": i.doc},
                "defaultConfiguration": {"level": level(i.default_severity)},
                "properties": {"docs": url}
            });
            if is_absolute_uri(&url) {
                rule["helpUri"] = json!(url);
            }
            rule
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [location(sources, d.span, None)],
                "relatedLocations": d.related.iter().map(|r| location(sources, r.span, Some(&r.message))).collect::<Vec<_>>()
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "aclc", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results
        }]
    });
    crate::emit::json::to_json(&log)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

#[cfg(test)]
mod tests {
    use super::is_absolute_uri;

    #[test]
    fn absolute_uris() {
        assert!(is_absolute_uri("https://d.example/lints/x.html"));
        assert!(is_absolute_uri("file:///srv/docs/x.md"));
        assert!(!is_absolute_uri("docs/src/lints/x.md"));
        assert!(!is_absolute_uri("../docs/x.md"));
        assert!(!is_absolute_uri("C:/docs/x.md"));
    }
}
