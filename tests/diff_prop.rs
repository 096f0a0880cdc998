//! Property test: random pairs of policies (effects flipped, rules removed
//! and added, wildcards widened and narrowed, includes reordered, added and
//! removed, components edited, blocks hidden, re-typed, removed, defaults
//! moved), diffed by `aclc::diff` and compared with a brute-force oracle
//! written here from DESIGN §1: every changed decision is covered by exactly
//! the reported regions, nothing unchanged is reported, and every cause
//! named is an edited block the access level reaches whose own decision or
//! include list changed where the change is.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use aclc::diff::{self, Change, Kind, Part, Rules};
use aclc::model::Model;
use aclc::source::{Origin, SourceMap};
use aclc::syntax::ast::Access;
use proptest::prelude::*;

mod common;
use common::*;

#[derive(Clone, Debug)]
struct Block {
    rules: Vec<TRule>,
    includes: Vec<usize>,
    customer: bool,
    hidden: bool,
    present: bool,
}

#[derive(Clone, Debug)]
struct Policy {
    blocks: Vec<Block>,
    default: Option<usize>,
}

fn render_policy(p: &Policy) -> String {
    let mut s = String::new();
    for (i, b) in p.blocks.iter().enumerate().filter(|(_, b)| b.present) {
        let participant = b.customer.then_some("customer");
        render_block(&mut s, i, participant, b.hidden, &b.rules, &b.includes);
    }
    if let Some(d) = p.default {
        s.push_str(&format!("default customer = \"C{d}\"\n"));
    }
    s
}

/// Both sides' models, built as `aclc diff` builds them (read for their
/// items alone, without the statements as written).
fn models(old: &str, new: &str) -> (Model, Model) {
    let sources = |text: &str| {
        let mut sources = SourceMap::new();
        sources.add("p.acl", text, Origin::User);
        Ok::<_, ()>(sources)
    };
    match diff::models(|| sources(old), || sources(new)) {
        (Ok(old), Ok(new)) => (old, new),
        _ => unreachable!("the sources are in memory"),
    }
}

/// DESIGN §1 literally, over present blocks (an include of an absent
/// block adds nothing).
fn flat(p: &Policy, i: usize, seen: &mut Vec<bool>, out: &mut Vec<(usize, usize)>) {
    if seen[i] || !p.blocks[i].present {
        return;
    }
    seen[i] = true;
    out.extend((0..p.blocks[i].rules.len()).map(|k| (i, k)));
    for &inc in &p.blocks[i].includes {
        flat(p, inc, seen, out);
    }
}

/// The first matching rule's effect (None: undecided) of block `i`.
fn decide(p: &Policy, i: usize, access: Access, o: &str, a: &str) -> Option<bool> {
    let mut seen = vec![false; p.blocks.len()];
    let mut out = Vec::new();
    flat(p, i, &mut seen, &mut out);
    out.iter()
        .map(|&(b, k)| &p.blocks[b].rules[k])
        .find(|r| rule_matches(r, access, o, a))
        .map(|r| r.allow)
}

fn allows_as_level(p: &Policy, i: usize, access: Access, o: &str, a: &str) -> bool {
    let b = &p.blocks[i];
    b.present && b.customer && decide(p, i, access, o, a) == Some(true)
}

fn reaches(p: &Policy, from: usize, to: usize) -> bool {
    let mut seen = vec![false; p.blocks.len()];
    let mut stack = vec![from];
    while let Some(x) = stack.pop() {
        if x == to && p.blocks[x].present {
            return true;
        }
        if seen[x] || !p.blocks[x].present {
            continue;
        }
        seen[x] = true;
        stack.extend(p.blocks[x].includes.iter().copied());
    }
    false
}

fn in_part(part: &Part, access: Access, o: &str, a: &str) -> bool {
    let m = |p: &aclc::syntax::ast::Pattern, n: &str| matches(&p.to_string(), n);
    part.access == access
        && m(&part.object, o)
        && m(&part.attribute, a)
        && !part.except_objects.iter().any(|x| m(x, o))
        && !part.except_attributes.iter().any(|x| m(x, a))
}

fn requests() -> Vec<(Access, &'static str, &'static str)> {
    let mut v = Vec::new();
    for access in Access::ALL {
        for o in object_names() {
            for a in attr_names() {
                v.push((access, o, a));
            }
        }
    }
    v
}

fn block() -> impl Strategy<Value = (Vec<TRule>, Vec<prop::sample::Index>, bool, bool)> {
    (
        prop::collection::vec(rule(), 0..5),
        prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        any::<bool>(),
        prop::bool::weighted(0.2),
    )
}

fn old_policy() -> impl Strategy<Value = Policy> {
    (
        prop::collection::vec(block(), 1..8),
        any::<Option<prop::sample::Index>>(),
        any::<bool>(),
    )
        .prop_map(|(blocks, default, acyclic)| {
            let n = blocks.len();
            let blocks = blocks
                .into_iter()
                .enumerate()
                .map(|(i, (rules, incs, customer, hidden))| Block {
                    rules,
                    includes: incs
                        .iter()
                        .map(|x| x.index(n))
                        .filter(|&j| !acyclic || j > i)
                        .collect(),
                    customer,
                    hidden,
                    present: true,
                })
                .collect();
            Policy {
                blocks,
                default: default.map(|d| d.index(n)),
            }
        })
}

type Op = (u8, prop::sample::Index, prop::sample::Index, TRule);

fn widen(p: &'static str) -> &'static str {
    match p {
        "A" | "ABC" => "A*",
        "AB" => "AB*",
        "B" | "Bx" => "B*",
        "x" | "xy" => "x*",
        _ => "*",
    }
}

fn narrow(p: &'static str) -> &'static str {
    match p {
        "*" => "A*",
        "A*" => "AB*",
        "AB*" => "ABC",
        "B*" => "Bx",
        "x*" => "xy",
        other => other,
    }
}

fn apply(p: &Policy, ops: &[Op]) -> Policy {
    let mut p = p.clone();
    let n = p.blocks.len();
    for (op, i, k, r) in ops {
        let b = i.index(n);
        let blk = &mut p.blocks[b];
        let nr = blk.rules.len();
        match op % 12 {
            0 if nr > 0 => blk.rules[k.index(nr)].allow ^= true,
            1 if nr > 0 => {
                blk.rules.remove(k.index(nr));
            }
            2 => blk.rules.insert(k.index(nr + 1), r.clone()),
            3 if nr > 0 => {
                let x = &mut blk.rules[k.index(nr)];
                if r.allow {
                    x.object = widen(x.object);
                } else {
                    x.attribute = widen(x.attribute);
                }
            }
            4 if nr > 0 => {
                let x = &mut blk.rules[k.index(nr)];
                if r.allow {
                    x.object = narrow(x.object);
                } else {
                    x.attribute = narrow(x.attribute);
                }
            }
            5 if blk.includes.len() > 1 => {
                let j = k.index(blk.includes.len());
                blk.includes.swap(0, j);
            }
            6 => {
                if r.allow || blk.includes.is_empty() {
                    blk.includes.push(k.index(n));
                } else {
                    let j = k.index(blk.includes.len());
                    blk.includes.remove(j);
                }
            }
            7 => blk.hidden ^= true,
            8 => p.default = if r.allow { Some(k.index(n)) } else { None },
            9 => blk.present ^= true,
            10 => blk.customer ^= true,
            11 if nr > 0 => blk.rules[k.index(nr)] = r.clone(),
            _ => {}
        }
    }
    p
}

fn edited(old: &Policy, new: &Policy, i: usize) -> bool {
    let (a, b) = (&old.blocks[i], &new.blocks[i]);
    if a.present != b.present || a.customer != b.customer {
        return true;
    }
    let same_rules = a.rules.len() == b.rules.len()
        && a.rules.iter().zip(&b.rules).all(|(x, y)| {
            x.allow == y.allow
                && x.access == y.access
                && x.object == y.object
                && x.attribute == y.attribute
        });
    !(same_rules && a.includes == b.includes)
}

fn index(name: &str) -> usize {
    name.trim_start_matches('C').parse().unwrap()
}

fn region_changes<'d>(d: &'d diff::Diff, kind: Kind, name: &str) -> Vec<(&'d Change, Vec<Part>)> {
    d.changes
        .iter()
        .filter(|c| c.kind == kind && c.access_level.as_deref() == Some(name) && c.region.is_some())
        .map(|c| (c, d.parts(c, usize::MAX).0))
        .collect()
}

proptest! {
    // Enough cases to meet two changed includes of one block that changed
    // on the same cells by different causes (an attribution that lets the
    // first include's cells leak to the second's causes fails in about a
    // thousand; the case found is kept in the regressions file).
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn diff_matches_brute_force(
        old in old_policy(),
        ops in prop::collection::vec((0u8..12, any::<prop::sample::Index>(), any::<prop::sample::Index>(), rule()), 1..5),
    ) {
        let new = apply(&old, &ops);
        let (ot, nt) = (render_policy(&old), render_policy(&new));
        let (om, nm) = models(&ot, &nt);
        prop_assert!(om.syntax_errors.is_empty() && nm.syntax_errors.is_empty());
        let d = diff::diff(&om, &nm, &Rules::default());
        let ctx = format!("old:\n{ot}\nnew:\n{nt}");
        let reqs = requests();
        for i in 0..old.blocks.len() {
            let name = format!("C{i}");
            let gained = region_changes(&d, Kind::NewAccess, &name);
            let lost = region_changes(&d, Kind::RemovedAccess, &name);
            for &(access, o, a) in &reqs {
                let was = allows_as_level(&old, i, access, o, a);
                let now = allows_as_level(&new, i, access, o, a);
                let in_gained = gained.iter().filter(|(_, ps)| ps.iter().any(|p| in_part(p, access, o, a))).count();
                let in_lost = lost.iter().filter(|(_, ps)| ps.iter().any(|p| in_part(p, access, o, a))).count();
                prop_assert_eq!(in_gained, usize::from(!was && now), "{} {} {}.{} new-access\n{}", name, access, o, a, ctx);
                prop_assert_eq!(in_lost, usize::from(was && !now), "{} {} {}.{} removed-access\n{}", name, access, o, a, ctx);
            }
            // Attribution: edited blocks, reached, changed where it says.
            for (c, parts) in gained.iter().chain(&lost) {
                prop_assert!(!c.caused_by.is_empty(), "{}: no cause\n{}", name, ctx);
                for cause in c.caused_by.iter() {
                    let x = index(cause);
                    prop_assert!(edited(&old, &new, x), "{} blames unedited {}\n{}", name, cause, ctx);
                    prop_assert!(reaches(&old, i, x) || reaches(&new, i, x), "{} blames unreached {}\n{}", name, cause, ctx);
                    let includes_changed = old.blocks[x].includes != new.blocks[x].includes
                        || old.blocks[x].present != new.blocks[x].present
                        || old.blocks[x].customer != new.blocks[x].customer;
                    let own_changed_here = reqs.iter().any(|&(access, o, a)| {
                        parts.iter().any(|p| in_part(p, access, o, a))
                            && (if old.blocks[x].present { decide(&old, x, access, o, a) } else { None })
                                != (if new.blocks[x].present { decide(&new, x, access, o, a) } else { None })
                    });
                    // A cause on an include cycle is named for the cycle.
                    let cyclic = reaches(&old, x, x) || reaches(&new, x, x) || reaches(&old, i, i) || reaches(&new, i, i);
                    prop_assert!(includes_changed || own_changed_here || cyclic,
                        "{} blames {} whose decisions did not change there\n{}", name, cause, ctx);
                }
            }
            // Hidden, type, presence.
            let (ob, nb) = (&old.blocks[i], &new.blocks[i]);
            let count = |k: Kind| d.changes.iter().filter(|c| c.kind == k && c.access_level.as_deref() == Some(name.as_str())).count();
            let both = ob.present && nb.present;
            prop_assert_eq!(count(Kind::Unhide), usize::from(both && ob.hidden && !nb.hidden), "{}", ctx);
            prop_assert_eq!(count(Kind::Hide), usize::from(both && !ob.hidden && nb.hidden), "{}", ctx);
            prop_assert_eq!(count(Kind::TypeChanged), usize::from(both && ob.customer != nb.customer), "{}", ctx);
            prop_assert_eq!(count(Kind::AddedAccessLevel), usize::from(!ob.present && nb.present), "{}", ctx);
            prop_assert_eq!(count(Kind::RemovedAccessLevel), usize::from(ob.present && !nb.present), "{}", ctx);
        }
        for c in d.changes.iter().filter(|c| c.kind == Kind::Unhide) {
            prop_assert!(c.fails);
        }
        // Defaults: the header, then exactly the decisions that differ.
        // The report's groups, worked out in runs of one block's changes
        // each and merged, are those of one pass.
        let one = format!("{:?}", aclc::render::diff::groups_in_runs(&d, 5, usize::MAX));
        let merged = format!("{:?}", aclc::render::diff::groups_in_runs(&d, 5, 1));
        prop_assert_eq!(one, merged, "{}", ctx);
        let defaults: Vec<&Change> = d.changes.iter().filter(|c| c.kind == Kind::DefaultChanged).collect();
        if old.default == new.default {
            prop_assert!(defaults.is_empty(), "{}", ctx);
        } else {
            prop_assert_eq!(defaults.iter().filter(|c| c.region.is_none()).count(), 1, "{}", ctx);
            let parts: Vec<(&Change, Vec<Part>)> = defaults.iter().filter(|c| c.region.is_some()).map(|c| (*c, d.parts(c, usize::MAX).0)).collect();
            for &(access, o, a) in &reqs {
                // The default decides as its block does, whatever its type
                // (a mismatch is `check`'s finding).
                let dec = |p: &Policy| p.default.is_some_and(|t| p.blocks[t].present && decide(p, t, access, o, a) == Some(true));
                let changed = dec(&old) != dec(&new);
                let covered = parts.iter().filter(|(_, ps)| ps.iter().any(|p| in_part(p, access, o, a))).count();
                prop_assert_eq!(covered, usize::from(changed), "default {} {}.{}\n{}", access, o, a, ctx);
            }
        }
    }
}
