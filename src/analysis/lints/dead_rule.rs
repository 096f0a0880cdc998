//! The finding of a dead own permission, shared by `shadowed-rule` and
//! `redundant-rule`.

use super::{Context, LintInfo};
use crate::analysis::semantics::DeadRule;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::AccessSet;

/// The finding for the `dead` access types of a dead rule.
pub(super) fn diagnostic(
    cx: &Context<'_>,
    d: &DeadRule,
    info: &'static LintInfo,
    dead: AccessSet,
) -> Diagnostic {
    let acl = cx.model.acl(d.acl);
    let rule = &acl.rules[d.rule];
    let shadowed = info.code == super::shadowed_rule::INFO.code;
    let what = if dead == rule.access {
        format!("`{}`", rule.display())
    } else {
        format!("the `{dead}` part of `{}`", rule.display())
    };
    let message = if shadowed {
        format!("{what} never decides: earlier rules of `{}` cover all its cases, and some decide them the other way", acl.name)
    } else {
        format!(
            "{what} never decides: earlier rules of `{}` already decide all its cases the same way",
            acl.name
        )
    };
    let mut diag = Diagnostic::new(info, rule.span, message)
        .label(if shadowed { "shadowed" } else { "redundant" })
        .access_level(acl.name.clone())
        .regions(
            cx.full_regions
                .then(|| format!("{dead} {}.{}", rule.object, rule.attribute)),
        );
    let mut covering: Vec<usize> = d
        .covering
        .iter()
        .filter(|(a, _)| dead.contains(*a))
        .map(|&(_, c)| c)
        .collect();
    covering.sort_unstable();
    covering.dedup();
    for &c in &covering {
        let r = &acl.rules[c];
        diag = diag.related(r.span, format!("`{}` covers it", r.display()));
    }
    if let Some(c) = d.differing.filter(|c| shadowed && !covering.contains(c)) {
        let r = &acl.rules[c];
        diag = diag.related(
            r.span,
            format!("`{}` decides some of its cases the other way", r.display()),
        );
    }
    let first = covering.first().map(|&c| acl.rules[c].display());
    let help = match (shadowed, first) {
        (true, Some(f)) => {
            format!("if it is an exception, move it above `{f}`; otherwise remove it")
        }
        (true, None) => {
            "if it is an exception, move it above the rules that cover it; otherwise remove it"
                .to_string()
        }
        (false, _) => "remove it: removing it changes no decision".to_string(),
    };
    diag.help(help)
}
