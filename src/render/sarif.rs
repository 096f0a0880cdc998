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

/// The SARIF log for a list of findings.
pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let rules: Vec<Value> = lints::infos()
        .map(|i| {
            json!({
                "id": i.code,
                "shortDescription": {"text": i.summary},
                "fullDescription": {"text": i.doc},
                "defaultConfiguration": {"level": level(i.default_severity)}
            })
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
