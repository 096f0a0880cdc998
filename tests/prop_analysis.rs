//! Property test of the exact analysis against a brute-force oracle: for
//! random acyclic policies (prefix globs, wildcards, diamonds, deep chains,
//! repeated includes), the dead rules, dead includes, contradictions (with
//! their regions) and empty access levels aclc finds are exactly those the
//! oracle finds by trying a request of every class; every summary agrees
//! with `decide`; the findings alone (as `aclc check` has them) are the
//! same; and removing what is reported dead changes no decision.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};

use aclc::analysis::region::{keep_in_chunks_from, region_text, Region};
use aclc::analysis::semantics::{analyze_own_when_composed_from, keep_own_decisions};
use aclc::analysis::semantics::{DeadReason, Semantics};
use aclc::analysis::{analyze, findings, Options};
use aclc::model::{AclId, Model};
use aclc::source::{Origin, SourceMap};
use aclc::syntax::ast::Access;
use proptest::prelude::*;

mod common;
use common::*;

/// Every request the brute force tries.
fn points() -> Vec<(Access, &'static str, &'static str)> {
    let mut out = Vec::new();
    for access in Access::ALL {
        for o in object_names() {
            for a in attr_names() {
                out.push((access, o, a));
            }
        }
    }
    out
}

fn flat(acls: &[TAcl], i: usize) -> (Vec<(usize, usize)>, Vec<bool>) {
    let mut seen = vec![false; acls.len()];
    let mut out = Vec::new();
    flatten(acls, i, &mut seen, &mut out);
    (out, seen)
}

/// (block, rule) → (redundant access bits, shadowed access bits).
type DeadRules = BTreeMap<(usize, usize), (u8, u8)>;

fn oracle_dead_rules(acls: &[TAcl]) -> DeadRules {
    let mut out = DeadRules::new();
    for (b, acl) in acls.iter().enumerate() {
        for (k, r) in acl.rules.iter().enumerate() {
            let (mut redundant, mut shadowed) = (0u8, 0u8);
            for access in Access::ALL.into_iter().filter(|a| r.access & a.bit() != 0) {
                let mut dead = true;
                let mut same = true;
                for o in object_names() {
                    for a in attr_names() {
                        if !rule_matches(r, access, o, a) {
                            continue;
                        }
                        match acl.rules[..k]
                            .iter()
                            .find(|e| rule_matches(e, access, o, a))
                        {
                            None => dead = false,
                            Some(e) => same &= e.allow == r.allow,
                        }
                    }
                }
                if dead {
                    if same {
                        redundant |= access.bit();
                    } else {
                        shadowed |= access.bit();
                    }
                }
            }
            if redundant | shadowed != 0 {
                out.insert((b, k), (redundant, shadowed));
            }
        }
    }
    out
}

/// (block, include position) → reached (true) or decided earlier (false).
type DeadIncludes = BTreeMap<(usize, usize), bool>;
/// (block, later include position) → the requests decided differently.
type Contradictions = BTreeMap<(usize, usize), BTreeSet<(Access, &'static str, &'static str)>>;

fn oracle_includes(acls: &[TAcl]) -> (DeadIncludes, Contradictions) {
    let pts = points();
    let mut dead = DeadIncludes::new();
    let mut contra = Contradictions::new();
    let standalone: Vec<_> = (0..acls.len()).map(|i| flat(acls, i)).collect();
    let decide =
        |t: usize, p: &(Access, &str, &str)| first_match(acls, &standalone[t].0, p.0, p.1, p.2);
    for (l, acl) in acls.iter().enumerate() {
        let own =
            |p: &(Access, &str, &str)| acl.rules.iter().any(|r| rule_matches(r, p.0, p.1, p.2));
        let mut earlier: Vec<usize> = Vec::new();
        for (j, &t) in acl.includes.iter().enumerate() {
            if acl.includes[..j].contains(&t) {
                continue; // duplicate-include
            }
            let decides: Vec<_> = pts.iter().filter(|p| decide(t, p).is_some()).collect();
            if decides.is_empty() {
                earlier.push(t);
                continue; // an empty target is not a finding
            }
            if earlier.iter().any(|&i| standalone[i].1[t]) {
                dead.insert((l, j), true);
                earlier.push(t);
                continue;
            }
            if decides
                .iter()
                .all(|p| own(p) || earlier.iter().any(|&i| decide(i, p).is_some()))
            {
                dead.insert((l, j), false);
            }
            for p in &pts {
                if own(p) {
                    continue;
                }
                let Some(mine) = decide(t, p) else { continue };
                let first = earlier.iter().find_map(|&i| decide(i, p));
                if first.is_some_and(|f| f != mine) {
                    contra.entry((l, j)).or_default().insert(*p);
                }
            }
            earlier.push(t);
        }
    }
    (dead, contra)
}

fn index_of(model: &Model, id: AclId) -> usize {
    model.acl(id).name[1..].parse().unwrap()
}

fn check(acls: &[TAcl]) -> Result<(), TestCaseError> {
    // Every summary kept in chunks (shared with its includes'), as over a
    // big catalog, and no block's own decisions kept (worked out again from
    // its rules where read), as with wildcard rules; every acyclic block's
    // own permissions analyzed as it is composed, as in a wide include
    // graph. The rest of the suite keeps these small sets as they are and
    // analyzes own permissions first.
    keep_in_chunks_from(0);
    keep_own_decisions(false);
    analyze_own_when_composed_from(1);
    let text = render(acls);
    let mut sources = SourceMap::new();
    sources.add("p.acl", text.as_str(), Origin::User);
    let analysis = analyze(sources.clone(), &Options::default());
    let model = &analysis.model;
    prop_assert!(model.syntax_errors.is_empty());
    // The findings alone (`aclc check`: components' allowed sets released
    // as their includers are composed) are the same.
    let alone = findings(sources, &Options::default());
    prop_assert_eq!(
        &alone.diagnostics,
        &analysis.diagnostics,
        "findings alone\n{}",
        text
    );
    let sem = Semantics::new(model);
    let u = &sem.universe;
    let pts = points();

    // Summaries agree with decide on every request.
    for (i, _) in acls.iter().enumerate() {
        let id = model.lookup(&format!("C{i}")).unwrap();
        let s = sem.summary(id);
        for &(access, o, a) in &pts {
            let cell = u.cell_of(access, o, a);
            let want = first_match(acls, &flat(acls, i).0, access, o, a);
            prop_assert_eq!(
                s.decided.contains(cell),
                want.is_some(),
                "decided C{} {} {}.{}\n{}",
                i,
                access,
                o,
                a,
                text
            );
            prop_assert_eq!(
                s.allowed.contains(cell),
                want == Some(true),
                "allowed C{} {} {}.{}\n{}",
                i,
                access,
                o,
                a,
                text
            );
        }
    }

    // The deciding rule and its include path, found through the summaries
    // (and each block's own decisions, kept or not), are `decide`'s.
    for (i, _) in acls.iter().enumerate() {
        let id = model.lookup(&format!("C{i}")).unwrap();
        for &(access, o, a) in &pts {
            let d = model.decide(id, access, o, a);
            let want = d.rule.map(|(b, r)| (b, r, d.path));
            let got = sem.decider(model, id, u.cell_of(access, o, a));
            prop_assert_eq!(got, want, "decider C{} {} {}.{}\n{}", i, access, o, a, text);
        }
    }

    // Dead own rules.
    let got: DeadRules = sem
        .dead_rules
        .iter()
        .map(|d| {
            (
                (index_of(model, d.acl), d.rule),
                (d.redundant.0, d.shadowed.0),
            )
        })
        .collect();
    prop_assert_eq!(&got, &oracle_dead_rules(acls), "dead rules\n{}", text);
    for d in &sem.dead_rules {
        let rules = &model.acl(d.acl).rules;
        for &(a, c) in &d.covering {
            prop_assert!(
                c < d.rule && rules[c].access.contains(a),
                "covering rule\n{}",
                text
            );
        }
    }

    // Dead includes and contradictions, with exact regions.
    let (want_dead, want_contra) = oracle_includes(acls);
    let got_dead: DeadIncludes = sem
        .dead_includes
        .iter()
        .map(|d| {
            (
                (index_of(model, d.acl), d.include),
                matches!(d.reason, DeadReason::Reached(_)),
            )
        })
        .collect();
    prop_assert_eq!(&got_dead, &want_dead, "dead includes\n{}", text);
    let mut got_contra = BTreeMap::new();
    for c in &sem.contradictions {
        let mut cells = BTreeSet::new();
        let regions = sem.contradicted(model, c);
        prop_assert_eq!(
            regions.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            c.earlier.clone(),
            "contradiction's earlier includes\n{}",
            text
        );
        // The texts written while composing are those of the regions
        // worked out again, and each names its region's first case.
        let mut all = Region::new();
        for ((_, r), first) in regions.iter().zip(&c.firsts) {
            cells.extend(r.iter());
            all.union_with(r);
            prop_assert_eq!(Some(first.cell), r.min(), "first case\n{}", text);
            prop_assert_eq!(&first.text, &region_text(u, r), "first's text\n{}", text);
        }
        prop_assert_eq!(c.firsts.len(), regions.len());
        prop_assert_eq!(
            c.text(),
            region_text(u, &all),
            "contradiction's text\n{}",
            text
        );
        got_contra.insert((index_of(model, c.acl), c.later), cells);
    }
    let want_cells: BTreeMap<_, BTreeSet<u32>> = want_contra
        .iter()
        .map(|(k, ps)| {
            (
                *k,
                ps.iter().map(|&(ac, o, a)| u.cell_of(ac, o, a)).collect(),
            )
        })
        .collect();
    prop_assert_eq!(&got_contra, &want_cells, "contradictions\n{}", text);

    // Empty access levels.
    let diag_empty: BTreeSet<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.code == "empty-access-level")
        .flat_map(|d| d.access_levels.clone())
        .collect();
    let want_empty: BTreeSet<String> = (0..acls.len())
        .filter(|&i| acls[i].user)
        .filter(|&i| {
            let f = flat(acls, i).0;
            pts.iter()
                .all(|p| first_match(acls, &f, p.0, p.1, p.2) != Some(true))
        })
        .map(|i| format!("C{i}"))
        .collect();
    prop_assert_eq!(diag_empty, want_empty);

    // Removing what is reported dead changes no decision.
    let mut pruned = acls.to_vec();
    for ((b, k), (red, sh)) in &got {
        pruned[*b].rules[*k].access &= !(red | sh);
    }
    for &(l, j) in got_dead.keys() {
        pruned[l].includes[j] = usize::MAX;
    }
    for acl in &mut pruned {
        acl.rules.retain(|r| r.access != 0);
        acl.includes.retain(|&i| i != usize::MAX);
    }
    for i in 0..acls.len() {
        let (before, after) = (flat(acls, i).0, flat(&pruned, i).0);
        for &(access, o, a) in &pts {
            prop_assert_eq!(
                first_match(acls, &before, access, o, a),
                first_match(&pruned, &after, access, o, a),
                "removing dead rules and includes changed C{} {} {}.{}\n{}",
                i,
                access,
                o,
                a,
                text
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn findings_equal_the_brute_force_oracle(acls in dag_policy()) {
        check(&acls)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Wide closures (most blocks reach most of the graph, through many
    /// paths and some long chains) with wildcard-heavy rules.
    #[test]
    fn wide_closures_equal_the_brute_force_oracle(acls in wide_policy()) {
        check(&acls)?;
    }
}
