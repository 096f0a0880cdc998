//! `unknown-reseller`: `visible_to` names an undeclared reseller.

use super::{suggest_with, Context, Lint, LintInfo};
use crate::diagnostic::Suggester;
use crate::diagnostic::{Diagnostic, Severity};

pub struct UnknownReseller;

static INFO: LintInfo = LintInfo {
    code: "unknown-reseller",
    default_severity: Severity::Error,
    summary: "`visible_to` names an undeclared reseller",
    doc: r#"Access levels are invisible to resellers unless listed in `visible_to`. A
name there that is not declared with `reseller "…"` makes the access level
visible to nobody it was meant for.

Example:

    reseller "ACME Telecom"
    access_level "ACME customer" for customer {
        visible_to "ACME Telcom"     # did you mean `ACME Telecom`?
        include "Customer"
    }

Fix: correct the name or declare the reseller."#,
};

impl Lint for UnknownReseller {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let mut resellers = Suggester::new(model.resellers.iter().map(|r| r.name.node.as_str()));
        for acl in &model.acls {
            for r in acl
                .visible_to
                .iter()
                .filter(|r| !model.has_reseller(&r.node))
            {
                out.push(
                    Diagnostic::new(
                        &INFO,
                        r.span,
                        format!(
                            "`{}` is visible to `{}`, which is not a declared reseller",
                            acl.name, r.node
                        ),
                    )
                    .label("not a declared reseller")
                    .help(suggest_with(
                        &mut resellers,
                        &r.node,
                        &format!("declare it: `reseller \"{}\"`", r.node),
                    ))
                    .access_level(acl.name.clone()),
                );
            }
        }
    }
}
