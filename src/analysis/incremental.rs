//! Findings an analysis takes over from the analysis of an earlier version
//! of the same policy set, where they cannot have changed.
//!
//! The findings of `contradiction` about a block depend only on the block
//! and the blocks it reaches through its includes (their rules, include
//! lists and positions, through the composed summaries and the rules named
//! as deciding), and on the cells. So when the cells are the same and
//! every block of a block's closure is written at the same place with the
//! same text, its includes resolving as they did, its findings are the
//! earlier ones: they are kept, and the lint runs only over the other
//! blocks. `tests/workspace_prop.rs` checks the result against fresh
//! analyses.

use rustc_hash::FxHashMap;

use crate::diagnostic::Diagnostic;
use crate::model::Model;

/// Findings of the block-local lints, by block name, as the lints wrote
/// them (before suppressions and configured severities).
#[derive(Debug, Default)]
pub struct LintCache {
    /// Whether it holds the findings (an analysis that keeps none has an
    /// empty, unusable cache).
    holds: bool,
    /// Whether the findings carry their whole regions.
    full_regions: bool,
    /// The findings of `contradiction`, by the name of the block they are
    /// about.
    contradictions: FxHashMap<String, Vec<Diagnostic>>,
}

/// The code of the lint whose findings are kept.
pub(crate) const CONTRADICTION: &str = "contradiction";

impl LintCache {
    /// A cache of the `contradiction` findings among `found`.
    pub(crate) fn of(found: &[Diagnostic], full_regions: bool) -> LintCache {
        let mut contradictions: FxHashMap<String, Vec<Diagnostic>> = FxHashMap::default();
        for d in found.iter().filter(|d| d.code == CONTRADICTION) {
            if let Some(name) = d.access_levels.first() {
                contradictions
                    .entry(name.clone())
                    .or_default()
                    .push(d.clone());
            }
        }
        LintCache {
            holds: true,
            full_regions,
            contradictions,
        }
    }

    /// For a new model: which blocks keep their earlier findings (indexed
    /// by [`crate::model::AclId`]), and those findings. `None` when nothing
    /// can be kept.
    pub(crate) fn reusable(
        &self,
        model: &Model,
        previous: &Model,
        full_regions: bool,
    ) -> Option<(Vec<bool>, Vec<Diagnostic>)> {
        if !self.holds || full_regions != self.full_regions {
            return None;
        }
        let stable = stable_closures(model, previous);
        let mut kept = Vec::new();
        for acl in model.acls.iter().filter(|a| stable[a.id.0 as usize]) {
            if let Some(found) = self.contradictions.get(&acl.name) {
                kept.extend(found.iter().cloned());
            }
        }
        Some((stable, kept))
    }
}

/// Per block of `model`: whether it and every block it reaches are
/// written in `previous` at the same place with the same text, are the
/// only blocks of their names in both, and resolve their includes as they
/// did (a block in an include cycle never is).
pub(crate) fn stable_closures(model: &Model, previous: &Model) -> Vec<bool> {
    let n = model.acls.len();
    let (now, then) = (name_counts(model), name_counts(previous));
    let same_block: Vec<bool> = model
        .acls
        .iter()
        .map(|acl| {
            let Some(was) = previous.lookup(&acl.name) else {
                return false;
            };
            let old = previous.acl(was);
            now.get(acl.name.as_str()) == Some(&1)
                && then.get(acl.name.as_str()) == Some(&1)
                && old.span == acl.span
                && old.includes.len() == acl.includes.len()
                && old
                    .includes
                    .iter()
                    .zip(&acl.includes)
                    .all(|(a, b)| a.target.is_some() == b.target.is_some())
                && text_of(model, acl.span).is_some()
                && text_of(model, acl.span) == text_of(previous, acl.span)
        })
        .collect();
    // Tarjan emits a component after every component it reaches.
    let mut stable = vec![false; n];
    for scc in model.strongly_connected() {
        let [m] = scc[..] else { continue };
        let acl = model.acl(m);
        stable[m.0 as usize] = same_block[m.0 as usize]
            && acl
                .includes
                .iter()
                .filter_map(|i| i.target)
                .all(|t| t != m && stable[t.0 as usize]);
    }
    stable
}

/// The text a span covers in a model's sources, if it is there.
fn text_of(model: &Model, span: crate::source::Span) -> Option<&str> {
    if span.file.0 as usize >= model.sources.len() {
        return None;
    }
    let file = model.sources.file(span.file);
    file.text.get(span.start as usize..span.end as usize)
}

/// How many blocks have each name.
fn name_counts(model: &Model) -> FxHashMap<&str, u32> {
    let mut count: FxHashMap<&str, u32> = FxHashMap::default();
    for acl in &model.acls {
        *count.entry(acl.name.as_str()).or_default() += 1;
    }
    count
}
