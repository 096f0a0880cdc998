//! `diff --format sarif`: SARIF 2.1.0, one result per grouped item, one
//! rule per kind of change; failing items are errors, the others notes.

use serde_json::{json, Value};

use super::{groups, NAMES, PARTS};
use crate::diff::{Diff, Kind};

/// The SARIF log.
pub fn render(diff: &Diff) -> String {
    let rules: Vec<Value> = Kind::ALL
        .iter()
        .map(|k| {
            json!({
                "id": k.as_str(),
                "shortDescription": {"text": k.summary()},
                "help": {"text": format!("{}; `[diff] fail_on` in aclc.toml picks the kinds that fail, `[[diff.allow]]` entries accept known-safe changes", k.summary())},
            })
        })
        .collect();
    let mut results = Vec::new();
    for g in groups(diff, PARTS) {
        for item in &g.items {
            let mut text = format!(
                "{} in {} (caused by {})",
                item.headline(),
                item.names_text(NAMES),
                g.title
            );
            for l in &item.lines {
                text.push('\n');
                text.push_str(l);
            }
            let locations: Vec<Value> = item
                .location
                .or(g.location.as_ref())
                .filter(|l| l.new_side)
                .map(|l| {
                    json!({"physicalLocation": {
                        "artifactLocation": {"uri": l.file},
                        "region": {"startLine": l.line, "startColumn": l.column, "endLine": l.end_line, "endColumn": l.end_column}
                    }})
                })
                .into_iter()
                .collect();
            results.push(json!({
                "ruleId": item.kind.as_str(),
                "ruleIndex": Kind::ALL.iter().position(|k| *k == item.kind).unwrap_or(0),
                "level": if item.fails { "error" } else { "note" },
                "message": {"text": text},
                "locations": locations,
            }));
        }
    }
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
