//! Property tests of `aclc who-can` and `aclc impact` against brute force:
//! random policies (cycles, diamonds, deep chains, wildcard-heavy rules),
//! every block asked, the oracle written from DESIGN §1 (the effective list
//! flattened, first match), trying every name the patterns know and an
//! "other name" of every class.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeSet;

use aclc::analysis::region::keep_in_chunks_from;
use aclc::analysis::region::Universe;
use aclc::analysis::semantics::keep_own_decisions;
use aclc::analysis::{analyze, Analysis, Options};
use aclc::audit::{self, parse_pattern, Question};
use aclc::model::AclId;
use aclc::source::{Origin, SourceMap};
use aclc::syntax::ast::{Access, AccessSet};
use proptest::prelude::*;

mod common;
use common::*;

fn analysis(acls: &[TAcl]) -> Analysis {
    // Summaries kept in chunks, as over a big catalog.
    keep_in_chunks_from(0);
    keep_own_decisions(false);
    let mut sources = SourceMap::new();
    sources.add("p.acl", render(acls), Origin::User);
    analyze(sources, &Options::default())
}

fn id(a: &Analysis, i: usize) -> AclId {
    a.model.lookup(&format!("C{i}")).unwrap()
}

/// The decision of block `i` by the oracle.
fn oracle(acls: &[TAcl], i: usize, access: Access, o: &str, at: &str) -> bool {
    let mut seen = vec![false; acls.len()];
    let mut flat = Vec::new();
    flatten(acls, i, &mut seen, &mut flat);
    first_match(acls, &flat, access, o, at) == Some(true)
}

/// Random policies of every shape, some blocks user access levels (also
/// in cyclic ones).
fn any_policy() -> impl Strategy<Value = Vec<TAcl>> {
    (
        prop_oneof![policy(), dag_policy(), wide_policy()],
        any::<u64>(),
    )
        .prop_map(|(mut acls, users)| {
            for (k, a) in acls.iter_mut().enumerate() {
                a.user |= users >> (k % 64) & 1 == 1;
            }
            acls
        })
}

fn question() -> impl Strategy<Value = (Access, &'static str, &'static str)> {
    let objects: Vec<&'static str> = OBJECT_PATTERNS
        .iter()
        .chain(EXTRA_OBJECTS)
        .chain(&["Q*", "Bx*"])
        .copied()
        .collect();
    let attrs: Vec<&'static str> = ATTR_PATTERNS
        .iter()
        .chain(EXTRA_ATTRS)
        .chain(&["y*", "q*"])
        .copied()
        .collect();
    (
        prop::sample::select(Access::ALL.to_vec()),
        prop::sample::select(objects),
        prop::sample::select(attrs),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// who-can lists exactly the blocks the oracle allows some request of
    /// the question, each with exactly the part the oracle allows, and the
    /// deciding rule `decide` gives.
    #[test]
    fn who_can_is_exact(acls in any_policy(), questions in prop::collection::vec(question(), 1..5)) {
        let a = analysis(&acls);
        for (access, o, at) in questions {
            let q = Question {
                access,
                object: parse_pattern(o).unwrap(),
                attribute: parse_pattern(at).unwrap(),
            };
            let answer = audit::who_can(&a.model, &a.semantics, &q, |_| true);
            let listed: BTreeSet<AclId> = answer.allowed.iter().map(|x| x.acl).collect();
            // Requests of the question: every name the oracle knows, and
            // when it is a pattern, a request of every class of its cells.
            let mut requests: Vec<(String, String)> = Vec::new();
            for on in object_names().chain(["Q", "Qz", "Bxy"]) {
                for an in attr_names().chain(["yz"]) {
                    if matches(o, on) && matches(at, an) {
                        requests.push((on.to_string(), an.to_string()));
                    }
                }
            }
            if let Some(u) = &answer.universe {
                let asked = u.region(AccessSet(access.bit()), &q.object, &q.attribute);
                for c in asked.iter() {
                    let (_, on, an) = u.representative(u.cell(c));
                    requests.push((on, an));
                }
            }
            for (i, _) in acls.iter().enumerate() {
                let allowed: Vec<&(String, String)> = requests
                    .iter()
                    .filter(|(on, an)| oracle(&acls, i, access, on, an))
                    .collect();
                prop_assert_eq!(
                    listed.contains(&id(&a, i)),
                    !allowed.is_empty(),
                    "C{} for {} {}.{}", i, access, o, at
                );
            }
            for x in &answer.allowed {
                let i: usize = a.model.acl(x.acl).name[1..].parse().unwrap();
                prop_assert_eq!(x.decision.effect, aclc::syntax::ast::Effect::Allow);
                match (&x.region, &answer.universe) {
                    (None, None) => {
                        prop_assert!(q.is_concrete());
                        let d = a.model.decide(x.acl, access, o, at);
                        prop_assert_eq!(d.rule, x.decision.rule);
                        prop_assert_eq!(&d.path, &x.decision.path);
                    }
                    (Some(region), Some(u)) => {
                        prop_assert!(!q.is_concrete());
                        region_is_exact(u, region, &acls, i, access, &requests)?;
                        let described = aclc::analysis::region::describe(u, region, usize::MAX);
                        prop_assert!(!described.is_empty());
                    }
                    _ => prop_assert!(false, "region and universe go together"),
                }
            }
        }
    }

    /// impact lists exactly the user access levels that reach a block, with
    /// the include path of its first occurrence, and `live` exactly when a
    /// rule it brings decides some request first.
    #[test]
    fn impact_is_exact(acls in any_policy()) {
        let a = analysis(&acls);
        for (c, _) in acls.iter().enumerate() {
            let reached = audit::impact(&a.model, &a.semantics, id(&a, c));
            let mut want = Vec::new();
            for (l, acl) in acls.iter().enumerate().filter(|(_, x)| x.user) {
                if let Some((path, live)) = oracle_impact(&acls, l, c) {
                    want.push((format!("C{l}"), path, live, acl.user));
                }
            }
            want.sort();
            let got: Vec<(String, Vec<String>, bool, bool)> = reached
                .iter()
                .map(|r| {
                    let path = r.path.iter().map(|&p| a.model.acl(p).name.clone()).collect();
                    (a.model.acl(r.acl).name.clone(), path, r.live, true)
                })
                .collect();
            prop_assert_eq!(got, want, "impact of C{}", c);
        }
    }
}

/// The region holds a request of the question exactly when the oracle
/// allows it.
fn region_is_exact(
    u: &Universe,
    region: &aclc::analysis::region::Region,
    acls: &[TAcl],
    i: usize,
    access: Access,
    requests: &[(String, String)],
) -> Result<(), TestCaseError> {
    for (on, an) in requests {
        let inside = region.contains(u.cell_of(access, on, an));
        prop_assert_eq!(
            inside,
            oracle(acls, i, access, on, an),
            "C{} {} {}.{}",
            i,
            access,
            on,
            an
        );
    }
    Ok(())
}

/// Whether block `l` reaches block `c` (or is it); the names on the path of
/// `c`'s first occurrence in the depth-first walk; whether a rule of the
/// walk below that occurrence decides some request first.
fn oracle_impact(acls: &[TAcl], l: usize, c: usize) -> Option<(Vec<String>, bool)> {
    fn walk(
        acls: &[TAcl],
        i: usize,
        c: usize,
        seen: &mut Vec<bool>,
        stack: &mut Vec<usize>,
        flat: &mut Vec<(usize, usize)>,
        found: &mut Option<(Vec<usize>, usize, usize)>,
    ) {
        if seen[i] {
            return;
        }
        seen[i] = true;
        stack.push(i);
        let start = flat.len();
        if i == c {
            *found = Some((stack.clone(), start, 0));
        }
        flat.extend((0..acls[i].rules.len()).map(|k| (i, k)));
        for &inc in &acls[i].includes {
            walk(acls, inc, c, seen, stack, flat, found);
        }
        if i == c {
            if let Some(f) = found.as_mut() {
                f.2 = flat.len();
            }
        }
        stack.pop();
    }
    let mut flat = Vec::new();
    let mut found = None;
    walk(
        acls,
        l,
        c,
        &mut vec![false; acls.len()],
        &mut Vec::new(),
        &mut flat,
        &mut found,
    );
    let (path, from, to) = found?;
    let mut live = false;
    for access in Access::ALL {
        for o in object_names() {
            for at in attr_names() {
                let first = flat
                    .iter()
                    .position(|&(b, k)| rule_matches(&acls[b].rules[k], access, o, at));
                live |= first.is_some_and(|p| (from..to).contains(&p));
            }
        }
    }
    Some((path.iter().map(|p| format!("C{p}")).collect(), live))
}
