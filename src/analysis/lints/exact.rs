//! Shared wording of the exact-analysis lints: regions written as
//! permissions, include paths, and the rule deciding a region's first case.

pub use crate::analysis::region::region_text;
use crate::analysis::region::{describe, Region};
use crate::analysis::semantics::Semantics;
use crate::model::{AclId, Model};
use rustc_hash::FxHashMap;

/// The whole of a region as permission lines, when findings carry their
/// regions (else nothing: it can be large).
pub fn full_region(cx: &super::Context<'_>, region: &Region) -> Vec<String> {
    if cx.full_regions {
        describe(&cx.semantics().universe, region, usize::MAX)
    } else {
        Vec::new()
    }
}

/// Names a path shows at each end before the ones between are counted.
const PATH_ENDS: usize = 3;

/// `` `A` → `B` → `C` ``; a long path shows its ends and counts the
/// middle: `` `A` → `B` → `C` → … 9,997 more … → `X` → `Y` → `Z` ``.
pub fn path_text(model: &Model, path: &[AclId]) -> String {
    // Written into one string (a million findings each name a path).
    let mut out = String::new();
    let names = |ids: &[AclId], out: &mut String| {
        for (i, a) in ids.iter().enumerate() {
            if i > 0 {
                out.push_str(" → ");
            }
            out.push('`');
            out.push_str(&model.acl(*a).name);
            out.push('`');
        }
    };
    if path.len() <= 2 * PATH_ENDS + 1 {
        names(path, &mut out);
        return out;
    }
    names(&path[..PATH_ENDS], &mut out);
    let middle = path.len() - 2 * PATH_ENDS;
    out.push_str(" → … ");
    out.push_str(&crate::analysis::region::grouped(middle as u64));
    out.push_str(" more … → ");
    names(&path[path.len() - PATH_ENDS..], &mut out);
    out
}

/// The rule of `root` deciding the first case of `region`, as a related
/// span and a label: "`allow read X.*` decides it (via `A` → `B`)". `None`
/// when no rule matches (the implicit deny).
pub fn deciding_rule(
    model: &Model,
    sem: &Semantics,
    root: AclId,
    region: &Region,
    what: &str,
) -> Option<(crate::source::Span, String)> {
    deciding_rule_of(model, sem, root, region.min()?, what)
}

/// [`deciding_rule`] for the region's first case, `cell`.
pub fn deciding_rule_of(
    model: &Model,
    sem: &Semantics,
    root: AclId,
    cell: u32,
    what: &str,
) -> Option<(crate::source::Span, String)> {
    let decided = decided_by(model, sem, root, cell)?;
    Some((decided.span, decided.label(what)))
}

/// The rule deciding a cell, written: where it is, the rule, and the
/// include path to it (` (via `A` → `B`)`, or nothing).
struct Decided {
    span: crate::source::Span,
    rule: String,
    via: String,
}

impl Decided {
    /// "`allow read X.*` decides it (via `A` → `B`)".
    fn label(&self, what: &str) -> String {
        format!("`{}` {what}{}", self.rule, self.via)
    }
}

fn decided_by(model: &Model, sem: &Semantics, root: AclId, cell: u32) -> Option<Decided> {
    let (origin, index, path) = sem.decider(model, root, cell)?;
    let rule = &model.acl(origin).rules[index];
    let via = if path.len() > 1 {
        format!(" (via {})", path_text(model, &path))
    } else {
        String::new()
    };
    Some(Decided {
        span: rule.span,
        rule: rule.display(),
        via,
    })
}

/// [`deciding_rule_of`], each block and cell looked up once: the findings
/// of blocks that include the same components ask about the same cells of
/// the same blocks again and again (each lookup walks the include path
/// through the summaries, a cache miss at each step).
#[derive(Default)]
pub struct DecidingRules(FxHashMap<(AclId, u32), Option<Decided>>);

impl DecidingRules {
    /// [`deciding_rule_of`].
    pub fn of(
        &mut self,
        model: &Model,
        sem: &Semantics,
        root: AclId,
        cell: u32,
        what: &str,
    ) -> Option<(crate::source::Span, String)> {
        let decided = self
            .0
            .entry((root, cell))
            .or_insert_with(|| decided_by(model, sem, root, cell))
            .as_ref()?;
        Some((decided.span, decided.label(what)))
    }
}
