//! `redundant-rule`: an own permission that never decides, every case of it
//! already decided the same way by earlier own permissions.

use super::{dead_rule, Context, Lint, LintInfo};
use crate::diagnostic::Edit;
use crate::diagnostic::{Diagnostic, Severity};

pub struct RedundantRule;

pub(super) static INFO: LintInfo = LintInfo {
    code: "redundant-rule",
    default_severity: Severity::Warning,
    summary: "an own permission never decides, and every case it covers is already decided the same way by earlier own permissions",
    doc: r#"A permission whose every case is decided, the same way, by earlier own
permissions of its block changes nothing: removing it changes no decision.

Example:

    component "Reports" {
        allow read WebForms.*
        allow read WebForms.ASR      # redundant: already allowed above
    }

Fix: remove it. For a statement naming several access types, only the dead
ones are reported."#,
};

impl Lint for RedundantRule {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for d in &cx.semantics().dead_rules {
            if !d.redundant.is_empty() && cx.reports_on_own(d.acl) {
                let mut diag = dead_rule::diagnostic(cx, d, &INFO, d.redundant);
                let rule = &cx.model.acl(d.acl).rules[d.rule];
                // Safe when the whole rule never decides the same way:
                // removing it changes no decision.
                if d.redundant == rule.access {
                    let file = cx.model.sources.file(rule.span.file);
                    diag = diag.fix(
                        format!("remove the redundant rule `{}`", rule.display()),
                        vec![Edit::remove_statement(file, rule.span)],
                    );
                }
                out.push(diag);
            }
        }
    }
}
