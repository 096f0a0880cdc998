//! Shared wording of the exact-analysis lints: regions written as
//! permissions, include paths, and the rule deciding a region's first case.

use crate::analysis::region::{describe, Region, Universe};
use crate::model::{AclId, Model};

/// How many permission lines a message lists before "and N more".
const REGION_LINES: usize = 4;

/// A region as a short list of permissions: `read Tariffs.*, update Rates.x`.
pub fn region_text(u: &Universe, region: &Region) -> String {
    describe(u, region, REGION_LINES).join("; ")
}

/// `` `A` → `B` → `C` ``.
pub fn path_text(model: &Model, path: &[AclId]) -> String {
    path.iter()
        .map(|a| format!("`{}`", model.acl(*a).name))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The rule of `root` deciding the first case of `region`, as a related
/// span and a label: "`allow read X.*` decides it (via `A` → `B`)". `None`
/// when no rule matches (the implicit deny).
pub fn deciding_rule(
    model: &Model,
    u: &Universe,
    root: AclId,
    region: &Region,
    what: &str,
) -> Option<(crate::source::Span, String)> {
    let cell = u.cell(region.min()?);
    let (access, object, attribute) = u.representative(cell);
    let d = model.decide(root, access, &object, &attribute);
    let (origin, index) = d.rule?;
    let rule = &model.acl(origin).rules[index];
    let via = if d.path.len() > 1 {
        format!(" (via {})", path_text(model, &d.path))
    } else {
        String::new()
    };
    Some((rule.span, format!("`{}` {what}{via}", rule.display())))
}
