//! `guard-violated`: an access level decides part of a guard's region
//! otherwise than the guard states.

use rayon::prelude::*;

use super::exact::{deciding_rule, full_region, region_text};
use super::{Context, Lint, LintInfo};
use crate::analysis::region::CellSet;
use crate::analysis::semantics::statements_summary;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{AclId, Guard};
use crate::syntax::ast::{AclKind, GuardTarget};

pub struct GuardViolated;

static INFO: LintInfo = LintInfo {
    code: "guard-violated",
    default_severity: Severity::Error,
    summary: "a guard fails; shows the deciding rule and include path",
    doc: r#"A guard states decisions that must hold for every access level of the listed
participant types (predefined ones and defaults included), or for the
listed access levels. Its permissions are read like an access level's, first
match first; every request one of them matches must be decided as that
permission says.

Example:

    guard "self-care users cannot change a credit limit" {
        for customer, account
        deny update Customers.credit_limit
    }

    access_level "Generous customer" for customer {
        allow all Customers.*           # violates the guard
    }

Fix: change the access level (or what it includes) so the guard holds, for
example with an own `deny` permission; or change the guard if it is wrong."#,
};

impl Lint for GuardViolated {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        if model.guards.is_empty() {
            return;
        }
        let sem = cx.semantics();
        let u = &sem.universe;
        for g in &model.guards {
            let stated = statements_summary(u, &g.decl.rules);
            let must_deny = stated.decided.difference(&stated.allowed);
            let mut targets: Vec<AclId> = Vec::new();
            for t in &g.decl.targets {
                match &t.node {
                    GuardTarget::Type(p) => targets.extend(
                        model
                            .acls
                            .iter()
                            .filter(|a| a.kind == AclKind::Participant(*p))
                            .map(|a| a.id),
                    ),
                    GuardTarget::Named(n) => targets.extend(model.lookup(n)),
                }
            }
            targets.sort_unstable();
            targets.dedup();
            // The targets in parallel (a guard on a participant type applies
            // to thousands of access levels), their findings in order.
            let expected = Expected {
                guard: g,
                must_allow: &stated.allowed,
                must_deny: &must_deny,
            };
            let found: Vec<Diagnostic> = targets
                .into_par_iter()
                .filter(|&t| cx.reports_on_guards(t))
                .filter_map(|t| violation(cx, &expected, t))
                .collect();
            out.extend(found);
        }
    }
}

/// What a guard states: the cells it allows and those it denies.
struct Expected<'a> {
    guard: &'a Guard,
    must_allow: &'a CellSet,
    must_deny: &'a CellSet,
}

/// The finding of access level `t` violating a guard, if it does.
fn violation(cx: &Context<'_>, expected: &Expected<'_>, t: AclId) -> Option<Diagnostic> {
    let model = cx.model;
    let sem = cx.semantics();
    let u = &sem.universe;
    // Looked up word by word over the guard's cells, not unpacked: a
    // guard's region is small, an access level's allowed cells span the
    // catalog.
    let allowed = &sem.kept(t).allowed;
    let wrongly_denied = allowed.missing_from(expected.must_allow);
    let wrongly_allowed = allowed.intersection(expected.must_deny);
    if wrongly_denied.is_empty() && wrongly_allowed.is_empty() {
        return None;
    }
    let acl = model.acl(t);
    let mut parts = Vec::new();
    if !wrongly_allowed.is_empty() {
        parts.push(format!("it allows {}", region_text(u, &wrongly_allowed)));
    }
    if !wrongly_denied.is_empty() {
        parts.push(format!("it denies {}", region_text(u, &wrongly_denied)));
    }
    let guard = &expected.guard.decl;
    let mut diag = Diagnostic::new(
        &INFO,
        acl.head,
        format!(
            "`{}` violates guard `{}`: {}",
            acl.name,
            guard.name.node,
            parts.join(", and ")
        ),
    )
    .label("violates the guard")
    .related(guard.name.span, "the guard")
    .access_level(acl.name.clone());
    if let Some((span, label)) = deciding_rule(model, sem, t, &wrongly_allowed, "allows it") {
        diag = diag.related(span, label);
    }
    if let Some((span, label)) = deciding_rule(model, sem, t, &wrongly_denied, "denies it") {
        diag = diag.related(span, label);
    }
    let mut wrong = wrongly_allowed.clone();
    wrong.union_with(&wrongly_denied);
    Some(diag.regions(full_region(cx, &wrong)).help(format!(
        "change `{}` (or what it includes) so the guard holds, e.g. with an own permission; or correct the guard",
        acl.name
    )))
}
