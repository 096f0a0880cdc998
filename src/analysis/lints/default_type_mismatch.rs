//! `default-type-mismatch`: the default's access level is of another type.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Origin;
use crate::syntax::ast::{AclKind, DefaultType, Participant};

pub struct DefaultTypeMismatch;

static INFO: LintInfo = LintInfo {
    code: "default-type-mismatch",
    default_severity: Severity::Error,
    summary: "the default's access level is of another type",
    doc: r#"A default access level is assigned to new participants of its type; one of
another type (or a component) cannot be assigned to them.

Example:

    default customer = "Account"      # `Account` is an account access level

Fix: name an access level declared `for` that participant type."#,
};

impl Lint for DefaultTypeMismatch {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for d in &model.defaults {
            let Some(t) = d.target else { continue };
            let acl = model.acl(t);
            let expected = match d.decl.ty.node {
                // Never overridable: `default-override-forbidden` says so.
                DefaultType::Participant(Participant::User) | DefaultType::Component
                    if d.origin == Origin::User =>
                {
                    continue
                }
                DefaultType::Participant(p) => AclKind::Participant(p),
                DefaultType::Component => AclKind::Component,
            };
            if acl.kind == expected {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &INFO,
                    d.decl.acl.span,
                    format!(
                        "the `{}` default names `{}`, {}",
                        expected,
                        acl.name,
                        acl.kind.described()
                    ),
                )
                .label(acl.kind.described())
                .related(acl.head, "declared here")
                .help(format!("name an access level declared `for {expected}`"))
                .access_level(acl.name.clone()),
            );
        }
    }
}
