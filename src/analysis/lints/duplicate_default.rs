//! `duplicate-default`: two defaults for one participant type in one scope.

use std::collections::HashMap;

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};

pub struct DuplicateDefault;

static INFO: LintInfo = LintInfo {
    code: "duplicate-default",
    default_severity: Severity::Error,
    summary: "two defaults for one participant type in one scope",
    doc: r#"Only one default access level per participant type can be assigned in each
scope (all environments, or one environment). With two, which one applies is
ambiguous; aclc keeps the first.

Example:

    default customer = "Premium customer"
    default customer = "Basic customer"       # duplicate-default

Fix: keep one; to use another default in one environment, put it in an
`environment "name" { … }` block."#,
};

impl Lint for DuplicateDefault {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let mut first = HashMap::new();
        for d in &model.defaults {
            let key = (&d.scope, d.decl.ty.node);
            match first.get(&key) {
                None => {
                    first.insert(key, d);
                }
                Some(f) => out.push(
                    Diagnostic::new(
                        &INFO,
                        d.decl.span,
                        format!("a second `{}` default for {}", d.decl.ty.node.as_str(), d.scope.describe()),
                    )
                    .label("second default")
                    .related(f.decl.span, "the default that stands")
                    .help("keep one default per participant type; use an `environment` block for a per-environment default"),
                ),
            }
        }
    }
}
