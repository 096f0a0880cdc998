//! `default-override-forbidden`: `default user` or `default component`.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Origin;
use crate::syntax::ast::{DefaultType, Participant};

pub struct DefaultOverrideForbidden;

static INFO: LintInfo = LintInfo {
    code: "default-override-forbidden",
    default_severity: Severity::Error,
    summary: "`default user` or `default component`",
    doc: r#"The platform lets operators override the default access level of most
participant types, for all environments or per virtual billing environment, but
never the predefined defaults of the `user` and `component` entities.

Example:

    default user = "Junior admin"     # not allowed

Fix: remove the statement; assign the access level to users one by one instead."#,
};

impl Lint for DefaultOverrideForbidden {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for d in model.defaults.iter().filter(|d| d.origin == Origin::User) {
            let ty = d.decl.ty.node;
            if matches!(
                ty,
                DefaultType::Component | DefaultType::Participant(Participant::User)
            ) {
                out.push(
                    Diagnostic::new(
                        &INFO,
                        d.decl.ty.span,
                        format!("the `{}` default can never be overridden", ty.as_str()),
                    )
                    .label("not overridable")
                    .help(match ty {
                        DefaultType::Component => "remove this default; components are included by access levels, never assigned",
                        _ => "remove this default; assign the access level to each user instead",
                    }),
                );
            }
        }
    }
}
