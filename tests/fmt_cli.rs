//! `aclc fmt` and `aclc fix` as a user runs them: what they write, what
//! they print, their exit codes.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;
use common::run::{aclc, project};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const MESSY: &str = "component \"A\"{\n  include \"B\"\n  allow read X.*   # why\n}\ncomponent \"B\" { allow read Y.* }\n";
const TIDY: &str = "component \"A\" {\n    allow read X.* # why\n    include \"B\"\n}\n\ncomponent \"B\" {\n    allow read Y.*\n}\n";

#[test]
fn fmt_check_lists_files_that_would_change_and_changes_nothing() {
    let dir = project(&[("acl/messy.acl", MESSY), ("acl/tidy.acl", TIDY)]);
    let out = aclc(dir.path(), &["fmt", "--check", "acl"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "acl/messy.acl\n");
    assert!(text(&out.stderr).contains("1 file(s) would be reformatted"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("acl/messy.acl")).unwrap(),
        MESSY
    );
}

#[test]
fn fmt_rewrites_in_place_then_check_passes() {
    let dir = project(&[("acl/messy.acl", MESSY), ("acl/tidy.acl", TIDY)]);
    let out = aclc(dir.path(), &["fmt", "-p", "acl"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "formatted `acl/messy.acl`\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("acl/messy.acl")).unwrap(),
        TIDY
    );
    let out = aclc(dir.path(), &["fmt", "--check", "-p", "acl"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn fmt_leaves_files_with_syntax_errors_untouched() {
    let broken = "component \"A\" {\n  allow read\n}\n";
    let dir = project(&[("broken.acl", broken), ("messy.acl", MESSY)]);
    let out = aclc(dir.path(), &["fmt", "broken.acl", "messy.acl"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("error: `broken.acl` has 1 syntax error(s) (line 3:")
            && err.contains("left as it is"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.acl")).unwrap(),
        broken
    );
    // The other file is formatted all the same.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.acl")).unwrap(),
        TIDY
    );
}

const FIXABLE: &str = r#"object Rates { list, price }
component "Rates read-only" {
    allow read Rates.*
    allow read Rates.list # again
    deny update Rtes.price
}
access_level "Clerk" for user {
    include "Rates read-only", "Rates read-only"
    include "Rates raed-only"
}
"#;

const FIXED: &str = r#"object Rates { list, price }
component "Rates read-only" {
    allow read Rates.*
    deny update Rates.price
}
access_level "Clerk" for user {
    include "Rates read-only"
    include "Rates read-only"
}
"#;

const CONFIG: &str = "[policy]\npaths = [\"acl\"]\npredefined = false\n";

#[test]
fn fix_dry_run_prints_diffs_and_changes_nothing() {
    let dir = project(&[("aclc.toml", CONFIG), ("acl/a.acl", FIXABLE)]);
    let out = aclc(dir.path(), &["fix", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "acl/a.acl:4:5: remove the redundant rule `allow read Rates.list`\n  -     allow read Rates.list # again\n\
         acl/a.acl:5:17: replace with `Rates`\n  -     deny update Rtes.price\n  +     deny update Rates.price\n\
         acl/a.acl:8:32: remove the second include of `Rates read-only`\n  -     include \"Rates read-only\", \"Rates read-only\"\n  +     include \"Rates read-only\"\n\
         acl/a.acl:9:13: replace with `Rates read-only`\n  -     include \"Rates raed-only\"\n  +     include \"Rates read-only\"\n"
    );
    assert_eq!(text(&out.stderr), "would apply 4 fix(es) in 1 file(s)\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("acl/a.acl")).unwrap(),
        FIXABLE
    );
}

#[test]
fn fix_applies_then_checks_again() {
    let dir = project(&[("aclc.toml", CONFIG), ("acl/a.acl", FIXABLE)]);
    let out = aclc(dir.path(), &["fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("acl/a.acl")).unwrap(),
        FIXED
    );
    // What is left: the duplicate the replaced name became (a second run removes it).
    assert!(
        text(&out.stderr)
            .starts_with("applied 4 fix(es) in 1 file(s); 1 finding(s) left (0 error(s))"),
        "{}",
        text(&out.stderr)
    );
    let out = aclc(dir.path(), &["fix"]);
    assert_eq!(
        text(&out.stdout),
        "acl/a.acl:8:13: remove the second include of `Rates read-only`\n"
    );
    let out = aclc(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).starts_with("no problems found"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn fix_only_takes_the_codes_asked_for() {
    let dir = project(&[("aclc.toml", CONFIG), ("acl/a.acl", FIXABLE)]);
    let out = aclc(dir.path(), &["fix", "--only", "unknown-include"]);
    assert_eq!(
        text(&out.stdout),
        "acl/a.acl:9:13: replace with `Rates read-only`\n"
    );
    let out = aclc(dir.path(), &["fix", "--only", "unknown-inclde"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`unknown-inclde` is not a lint code"));
}
