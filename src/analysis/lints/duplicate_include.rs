//! `duplicate-include`: the same name included twice in one block.

use std::collections::HashMap;

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};

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
                        .access_level(acl.name.clone()),
                    ),
                }
            }
        }
    }
}
