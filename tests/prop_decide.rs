//! Property test: for random policies (prefix globs, wildcards, diamonds,
//! cycles, repeated includes), aclc's `decide`, its effective rule lists and
//! the compiled runtime table agree with a brute-force evaluator written
//! here straight from DESIGN §1.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use aclc::analysis::{analyze, Options};
use aclc::emit;
use aclc::runtime::Table;
use aclc::source::{Origin, SourceMap};
use aclc::syntax::ast::{Access, Effect};
use proptest::prelude::*;

mod common;
use common::*;

fn oracle(
    acls: &[TAcl],
    flat: &[(usize, usize)],
    access: Access,
    o: &str,
    a: &str,
) -> (Effect, Option<(usize, usize)>) {
    for &(i, k) in flat {
        let r = &acls[i].rules[k];
        if r.access & access.bit() != 0 && matches(r.object, o) && matches(r.attribute, a) {
            return (
                if r.allow { Effect::Allow } else { Effect::Deny },
                Some((i, k)),
            );
        }
    }
    (Effect::Deny, None)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn decide_matches_brute_force(acls in policy()) {
        let text = render(&acls);
        let mut sources = SourceMap::new();
        sources.add("p.acl", text.as_str(), Origin::User);
        let analysis = analyze(sources, &Options::default());
        let model = &analysis.model;
        prop_assert!(model.syntax_errors.is_empty(), "{:?}\n{}", model.syntax_errors, text);
        let compiled = emit::json::compile(model, &analysis.semantics);
        let decider = Table::from_json(&emit::json::document_json(&compiled));
        prop_assert!(decider.is_ok());
        let decider = decider.unwrap_or_else(|_| unreachable!());

        for (i, _) in acls.iter().enumerate() {
            let id = model.lookup(&format!("C{i}"));
            prop_assert!(id.is_some());
            let id = id.unwrap_or_else(|| unreachable!());
            let mut flat = Vec::new();
            flatten(&acls, i, &mut vec![false; acls.len()], &mut flat);
            let one = Table::new(emit::json::compile_one(model, &analysis.semantics, id).0);
            prop_assert!(one.is_ok());
            let one = one.unwrap_or_else(|_| unreachable!());

            // The effective list, rule for rule.
            let eff: Vec<(usize, usize)> = model
                .effective(id)
                .rules
                .iter()
                .map(|r| (model.acl(r.origin).name[1..].parse::<usize>().unwrap_or(usize::MAX), r.index))
                .collect();
            prop_assert_eq!(&eff, &flat);

            for access in Access::ALL {
                for o in OBJECTS.iter().chain(EXTRA_OBJECTS) {
                    for a in ATTRS.iter().chain(EXTRA_ATTRS) {
                        let (want, want_rule) = oracle(&acls, &flat, access, o, a);
                        let got = model.decide(id, access, o, a);
                        prop_assert_eq!(got.effect, want, "decide C{} {} {}.{}\n{}", i, access, o, a, text);
                        let got_rule = got.rule.map(|(origin, k)| {
                            (model.acl(origin).name[1..].parse::<usize>().unwrap_or(usize::MAX), k)
                        });
                        prop_assert_eq!(got_rule, want_rule);
                        // The path ends at the deciding rule's access level.
                        if let Some((origin, _)) = got.rule {
                            prop_assert_eq!(got.path.first().copied(), Some(id));
                            prop_assert_eq!(got.path.last().copied(), Some(origin));
                        }
                        // The table decides for access levels; components
                        // have no evaluation order of their own.
                        let name = format!("C{i}");
                        let expected = (!model.acl(id).is_component()).then_some(want);
                        prop_assert_eq!(decider.decide(&name, access, o, a), expected);
                        prop_assert_eq!(decider.explain(&name, access, o, a).map(|d| d.effect), expected);
                        // The table of one block (`show --format json`)
                        // decides for it, component or not, cycles or not.
                        prop_assert_eq!(one.decide(&name, access, o, a), Some(want));
                    }
                }
            }
        }
    }
}
