//! `empty-access-level`: an access level (not a component) that allows
//! nothing.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};

pub struct EmptyAccessLevel;

static INFO: LintInfo = LintInfo {
    code: "empty-access-level",
    default_severity: Severity::Warning,
    summary: "an access level (not a component) allows nothing",
    doc: r#"An access level whose effective rules allow no request at all denies everything
to whoever is assigned it: usually an include was forgotten, or an include
names an empty component.

Example:

    access_level "Auditor" for user {
        deny all Users.*
    }

Fix: include the components the access level is meant to grant."#,
};

impl Lint for EmptyAccessLevel {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let sem = cx.semantics();
        for acl in cx.model.acls.iter().filter(|a| !a.is_component()) {
            if sem.kept(acl.id).allowed.is_empty() && !sem.unresolved[acl.id.0 as usize] {
                out.push(
                    Diagnostic::new(
                        &INFO,
                        acl.head,
                        format!("`{}` allows nothing: every request is denied", acl.name),
                    )
                    .label("allows nothing")
                    .help("include the components it is meant to grant, or add `allow` permissions")
                    .access_level(acl.name.clone()),
                );
            }
        }
    }
}
