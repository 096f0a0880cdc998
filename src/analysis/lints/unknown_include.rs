//! `unknown-include`: include of an undeclared name.

use super::{suggest_with, Context, Lint, LintInfo};
use crate::diagnostic::Suggester;
use crate::diagnostic::{Diagnostic, Edit, Severity};

pub struct UnknownInclude;

static INFO: LintInfo = LintInfo {
    code: "unknown-include",
    default_severity: Severity::Error,
    summary: "include of an undeclared name (with \"did you mean\")",
    doc: r#"An `include` names no declared access level or component, so it adds
nothing: whatever it was meant to allow or deny is not decided by it.

Example:

    access_level "Night shift" for user {
        include "Helpdesk acess"     # did you mean `Helpdesk access`?
    }

Fix: correct the name (names are case-sensitive) or declare the component."#,
};

impl Lint for UnknownInclude {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let mut names = Suggester::new(model.acl_names());
        for acl in &model.acls {
            for inc in acl.includes.iter().filter(|i| i.target.is_none()) {
                let mut diag = Diagnostic::new(
                    &INFO,
                    inc.name.span,
                    format!(
                        "`{}` includes `{}`, which is not declared",
                        acl.name, inc.name.node
                    ),
                )
                .label("not declared")
                .help(suggest_with(
                    &mut names,
                    &inc.name.node,
                    "declare it, or remove the include",
                ))
                .access_level(acl.name.clone());
                if let Some(s) = names.suggest(&inc.name.node) {
                    diag = diag.fix(
                        format!("replace with `{s}`"),
                        vec![Edit::replace(inc.name.span, crate::syntax::quote(s))],
                    );
                }
                out.push(diag);
            }
        }
    }
}
