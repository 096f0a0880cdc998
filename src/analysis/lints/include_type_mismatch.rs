//! `include-type-mismatch`: a component includes a non-component, or an
//! access level includes one of another participant type.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::ast::AclKind;

pub struct IncludeTypeMismatch;

static INFO: LintInfo = LintInfo {
    code: "include-type-mismatch",
    default_severity: Severity::Error,
    summary: "a component includes a non-component, or an access level includes one of another participant type",
    doc: r#"Components are building blocks: they include only components. An access
level includes components, or access levels of its own participant type; the
platform offers nothing else in the Components tab.

Example:

    access_level "Care lead" for cc_staff {
        include "Admin"      # `Admin` is a user access level
    }

Fix: include the components the other access level is built from instead."#,
};

impl Lint for IncludeTypeMismatch {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for acl in &model.acls {
            for inc in &acl.includes {
                let Some(t) = inc.target else { continue };
                let target = model.acl(t);
                let ok = match (acl.kind, target.kind) {
                    (_, AclKind::Component) => true,
                    (AclKind::Component, _) => false,
                    (a, b) => a == b,
                };
                if ok {
                    continue;
                }
                let (message, help) = match acl.kind {
                    AclKind::Component => (
                        format!("component `{}` includes `{}`, {}", acl.name, target.name, target.kind.described()),
                        "components may include only components; include the components it is built from".to_string(),
                    ),
                    _ => (
                        format!("{} access level `{}` includes `{}`, {}", acl.kind, acl.name, target.name, target.kind.described()),
                        format!("{} may include components and {} access levels only", acl.kind.described(), acl.kind),
                    ),
                };
                out.push(
                    Diagnostic::new(&INFO, inc.name.span, message)
                        .label(target.kind.described())
                        .related(
                            target.head,
                            format!(
                                "`{}` is declared as {} here",
                                target.name,
                                target.kind.described()
                            ),
                        )
                        .help(help)
                        .access_level(acl.name.clone()),
                );
            }
        }
    }
}
