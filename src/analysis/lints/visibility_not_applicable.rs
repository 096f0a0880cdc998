//! `visibility-not-applicable`: `visible_to` on a type without visibility.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::ast::AclKind;

pub struct VisibilityNotApplicable;

static INFO: LintInfo = LintInfo {
    code: "visibility-not-applicable",
    default_severity: Severity::Error,
    summary: "`visible_to` on a type other than customer, account, representative, cc_staff",
    doc: r#"Visibility to resellers applies to customer, account, representative and
cc_staff access levels only; on other types the platform ignores it, so the
statement promises something that does not happen.

Example:

    access_level "Ops" for user {
        visible_to "ACME Telecom"      # users are never visible to resellers
    }

Fix: remove the statement."#,
};

impl Lint for VisibilityNotApplicable {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for acl in &model.acls {
            let applies = matches!(acl.kind, AclKind::Participant(p) if p.has_visibility());
            if applies {
                continue;
            }
            for &span in &acl.visible_to_stmts {
                out.push(
                    Diagnostic::new(&INFO, span, format!("`visible_to` does not apply to {} `{}`", kind_phrase(acl.kind), acl.name))
                        .label("ignored by the platform")
                        .help("visibility applies to customer, account, representative and cc_staff access levels only; remove this statement")
                        .access_level(acl.name.clone()),
                );
            }
        }
    }
}

fn kind_phrase(kind: AclKind) -> String {
    match kind {
        AclKind::Component => "component".to_string(),
        AclKind::Participant(p) => format!("{} access level", p.as_str()),
    }
}
