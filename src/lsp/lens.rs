//! Code lens (how many access levels include a block, how many tests
//! check it) and inlay hints (what decides the cases of a dead rule
//! instead), from the latest analysis.

use std::collections::{HashMap, HashSet};

use tower_lsp_server::ls_types::{CodeLens, Command, InlayHint, InlayHintLabel, Range};

use super::convert;
use crate::analysis::Analysis;
use crate::model::AclId;
use crate::source::FileId;

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The code lenses of a file: above each access level and component, by
/// how many access levels it is included and how many tests check it.
pub fn code_lenses(a: &Analysis, file: FileId) -> Vec<CodeLens> {
    let model = &a.model;
    let sources = &model.sources;
    let here: Vec<&crate::model::AccessLevel> =
        model.acls.iter().filter(|l| l.span.file == file).collect();
    if here.is_empty() {
        return Vec::new();
    }
    let wanted: HashSet<AclId> = here.iter().map(|l| l.id).collect();
    let mut included_by: HashMap<AclId, HashSet<AclId>> = HashMap::new();
    for l in &model.acls {
        for t in l.includes.iter().filter_map(|i| i.target) {
            if wanted.contains(&t) {
                included_by.entry(t).or_default().insert(l.id);
            }
        }
    }
    let mut tests: HashMap<AclId, usize> = HashMap::new();
    for t in &model.tests {
        let named: HashSet<AclId> = t
            .expectations
            .iter()
            .filter_map(|e| model.lookup(&e.acl.node))
            .filter(|id| wanted.contains(id))
            .collect();
        for id in named {
            *tests.entry(id).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for l in here {
        let range = convert::range(sources, l.head);
        let n = included_by.get(&l.id).map_or(0, HashSet::len);
        for title in [
            format!("included by {}", plural(n, "access level", "access levels")),
            plural(tests.get(&l.id).copied().unwrap_or(0), "test", "tests"),
        ] {
            out.push(CodeLens {
                range,
                command: Some(Command {
                    title,
                    command: String::new(),
                    arguments: None,
                }),
                data: None,
            });
        }
    }
    out
}

/// Inlay hints of a file in `range`: after each dead rule, the earlier
/// rules that decide its cases instead.
pub fn inlay_hints(a: &Analysis, file: FileId, range: Range) -> Vec<InlayHint> {
    let model = &a.model;
    let sources = &model.sources;
    let lines = &sources.file(file).lines;
    let mut out = Vec::new();
    for d in &a.semantics.dead_rules {
        let acl = model.acl(d.acl);
        if acl.span.file != file {
            continue;
        }
        let Some(rule) = acl.rules.get(d.rule) else {
            continue;
        };
        let line = lines.line_of(rule.span.start) as u32;
        if line < range.start.line || line > range.end.line {
            continue;
        }
        let mut covering: Vec<usize> = d.covering.iter().map(|(_, r)| *r).collect();
        covering.sort_unstable();
        covering.dedup();
        let by: Vec<String> = covering
            .iter()
            .filter_map(|&r| acl.rules.get(r))
            .map(|c| {
                let at = lines.line_of(c.span.start) + 1;
                format!("`{}` (line {at})", c.display())
            })
            .collect();
        if by.is_empty() {
            continue;
        }
        out.push(InlayHint {
            position: convert::range(sources, rule.span).end,
            label: InlayHintLabel::String(format!("never decides: decided by {}", by.join(", "))),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    out
}
