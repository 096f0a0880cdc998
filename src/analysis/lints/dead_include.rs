//! `dead-include`: an include that contributes no decision.

use std::hash::Hasher;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::exact::{full_region, path_text, region_text};
use super::{Context, Lint, LintInfo};
use crate::analysis::semantics::{DeadReason, Semantics};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::AclId;

pub struct DeadInclude;

static INFO: LintInfo = LintInfo {
    code: "dead-include",
    default_severity: Severity::Warning,
    summary: "an include contributes no decision: its target was already reached through an earlier include, or every case it would decide is decided earlier in the access level (by own permissions or earlier includes); an empty target is not a finding",
    doc: r#"An access level reached a second time adds nothing, and an include whose every
case is already decided by the own permissions or by earlier includes never
decides anything: removing it changes no decision. It often means the
includes are in the wrong order.

Example:

    component "Billing" {
        include "Tariffs read-only", "Rates read-only"   # "Tariffs read-only"
    }                                                    # already includes it

Fix: remove the include, or move it above the includes that decide its cases
if it was meant to win. The same name included twice in one block is
reported as `duplicate-include` instead."#,
};

impl Lint for DeadInclude {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let sem = cx.semantics();
        // What a target decides, written once per target (a component can
        // be a dead include of many blocks), the targets in parallel.
        let mut targets: Vec<AclId> = sem
            .dead_includes
            .iter()
            .filter(|d| cx.reports_on(d.acl))
            .filter(|d| matches!(d.reason, DeadReason::Decided { .. }))
            .filter_map(|d| model.acl(d.acl).includes[d.include].target)
            .collect();
        targets.sort_unstable();
        targets.dedup();
        let texts = decided_texts(sem, &targets);
        let found: Vec<Diagnostic> = sem
            .dead_includes
            .par_iter()
            .filter(|d| cx.reports_on(d.acl))
            .map(|d| diagnostic(cx, d, &texts))
            .collect();
        out.extend(found);
    }
}

/// What each target decides, written. Targets that decide the same cells
/// share one text, written once: in a messy set nearly every dead
/// include's target reaches a `*.*` rule and decides everything (1,716 of
/// 1,718 at 100,000 legacy permissions), and writing a whole summary walks
/// boxes of thousands of slot ranges. Sets are grouped by a hash of their
/// words, then compared, so two sets are never taken for one.
fn decided_texts(sem: &Semantics, targets: &[AclId]) -> FxHashMap<AclId, String> {
    let mut hashed: Vec<(u64, AclId)> = targets
        .par_iter()
        .map(|&t| {
            // Hashed as kept (equal sets have equal non-zero words,
            // however kept), not unpacked.
            let mut h = rustc_hash::FxHasher::default();
            for (w, bits) in sem.kept(t).decided.nonzero_words() {
                h.write_u32(w);
                h.write_u64(bits);
            }
            (h.finish(), t)
        })
        .collect();
    hashed.sort_unstable();
    // Each target's representative: the first target of its hash with
    // the same cells.
    let mut writes: Vec<AclId> = Vec::new();
    let mut same_as: Vec<(AclId, AclId)> = Vec::new();
    for run in hashed.chunk_by(|a, b| a.0 == b.0) {
        let first = writes.len();
        for &(_, t) in run {
            let decided = &sem.kept(t).decided;
            match writes[first..]
                .iter()
                .find(|&&r| sem.kept(r).decided == *decided)
            {
                Some(&r) => same_as.push((t, r)),
                None => writes.push(t),
            }
        }
    }
    let mut texts: FxHashMap<AclId, String> = writes
        .par_iter()
        .map(|&t| (t, region_text(&sem.universe, &sem.kept(t).decided.unpack())))
        .collect();
    for (t, r) in same_as {
        let text = texts.get(&r).cloned().unwrap_or_default();
        texts.insert(t, text);
    }
    texts
}

/// The finding of one dead include; `texts` holds what each target of a
/// `Decided` one decides, written.
fn diagnostic(
    cx: &Context<'_>,
    d: &crate::analysis::semantics::DeadInclude,
    texts: &FxHashMap<AclId, String>,
) -> Diagnostic {
    let model = cx.model;
    let sem = cx.semantics();
    let acl = model.acl(d.acl);
    let inc = &acl.includes[d.include];
    let diag = match &d.reason {
        DeadReason::Reached(by) => {
            let earlier = &acl.includes[*by];
            let path = earlier.target.map(|from| {
                let path = inc
                    .target
                    .and_then(|to| sem.reach.path(model, from, to))
                    .unwrap_or_else(|| vec![from]);
                path_text(model, &path)
            });
            Diagnostic::new(
                &INFO,
                inc.name.span,
                format!(
                    "the include of `{}` adds nothing to `{}`: it is already reached through `{}`",
                    inc.name.node, acl.name, earlier.name.node
                ),
            )
            .label("already reached")
            .related(
                earlier.name.span,
                match path {
                    Some(p) => format!("reaches it: {p}"),
                    None => "reaches it".to_string(),
                },
            )
            .help("remove this include")
            .fix(
                format!("remove the include of `{}`", inc.name.node),
                vec![super::duplicate_include::remove_include(model, acl, inc)],
            )
        }
        DeadReason::Decided { own, includes } => {
            let decided = inc
                .target
                .and_then(|t| texts.get(&t).cloned())
                .unwrap_or_default();
            let mut diag = Diagnostic::new(
                    &INFO,
                    inc.name.span,
                    format!(
                        "the include of `{}` adds nothing to `{}`: everything it decides ({}) is decided earlier",
                        inc.name.node, acl.name, decided
                    ),
                )
                .label("never decides");
            if *own {
                if let Some(r) = acl.rules.first() {
                    diag = diag.related(r.span, "own permissions decide some of its cases first");
                }
            }
            for &i in includes {
                diag = diag.related(
                    acl.includes[i].name.span,
                    format!(
                        "`{}` decides some of its cases first",
                        acl.includes[i].name.node
                    ),
                );
            }
            diag.help("remove this include, or move it above the includes that decide its cases if it should win")
        }
    };
    // The target's summary is unpacked only when findings carry regions.
    let region = inc
        .target
        .filter(|_| cx.full_regions)
        .map(|t| full_region(cx, &sem.kept(t).decided.unpack()))
        .unwrap_or_default();
    diag.access_level(acl.name.clone()).regions(region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{policy_set, Kind, Shape};
    use crate::source::{Origin, SourceMap};

    /// Texts shared between targets deciding the same cells are each
    /// target's own text, on a set where most blocks decide everything and
    /// the others differ.
    #[test]
    fn shared_texts_are_each_targets_text() {
        let mut sources = SourceMap::new();
        for (name, text) in policy_set(Shape {
            permissions: 3_000,
            files: 3,
            seed: 5,
            kind: Kind::Legacy,
        }) {
            sources.add(name, text, Origin::User);
        }
        let analysis = crate::analysis::analyze(sources, &Default::default());
        let sem = &analysis.semantics;
        let all: Vec<AclId> = analysis.model.acls.iter().map(|a| a.id).collect();
        let texts = decided_texts(sem, &all);
        let mut distinct = std::collections::BTreeSet::new();
        for &t in &all {
            let own = region_text(&sem.universe, &sem.kept(t).decided.unpack());
            assert_eq!(texts.get(&t), Some(&own));
            distinct.insert(own);
        }
        assert!(distinct.len() > 2 && distinct.len() < all.len());
    }
}
