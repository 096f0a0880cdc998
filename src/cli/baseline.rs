//! Baseline files: the findings a team has accepted, so `check --baseline`
//! reports only new ones. A finding is identified by code, file and message
//! (not line numbers, which move with every edit).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Failure;
use aclc::diagnostic::Diagnostic;
use aclc::source::SourceMap;

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Baseline {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize, PartialEq, Eq, Hash, Clone, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Entry {
    code: String,
    file: String,
    message: String,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

/// Recorded findings: (code, file, message) → how many.
pub type Known = HashMap<(String, String, String), usize>;

fn key(sources: &SourceMap, d: &Diagnostic) -> (String, String, String) {
    (
        d.code.to_string(),
        sources.file(d.span.file).path.clone(),
        d.message.clone(),
    )
}

/// The baseline file for these findings (sorted, deterministic).
pub fn write(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut counts: HashMap<(String, String, String), usize> = HashMap::new();
    for d in diags {
        *counts.entry(key(sources, d)).or_default() += 1;
    }
    let mut findings: Vec<Entry> = counts
        .into_iter()
        .map(|((code, file, message), count)| Entry {
            code,
            file,
            message,
            count,
        })
        .collect();
    findings.sort();
    aclc::emit::json::to_json(&Baseline {
        version: VERSION,
        findings,
    })
}

/// Read a baseline file.
pub fn read(path: &Path) -> Result<Known, Failure> {
    let text = aclc::load::read_text(path)?;
    let shown = aclc::load::display(path);
    let b: Baseline = serde_json::from_str(&text)
        .map_err(|e| Failure(format!("`{shown}` is not a baseline file: {e}; write one with `aclc check --write-baseline {shown}`")))?;
    if b.version != VERSION {
        return Err(Failure(format!(
            "`{shown}`: baseline version {} is not supported (expected {VERSION})",
            b.version
        )));
    }
    Ok(b.findings
        .into_iter()
        .map(|e| ((e.code, e.file, e.message), e.count))
        .collect())
}

/// The findings not recorded in the baseline.
pub fn filter(sources: &SourceMap, diags: Vec<Diagnostic>, known: &Known) -> Vec<Diagnostic> {
    let mut left = known.clone();
    diags
        .into_iter()
        .filter(|d| match left.get_mut(&key(sources, d)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}
