//! Random policies and a brute-force evaluator written straight from
//! DESIGN §1, shared by the property tests.

#![allow(dead_code, reason = "each test crate uses part of it")]

pub mod run;

use aclc::syntax::ast::Access;
use proptest::prelude::*;

pub const OBJECTS: &[&str] = &["A", "AB", "ABC", "B", "Bx"];
pub const OBJECT_PATTERNS: &[&str] = &["A", "AB", "ABC", "B", "Bx", "A*", "AB*", "B*", "*"];
pub const ATTRS: &[&str] = &["x", "xy", "y"];
pub const ATTR_PATTERNS: &[&str] = &["x", "xy", "y", "x*", "*"];
/// Names no pattern mentions, or that only a prefix matches.
pub const EXTRA_OBJECTS: &[&str] = &["Z", "Aq", "ABq", "Bxq"];
pub const EXTRA_ATTRS: &[&str] = &["q", "xq", "xyq"];

#[derive(Clone, Debug)]
pub struct TRule {
    pub allow: bool,
    pub access: u8,
    pub object: &'static str,
    pub attribute: &'static str,
}

#[derive(Clone, Debug)]
pub struct TAcl {
    pub rules: Vec<TRule>,
    pub includes: Vec<usize>,
    /// An access level `for user` rather than a component.
    pub user: bool,
}

pub fn rule() -> impl Strategy<Value = TRule> {
    (
        any::<bool>(),
        1u8..16,
        prop::sample::select(OBJECT_PATTERNS),
        prop::sample::select(ATTR_PATTERNS),
    )
        .prop_map(|(allow, access, object, attribute)| TRule {
            allow,
            access,
            object,
            attribute,
        })
}

pub fn policy() -> impl Strategy<Value = Vec<TAcl>> {
    (1usize..8).prop_flat_map(|n| {
        prop::collection::vec(
            (
                prop::collection::vec(rule(), 0..5),
                prop::collection::vec(0..n, 0..4),
            )
                .prop_map(|(rules, includes)| TAcl {
                    rules,
                    includes,
                    user: false,
                }),
            n,
        )
    })
}

/// Acyclic policies: block `i` includes only blocks after it, so diamonds,
/// deep chains and repeated includes occur, cycles do not. Some blocks are
/// user access levels.
pub fn dag_policy() -> impl Strategy<Value = Vec<TAcl>> {
    (1usize..9).prop_flat_map(|n| {
        prop::collection::vec(
            (
                prop::collection::vec(rule(), 0..6),
                prop::collection::vec(0..n, 0..5),
                any::<bool>(),
            ),
            n,
        )
        .prop_map(move |blocks| {
            blocks
                .into_iter()
                .enumerate()
                .map(|(i, (rules, includes, user))| TAcl {
                    rules,
                    includes: includes.into_iter().filter(|&j| j > i).collect(),
                    user,
                })
                .collect()
        })
    })
}

/// Wide acyclic policies: 12 to 30 blocks, each including up to four
/// blocks chosen among all later ones, so the first blocks reach most of
/// the graph through many paths (closures of most blocks, as in a tangled
/// legacy library), with wildcard-heavy rules and some long chains.
pub fn wide_policy() -> impl Strategy<Value = Vec<TAcl>> {
    (12usize..30).prop_flat_map(|n| {
        prop::collection::vec(
            (
                prop::collection::vec(rule(), 0..7),
                prop::collection::vec(any::<prop::sample::Index>(), 0..5),
                any::<bool>(),
                any::<bool>(),
            ),
            n,
        )
        .prop_map(move |blocks| {
            blocks
                .into_iter()
                .enumerate()
                .map(|(i, (rules, picks, user, chain))| {
                    let later = n - i - 1;
                    let mut includes: Vec<usize> = if later == 0 {
                        Vec::new()
                    } else {
                        picks.iter().map(|p| i + 1 + p.index(later)).collect()
                    };
                    if chain && later > 0 {
                        includes.insert(0, i + 1);
                    }
                    TAcl {
                        rules,
                        includes,
                        user,
                    }
                })
                .collect()
        })
    })
}

/// Every name the brute force tries: at least one of every class.
pub fn object_names() -> impl Iterator<Item = &'static str> {
    OBJECTS.iter().chain(EXTRA_OBJECTS).copied()
}

/// Every attribute name the brute force tries.
pub fn attr_names() -> impl Iterator<Item = &'static str> {
    ATTRS.iter().chain(EXTRA_ATTRS).copied()
}

/// Whether rule `r` matches the request.
pub fn rule_matches(r: &TRule, access: Access, o: &str, a: &str) -> bool {
    r.access & access.bit() != 0 && matches(r.object, o) && matches(r.attribute, a)
}

/// The first rule of `flat` matching the request: its allow flag.
pub fn first_match(
    acls: &[TAcl],
    flat: &[(usize, usize)],
    access: Access,
    o: &str,
    a: &str,
) -> Option<bool> {
    flat.iter()
        .map(|&(i, k)| &acls[i].rules[k])
        .find(|r| rule_matches(r, access, o, a))
        .map(|r| r.allow)
}

pub fn access_list(bits: u8) -> String {
    Access::ALL
        .iter()
        .filter(|a| bits & a.bit() != 0)
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn render(acls: &[TAcl]) -> String {
    let mut s = String::new();
    for (i, a) in acls.iter().enumerate() {
        let participant = a.user.then_some("user");
        render_block(&mut s, i, participant, false, &a.rules, &a.includes);
    }
    s
}

/// One rule as a permission line of a block.
pub fn render_rule(s: &mut String, r: &TRule) {
    let effect = if r.allow { "allow" } else { "deny" };
    s.push_str(&format!(
        "    {effect} {} {}.{}\n",
        access_list(r.access),
        r.object,
        r.attribute
    ));
}

/// Block `C{i}` as policy text: an access level for `participant`, else a
/// component; `hidden` if asked, its rules, then its includes (`C{n}`).
pub fn render_block(
    s: &mut String,
    i: usize,
    participant: Option<&str>,
    hidden: bool,
    rules: &[TRule],
    includes: &[usize],
) {
    match participant {
        Some(p) => s.push_str(&format!("access_level \"C{i}\" for {p} {{\n")),
        None => s.push_str(&format!("component \"C{i}\" {{\n")),
    }
    if hidden {
        s.push_str("    hidden\n");
    }
    for r in rules {
        render_rule(s, r);
    }
    for inc in includes {
        s.push_str(&format!("    include \"C{inc}\"\n"));
    }
    s.push_str("}\n");
}

pub fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// DESIGN §1, literally: own permissions, then each include depth-first; an
/// access level reached a second time adds nothing.
pub fn flatten(acls: &[TAcl], i: usize, seen: &mut Vec<bool>, out: &mut Vec<(usize, usize)>) {
    if seen[i] {
        return;
    }
    seen[i] = true;
    out.extend((0..acls[i].rules.len()).map(|k| (i, k)));
    for &inc in &acls[i].includes {
        flatten(acls, inc, seen, out);
    }
}
