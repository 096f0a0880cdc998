//! `duplicate-definition`: a name is declared twice.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};

pub struct DuplicateDefinition;

static INFO: LintInfo = LintInfo {
    code: "duplicate-definition",
    default_severity: Severity::Error,
    summary: "a name is declared twice",
    doc: r#"Access levels and components share one namespace; resellers, guards and
tests each have their own. A second declaration of a name is ignored (the first
stands), so its permissions silently never apply.

Example:

    component "Billing" { allow read Invoices.* }
    component "Billing" { allow read Payments.* }   # duplicate-definition

Fix: rename one of them, or merge the two blocks."#,
};

impl Lint for DuplicateDefinition {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for r in model
            .redeclarations
            .iter()
            .filter(|r| !r.redefines_predefined)
        {
            out.push(
                Diagnostic::new(
                    &INFO,
                    r.second,
                    format!("{} `{}` is declared twice", r.what, r.name),
                )
                .label("declared again here")
                .related(r.first, "first declared here")
                .help("rename one of the declarations or merge them; the first one stands")
                .access_level(r.name.clone()),
            );
        }
    }
}
