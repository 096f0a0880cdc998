//! The quick fixes that remove something (a redundant rule, a duplicate
//! include, an include reached twice) change no decision: on random
//! policies, every such fix applied together, the policy decides every
//! request of every class as before; and it still parses. So does the fix
//! that moves includes below the own permissions.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use aclc::analysis::{analyze, Analysis, Options};
use aclc::diagnostic::{apply_edits, compatible_fixes, Fix};
use aclc::source::{Origin, SourceMap};
use aclc::syntax::ast::{Access, Effect};
use proptest::prelude::*;

mod common;
use common::*;

fn analyzed(text: &str) -> Analysis {
    let mut sources = SourceMap::new();
    sources.add("p.acl", text, Origin::User);
    analyze(sources, &Options::default())
}

fn decisions(a: &Analysis) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for acl in &a.model.acls {
        for access in Access::ALL {
            for o in object_names() {
                for at in attr_names() {
                    let d = a.model.decide(acl.id, access, o, at);
                    out.push((
                        format!("{} {access} {o}.{at}", acl.name),
                        d.effect == Effect::Allow,
                    ));
                }
            }
        }
    }
    out
}

/// Like `common::render`, with all the includes of a block in one
/// statement when `one_statement` (so names are removed from lists).
fn write(acls: &[TAcl], one_statement: bool) -> String {
    if !one_statement {
        return render(acls);
    }
    let mut s = String::new();
    for (i, a) in acls.iter().enumerate() {
        s.push_str(&format!("component \"C{i}\" {{\n"));
        for r in &a.rules {
            render_rule(&mut s, r);
        }
        if !a.includes.is_empty() {
            let names: Vec<String> = a.includes.iter().map(|j| format!("\"C{j}\"")).collect();
            s.push_str(&format!("    include {}\n", names.join(", ")));
        }
        s.push_str("}\n");
    }
    s
}

const REMOVALS: [&str; 3] = ["redundant-rule", "duplicate-include", "dead-include"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn removal_fixes_change_no_decision(acls in policy(), one_statement in any::<bool>()) {
        let text = write(&acls, one_statement);
        let before = analyzed(&text);
        let fixes: Vec<&Fix> = before
            .diagnostics
            .iter()
            .filter(|d| REMOVALS.contains(&d.code))
            .filter_map(|d| d.fixes.first())
            .collect();
        let (taken, edits) = compatible_fixes(&fixes);
        prop_assert_eq!(taken.len(), fixes.len(), "removals never overlap");
        let fixed = apply_edits(&text, &edits).unwrap();
        let after = analyzed(&fixed);
        prop_assert!(
            after.diagnostics.iter().all(|d| d.code != "syntax-error"),
            "{}", fixed
        );
        prop_assert_eq!(decisions(&before), decisions(&after), "{}\n=>\n{}", text, fixed);
    }
}

/// Blocks with includes written above own permissions: all of them first
/// in one statement, or one include statement before each rule.
fn write_includes_above(acls: &[TAcl], interleaved: bool) -> String {
    let mut s = String::new();
    for (i, a) in acls.iter().enumerate() {
        s.push_str(&format!("component \"C{i}\" {{\n"));
        let names: Vec<String> = a.includes.iter().map(|j| format!("\"C{j}\"")).collect();
        if !interleaved && !names.is_empty() {
            s.push_str(&format!(
                "    include {}  # kept with its include\n",
                names.join(", ")
            ));
        }
        for (k, r) in a.rules.iter().enumerate() {
            if interleaved {
                if let Some(n) = names.get(k) {
                    s.push_str(&format!("    include {n}\n"));
                }
            }
            let effect = if r.allow { "allow" } else { "deny" };
            s.push_str(&format!(
                "    {effect} {} {}.{}\n",
                access_list(r.access),
                r.object,
                r.attribute
            ));
        }
        if interleaved {
            for n in names.iter().skip(a.rules.len()) {
                s.push_str(&format!("    include {n}\n"));
            }
        }
        s.push_str("}\n");
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The fix of `include-before-permission` (includes moved below the
    /// own permissions) leaves no such finding, keeps the file parsing and
    /// its comments, and changes no decision.
    #[test]
    fn moving_includes_changes_no_decision(acls in policy(), interleaved in any::<bool>()) {
        let text = write_includes_above(&acls, interleaved);
        let before = analyzed(&text);
        let fixes: Vec<&Fix> = before
            .diagnostics
            .iter()
            .filter(|d| d.code == "include-before-permission")
            .filter_map(|d| d.fixes.first())
            .collect();
        let (_, edits) = compatible_fixes(&fixes);
        let fixed = apply_edits(&text, &edits).unwrap();
        let after = analyzed(&fixed);
        prop_assert!(
            after.diagnostics.iter().all(|d| d.code != "syntax-error" && d.code != "include-before-permission"),
            "{}\n=>\n{}", text, fixed
        );
        prop_assert_eq!(
            text.matches("# kept with its include").count(),
            fixed.matches("# kept with its include").count()
        );
        prop_assert_eq!(decisions(&before), decisions(&after), "{}\n=>\n{}", text, fixed);
    }
}

/// The property above is not vacuous: random policies get fixes of every
/// kind it applies.
#[test]
fn random_policies_have_removal_fixes_of_every_kind() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let acls = policy().new_tree(&mut runner).unwrap().current();
        for d in &analyzed(&write(&acls, true)).diagnostics {
            if REMOVALS.contains(&d.code) && !d.fixes.is_empty() {
                seen.insert(d.code);
            }
        }
    }
    assert_eq!(seen.len(), REMOVALS.len(), "{seen:?}");
}

/// The moving property is not vacuous either: both layouts get the fix.
#[test]
fn random_policies_get_the_moving_fix() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = [0usize; 2];
    for _ in 0..100 {
        let acls = policy().new_tree(&mut runner).unwrap().current();
        for (i, interleaved) in [false, true].into_iter().enumerate() {
            let a = analyzed(&write_includes_above(&acls, interleaved));
            seen[i] += a
                .diagnostics
                .iter()
                .filter(|d| d.code == "include-before-permission" && !d.fixes.is_empty())
                .count();
        }
    }
    assert!(seen.iter().all(|&n| n > 10), "{seen:?}");
}
