//! Policy tests (`test` blocks): each expectation states the decision of an
//! access level on a region, and holds when every request of the region is
//! decided that way. Coverage: which rules a test exercises, i.e. decides
//! some request an expectation asks about.

use std::collections::HashSet;

use crate::analysis::lints::exact::{path_text, region_text};
use crate::analysis::region::Region;
use crate::analysis::semantics::rule_region;
use crate::analysis::Analysis;
use crate::model::AclId;
use crate::source::{Origin, Span};
use crate::syntax::ast::{Access, Effect, Expectation};

/// The outcome of one `test` block.
#[derive(Debug)]
pub struct TestOutcome {
    /// Its name.
    pub name: String,
    /// Its declaration.
    pub span: Span,
    /// The failed expectations: the statement and what went wrong.
    pub failures: Vec<(Span, String)>,
}

impl TestOutcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The region an expectation asks about.
fn expectation_region(a: &Analysis, e: &Expectation) -> Region {
    a.semantics.universe.region(
        e.rule.access_set(),
        &e.rule.target.object.node,
        &e.rule.target.attribute.node,
    )
}

/// Run every `test` block of the policy set, in source order.
pub fn run(a: &Analysis) -> Vec<TestOutcome> {
    let model = &a.model;
    let u = &a.semantics.universe;
    model
        .tests
        .iter()
        .map(|t| {
            let mut failures = Vec::new();
            for e in &t.expectations {
                let Some(id) = model.lookup(&e.acl.node) else {
                    failures.push((
                        e.span,
                        format!("`{}` is not a declared access level", e.acl.node),
                    ));
                    continue;
                };
                let region = expectation_region(a, e);
                let allowed = &a.semantics.kept(id).allowed.unpack();
                let (wrong, got) = match e.rule.effect.node {
                    Effect::Allow => (region.difference(allowed), Effect::Deny),
                    Effect::Deny => (allowed.intersection(&region), Effect::Allow),
                };
                if wrong.is_empty() {
                    continue;
                }
                let mut message = format!(
                    "`{}` {} {}",
                    e.acl.node,
                    match got {
                        Effect::Allow => "allows",
                        Effect::Deny => "denies",
                    },
                    region_text(u, &wrong)
                );
                if let Some(min) = wrong.min() {
                    let (access, o, at) = u.representative(u.cell(min));
                    let d = model.decide(id, access, &o, &at);
                    match d.rule {
                        Some((origin, index)) => {
                            let rule = &model.acl(origin).rules[index];
                            message.push_str(&format!(
                                ": decided by `{}` ({}, via {})",
                                rule.display(),
                                model.sources.location(rule.span),
                                path_text(model, &d.path)
                            ));
                        }
                        None => message.push_str(": no rule matches, so it is denied"),
                    }
                }
                failures.push((e.span, message));
            }
            TestOutcome {
                name: t.name.node.clone(),
                span: t.span,
                failures,
            }
        })
        .collect()
}

/// A user rule (or the named access types of it) that no test exercises.
#[derive(Debug)]
pub struct Uncovered {
    /// The block.
    pub acl: AclId,
    /// The rule's index in the block.
    pub rule: usize,
    /// Access types of the rule no test exercises.
    pub access: Vec<Access>,
}

/// The user rules no test exercises. A rule is exercised when it decides
/// some request an expectation asks about, for the access level it names;
/// a rule that never decides is therefore never exercised.
pub fn coverage(a: &Analysis) -> Vec<Uncovered> {
    let model = &a.model;
    let u = &a.semantics.universe;
    let mut exercised: HashSet<(AclId, usize, Access)> = HashSet::new();
    for t in &model.tests {
        for e in &t.expectations {
            let Some(id) = model.lookup(&e.acl.node) else {
                continue;
            };
            let asked = expectation_region(a, e);
            let mut decided = Region::new();
            for er in model.effective(id).rules {
                for access in er.rule.access.iter() {
                    let r = rule_region(u, access, &er.rule.object, &er.rule.attribute);
                    let new = r.intersection(&asked).difference(&decided);
                    if !new.is_empty() {
                        exercised.insert((er.origin, er.index, access));
                        decided.union_with(&new);
                    }
                }
                if decided.len() == asked.len() {
                    break;
                }
            }
        }
    }
    let mut out = Vec::new();
    for acl in model.acls.iter().filter(|a| a.origin == Origin::User) {
        for (i, r) in acl.rules.iter().enumerate() {
            let access: Vec<Access> = r
                .access
                .iter()
                .filter(|x| !exercised.contains(&(acl.id, i, *x)))
                .collect();
            if !access.is_empty() {
                out.push(Uncovered {
                    acl: acl.id,
                    rule: i,
                    access,
                });
            }
        }
    }
    out
}
