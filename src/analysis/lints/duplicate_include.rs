//! `duplicate-include`: the same name included twice in one block.

use std::collections::HashMap;

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::model::{AccessLevel, Model};

pub struct DuplicateInclude;

static INFO: LintInfo = LintInfo {
    code: "duplicate-include",
    default_severity: Severity::Warning,
    summary: "the same name included twice in one block (reported instead of `dead-include`)",
    doc: r#"An access level reached a second time adds nothing, so the second include of
the same name in one block is dead. It usually means a merge kept both copies,
or that the order of includes was meant to be different.

Example:

    access_level "Ops" for user {
        include "Nodes read-only", "Tariffs read-only", "Nodes read-only"
    }

Fix: remove the second include (move the first if the order was meant to change)."#,
};

impl Lint for DuplicateInclude {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for acl in &model.acls {
            let mut seen = HashMap::new();
            for inc in &acl.includes {
                match seen.get(&inc.name.node) {
                    None => {
                        seen.insert(&inc.name.node, inc.name.span);
                    }
                    Some(&first) => out.push(
                        Diagnostic::new(
                            &INFO,
                            inc.name.span,
                            format!("`{}` includes `{}` twice", acl.name, inc.name.node),
                        )
                        .label("included again: adds nothing")
                        .related(first, "first included here")
                        .help("remove this include; the first one already decides what it can")
                        .fix(
                            format!("remove the second include of `{}`", inc.name.node),
                            vec![remove_include(model, acl, inc)],
                        )
                        .access_level(acl.name.clone()),
                    ),
                }
            }
        }
    }
}

/// The edit removing one include name of `acl` (with its comma, or the
/// whole statement when it is the only name).
pub(super) fn remove_include(
    model: &Model,
    acl: &AccessLevel,
    inc: &crate::model::Include,
) -> Edit {
    let names: Vec<crate::source::Span> = acl
        .includes
        .iter()
        .filter(|i| i.stmt == inc.stmt)
        .map(|i| i.name.span)
        .collect();
    let index = names.iter().position(|s| *s == inc.name.span).unwrap_or(0);
    let file = model.sources.file(inc.stmt.file);
    Edit::remove_list_item(file, inc.stmt, &names, index)
}
