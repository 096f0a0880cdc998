//! Shared wording of the exact-analysis lints: regions written as
//! permissions, include paths, and the rule deciding a region's first case.

pub use crate::analysis::region::region_text;
use crate::analysis::region::{describe, Region};
use crate::analysis::semantics::Semantics;
use crate::model::{AclId, Model};

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
    let (origin, index, path) = sem.decider(model, root, cell)?;
    let rule = &model.acl(origin).rules[index];
    let via = if path.len() > 1 {
        format!(" (via {})", path_text(model, &path))
    } else {
        String::new()
    };
    Some((rule.span, format!("`{}` {what}{via}", rule.display())))
}
