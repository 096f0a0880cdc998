//! `include-cycle`: includes form a cycle.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};

pub struct IncludeCycle;

static INFO: LintInfo = LintInfo {
    code: "include-cycle",
    default_severity: Severity::Error,
    summary: "includes form a cycle; the message shows the whole cycle",
    doc: r#"An access level that, through its includes, includes itself. Decisions stay
defined (an access level reached a second time adds nothing), but the order of
evaluation then depends on where you enter the cycle, which is never what was
meant. Each cycle is reported once, at the include of its first-declared member,
with every step of the cycle.

Example:

    component "A" { include "B" }
    component "B" { include "A" }     # include cycle: `A` → `B` → `A`

Fix: remove one include of the cycle; usually the shared part belongs in a
third component both include."#,
};

impl Lint for IncludeCycle {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        // The exact analysis found the strongly connected components
        // already: without a cycle there is nothing to look for.
        if cx.semantics().reach.acyclic() {
            return;
        }
        for cycle in model.include_cycles() {
            let Some(&(first, first_inc)) = cycle.steps.first() else {
                continue;
            };
            let names: Vec<&str> = cycle
                .steps
                .iter()
                .map(|&(a, _)| model.acl(a).name.as_str())
                .collect();
            let mut path: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            path.push(format!("`{}`", names[0]));
            let start = &model.acl(first);
            let mut d = Diagnostic::new(&INFO, start.includes[first_inc].name.span, format!("include cycle: {}", path.join(" → ")))
                .label(format!("`{}` includes `{}`", names[0], names.get(1).unwrap_or(&names[0])))
                .help("remove one include of the cycle; move what both need into a component they both include");
            for (i, &(acl, inc)) in cycle.steps.iter().enumerate().skip(1) {
                let next = names.get(i + 1).unwrap_or(&names[0]);
                let a = model.acl(acl);
                d = d.related(
                    a.includes[inc].name.span,
                    format!("`{}` includes `{next}`", a.name),
                );
            }
            for n in &names {
                d = d.access_level(*n);
            }
            out.push(d);
        }
    }
}
