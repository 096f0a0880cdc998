//! The formatter: snapshot tests over `tests/fmt/<case>/input.acl` (a new
//! case is a new folder), and a property test on random policies written
//! in random layouts with comments: the output is idempotent, keeps every
//! comment, parses to the same syntax tree (spans aside, includes after the
//! other statements of a block) and decides every request as before.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use aclc::analysis::{analyze, Options};
use aclc::source::{FileId, Origin, SourceMap};
use aclc::syntax::ast::{Access, Item, Statement};
use aclc::syntax::parse_file;
use proptest::prelude::*;

mod common;
use common::*;

/// The syntax tree without spans, each block's includes after its other
/// statements (their evaluation order, DESIGN §1).
fn normalized(text: &str) -> String {
    let parsed = parse_file(FileId(0), text);
    assert!(parsed.errors.is_empty(), "{:?}\n{text}", parsed.errors);
    let items: Vec<Item> = parsed
        .items
        .into_iter()
        .map(|mut item| {
            if let Item::Acl(d) = &mut item {
                let mut stmts = d.statements.to_vec();
                stmts.sort_by_key(|s| matches!(s, Statement::Include { .. }));
                d.statements = stmts.into();
            }
            item
        })
        .collect();
    strip_spans(&format!("{items:?}"))
}

fn strip_spans(debug: &str) -> String {
    let mut out = String::new();
    let mut rest = debug;
    while let Some(at) = rest.find("Span { file:") {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        let after = &rest[at..];
        let end = after.find('}').map_or(after.len(), |e| e + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Every comment, as written.
fn comments(text: &str) -> Vec<String> {
    let mut cs: Vec<String> = parse_file(FileId(0), text)
        .comments
        .iter()
        .map(|c| {
            text[c.span.start as usize..c.span.end as usize]
                .trim_end()
                .to_string()
        })
        .collect();
    cs.sort();
    cs
}

/// What the formatter promises for one text that parses.
fn check_formatted(input: &str) -> String {
    let output = aclc::fmt::format(input).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        normalized(input),
        normalized(&output),
        "meaning changed:\n{output}"
    );
    assert_eq!(
        comments(input),
        comments(&output),
        "comments changed:\n{output}"
    );
    let again = aclc::fmt::format(&output).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(output, again, "not idempotent");
    output
}

#[test]
fn fixtures() {
    insta::glob!("fmt/*/input.acl", |path| {
        let input = std::fs::read_to_string(path).unwrap();
        let shown = match aclc::fmt::format(&input) {
            Ok(_) => check_formatted(&input),
            Err(e) => {
                assert_eq!(
                    normalized_errors(&input),
                    e.errors
                        .iter()
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                );
                format!("left as it is: {} syntax error(s)\n", e.errors.len())
            }
        };
        insta::assert_snapshot!(format!("──── input\n{input}──── formatted\n{shown}"));
    });
}

fn normalized_errors(text: &str) -> Vec<String> {
    parse_file(FileId(0), text)
        .errors
        .iter()
        .map(|e| e.message.clone())
        .collect()
}

/// The example policy set and the predefined library format idempotently,
/// with their meaning and comments kept.
#[test]
fn real_policies_format_safely() {
    let mut n = 0;
    for dir in ["policies/examples/acl", "policies/predefined"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "acl") {
                check_formatted(&std::fs::read_to_string(&path).unwrap());
                n += 1;
            }
        }
    }
    assert!(n > 5);
}

/// One way to write a policy: spacing, blank lines, comments, includes
/// above or below the permissions, include lists split over lines.
#[derive(Clone, Debug)]
struct Layout {
    spaces: Vec<u8>,
    comments: Vec<u8>,
    includes_first: Vec<bool>,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        prop::collection::vec(0u8..6, 64),
        prop::collection::vec(0u8..10, 64),
        prop::collection::vec(any::<bool>(), 16),
    )
        .prop_map(|(spaces, comments, includes_first)| Layout {
            spaces,
            comments,
            includes_first,
        })
}

/// Write `acls` in `layout`.
fn write(acls: &[TAcl], l: &Layout) -> String {
    let mut k = 0usize;
    let mut next = |v: &Vec<u8>| {
        k += 1;
        v[k % v.len()]
    };
    let mut s = String::new();
    let sp = |n: u8| [" ", "  ", "\t", " ", "   ", "\n    "][n as usize % 6];
    for (i, a) in acls.iter().enumerate() {
        match next(&l.comments) {
            0 => s.push_str("## doc of the block\n"),
            1 => s.push_str("# a note\n\n"),
            _ => {}
        }
        if a.user {
            s.push_str(&format!(
                "access_level{}\"C{i}\" for user{{",
                sp(next(&l.spaces))
            ));
        } else {
            s.push_str(&format!("component \"C{i}\"{}{{", sp(next(&l.spaces))));
        }
        if next(&l.comments) == 2 {
            s.push_str(" # opener");
        }
        s.push('\n');
        let mut rules: Vec<String> = a
            .rules
            .iter()
            .map(|r| {
                let effect = if r.allow { "allow" } else { "deny" };
                let access = access_list(r.access).replace(", ", ",");
                format!("{effect} {access} {}.{}", r.object, r.attribute)
            })
            .collect();
        let includes: Vec<String> = if a.includes.is_empty() {
            Vec::new()
        } else if next(&l.comments) < 3 {
            // One include statement, split over lines.
            let names: Vec<String> = a.includes.iter().map(|j| format!("\"C{j}\"")).collect();
            vec![format!("include {}", names.join(",\n        "))]
        } else {
            a.includes
                .iter()
                .map(|j| format!("include \"C{j}\""))
                .collect()
        };
        let mut stmts = Vec::new();
        if l.includes_first[i % l.includes_first.len()] {
            stmts.extend(includes);
            stmts.append(&mut rules);
        } else {
            stmts.append(&mut rules);
            stmts.extend(includes);
        }
        for st in stmts {
            match next(&l.comments) {
                3 => s.push_str("    # above\n"),
                4 => s.push('\n'),
                5 => s.push_str("    # aclc-ignore dead-include why\n"),
                _ => {}
            }
            s.push_str(sp(next(&l.spaces)));
            s.push_str(&st);
            if next(&l.comments) == 6 {
                s.push_str(" # trailing");
            }
            s.push('\n');
        }
        if next(&l.comments) == 7 {
            s.push_str("  # dangling\n");
        }
        s.push('}');
        if next(&l.comments) == 8 {
            s.push_str(" # after");
        }
        s.push('\n');
    }
    s
}

fn decisions(text: &str) -> Vec<(String, bool)> {
    let mut sources = SourceMap::new();
    sources.add("p.acl", text, Origin::User);
    let a = analyze(sources, &Options::default());
    let mut out = Vec::new();
    for acl in &a.model.acls {
        for access in Access::ALL {
            for o in object_names() {
                for at in attr_names() {
                    let d = a.model.decide(acl.id, access, o, at);
                    out.push((
                        format!("{} {access} {o}.{at}", acl.name),
                        d.effect == aclc::syntax::ast::Effect::Allow,
                    ));
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn formatting_keeps_meaning_and_comments(acls in policy(), l in layout()) {
        let input = write(&acls, &l);
        let output = check_formatted(&input);
        prop_assert_eq!(decisions(&input), decisions(&output));
    }
}
