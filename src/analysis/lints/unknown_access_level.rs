//! `unknown-access-level` (aclc extension): a default, guard or test names an
//! undeclared access level.

use super::{suggest_with, Context, Lint, LintInfo};
use crate::diagnostic::Suggester;
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::ast::GuardTarget;

pub struct UnknownAccessLevel;

static INFO: LintInfo = LintInfo {
    code: "unknown-access-level",
    default_severity: Severity::Error,
    summary: "a `default`, `guard` or `test` names an undeclared access level",
    doc: r#"Defaults, guards (`for "Name"`) and test expectations refer to access levels
by name. A name that is not declared makes the default unusable, the guard check
nothing, and the expectation untestable. (Includes have their own code,
`unknown-include`.)

Example:

    default customer = "Premium custmer"     # did you mean `Premium customer`?

Fix: correct the name (names are case-sensitive) or declare the access level."#,
};

impl Lint for UnknownAccessLevel {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let mut names = Suggester::new(model.acl_names());
        let mut report = |name: &crate::syntax::ast::Node<String>, context: &str| {
            if model.lookup(&name.node).is_none() {
                out.push(
                    Diagnostic::new(
                        &INFO,
                        name.span,
                        format!("{context} names `{}`, which is not declared", name.node),
                    )
                    .label("not declared")
                    .help(suggest_with(
                        &mut names,
                        &name.node,
                        "declare it, or correct the name",
                    )),
                );
            }
        };
        for d in &model.defaults {
            report(
                &d.decl.acl,
                &format!("the `{}` default", d.decl.ty.node.as_str()),
            );
        }
        for g in &model.guards {
            for t in &g.decl.targets {
                if let GuardTarget::Named(n) = &t.node {
                    let name = crate::syntax::ast::Node::new(n.clone(), t.span);
                    report(&name, &format!("guard `{}`", g.decl.name.node));
                }
            }
        }
        for t in &model.tests {
            for e in &t.expectations {
                report(&e.acl, &format!("test `{}`", t.name.node));
            }
        }
    }
}
