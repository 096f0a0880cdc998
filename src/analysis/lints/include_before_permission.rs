//! `include-before-permission`: an include written above an own permission.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::ast::Statement;

pub struct IncludeBeforePermission;

static INFO: LintInfo = LintInfo {
    code: "include-before-permission",
    default_severity: Severity::Info,
    summary: "an include is written above an own permission, which suggests the wrong order of evaluation",
    doc: r#"Own permissions are always evaluated before includes, wherever they are
written in the block. An include written above a permission reads as if it came
first, which it does not.

Example:

    access_level "Premium customer" for customer {
        include "Customer self-care"
        deny read SelfCare.identity      # still evaluated before the include
    }

Fix: move the own permissions above the includes."#,
};

impl Lint for IncludeBeforePermission {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for acl in &model.acls {
            let mut pending_include = None;
            for s in acl.statements.iter() {
                match s {
                    Statement::Include { span, .. } if pending_include.is_none() => {
                        pending_include = Some(*span)
                    }
                    Statement::Permission(p) => {
                        if let Some(inc) = pending_include.take() {
                            out.push(
                                Diagnostic::new(&INFO, inc, format!("in `{}`, an include is written above an own permission", acl.name))
                                    .label("written first, evaluated after the own permissions")
                                    .related(p.span, "this permission is evaluated before the include")
                                    .help("move the own permissions above the includes: they are evaluated first anyway")
                                    .access_level(acl.name.clone()),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
