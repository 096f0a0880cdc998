//! `unused-component`: a user component nobody includes.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Origin;

pub struct UnusedComponent;

static INFO: LintInfo = LintInfo {
    code: "unused-component",
    default_severity: Severity::Info,
    summary: "a user component nobody includes",
    doc: r#"A component decides nothing until an access level includes it (directly or
through other components). One that nobody includes is dead weight, or a sign
that an include was forgotten.

Example:

    component "Night shift extras" { allow read Logs.* }    # never included

Fix: include it where it was meant to apply, or delete it."#,
};

impl Lint for UnusedComponent {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let mut used = vec![false; model.acls.len()];
        for acl in &model.acls {
            for inc in &acl.includes {
                if let Some(t) = inc.target {
                    if t != acl.id {
                        used[t.0 as usize] = true;
                    }
                }
            }
        }
        for acl in &model.acls {
            if acl.is_component() && acl.origin == Origin::User && !used[acl.id.0 as usize] {
                out.push(
                    Diagnostic::new(
                        &INFO,
                        acl.name_span,
                        format!("component `{}` is not included anywhere", acl.name),
                    )
                    .label("never included")
                    .help("include it where it should apply, or delete it")
                    .access_level(acl.name.clone()),
                );
            }
        }
    }
}
