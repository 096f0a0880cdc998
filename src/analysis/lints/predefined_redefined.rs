//! `predefined-redefined`: a user file declares a predefined name.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};

pub struct PredefinedRedefined;

static INFO: LintInfo = LintInfo {
    code: "predefined-redefined",
    default_severity: Severity::Error,
    summary: "a user file declares the name of a predefined access level or component",
    doc: r#"Predefined access levels and components ship with the platform and may be
included but never redefined or edited ("for system stability purposes, you may
not edit default components and permissions").

Example:

    component "Tariffs read-only" { allow read Tariffs.* }   # predefined name

Fix: give your access level its own name and include the predefined one, e.g.
`component "Our tariffs read-only" { include "Tariffs read-only" }`."#,
};

impl Lint for PredefinedRedefined {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for r in model
            .redeclarations
            .iter()
            .filter(|r| r.redefines_predefined)
        {
            out.push(
                Diagnostic::new(
                    &INFO,
                    r.second,
                    format!(
                        "`{}` is a predefined {} and cannot be redefined",
                        r.name, r.what
                    ),
                )
                .label("redefines a predefined name")
                .related(r.first, "predefined here")
                .help(format!(
                    "choose another name; to build on it, include it: `include \"{}\"`",
                    r.name
                ))
                .access_level(r.name.clone()),
            );
        }
    }
}
