//! `shadowed-rule`: an own permission that never decides, because earlier
//! own permissions of its block cover all its cases and some of them decide
//! differently.

use super::{dead_rule, Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};

pub struct ShadowedRule;

pub(super) static INFO: LintInfo = LintInfo {
    code: "shadowed-rule",
    default_severity: Severity::Warning,
    summary: "an own permission never decides: earlier own permissions of the same block (one, or a union of several) cover all its cases, and some of them decide differently",
    doc: r#"Within a block, the first matching own permission decides. A permission whose
every case is matched by earlier own permissions never decides anything; when
some of those earlier permissions decide the other way, the later one was
probably meant as an exception and is written in the wrong place.

Example:

    access_level "Support" for user {
        deny read Customers.*
        allow read Customers.personal_info   # never decides: shadowed
    }

Fix: move the exception above the broader rule, or remove it. For a
statement naming several access types, only the dead ones are reported."#,
};

impl Lint for ShadowedRule {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for d in &cx.semantics().dead_rules {
            if !d.shadowed.is_empty() && cx.reports_on_own(d.acl) {
                out.push(dead_rule::diagnostic(cx, d, &INFO, d.shadowed));
            }
        }
    }
}
