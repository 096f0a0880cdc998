//! `aclc who-can` and `aclc impact` from the command line: snapshot tests
//! over the fixture folders of `tests/audit/` (each a policy set and a
//! `queries` file, one command line a line, every query run in text and in
//! JSON), and the errors and exit codes of both commands.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::path::Path;

mod common;
use common::run::{aclc, code, project, repo, stderr, stdout};

/// The words of a query line, double quotes grouping words.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn run_queries(dir: &Path) -> String {
    let queries = std::fs::read_to_string(dir.join("queries")).unwrap();
    let mut out = String::new();
    for line in queries.lines().filter(|l| !l.trim().is_empty()) {
        for json in [false, true] {
            let mut args = words(line);
            args.push("--no-predefined".to_string());
            if json {
                args.extend(["--format".to_string(), "json".to_string()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = aclc(dir, &args);
            out.push_str(&format!(
                "──── aclc {line}{} (exit {})\n{}{}",
                if json { " --format json" } else { "" },
                code(&o),
                stdout(&o),
                stderr(&o)
            ));
        }
    }
    out
}

#[test]
fn audit_fixtures() {
    insta::glob!("audit/*", |dir| {
        if dir.is_dir() {
            insta::assert_snapshot!(run_queries(dir));
        }
    });
}

const POLICY: &str = "\
component \"Billing\" {
    allow read Bills.*
}
access_level \"Back office\" for user {
    include \"Billing\"
}
";

#[test]
fn an_unknown_name_fails_with_did_you_mean() {
    let dir = project(&[("p.acl", POLICY)]);
    let o = aclc(dir.path(), &["impact", "--no-predefined", "Biling"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: no access level or component is named `Biling`; did you mean `Billing`?\n"
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_target_that_is_not_a_name_or_pattern_fails() {
    let dir = project(&[("p.acl", POLICY)]);
    for target in ["Bills", "Bills.", "Bi-lls.x", "*Bills.x", "Bills.x.y"] {
        let o = aclc(dir.path(), &["who-can", "--no-predefined", "read", target]);
        assert_eq!(code(&o), 2, "{target}");
        assert!(
            stderr(&o).contains(&format!("`{target}` is not an `Object.attribute`")),
            "{target}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn an_unknown_type_fails_with_the_list() {
    let dir = project(&[("p.acl", POLICY)]);
    let o = aclc(
        dir.path(),
        &[
            "who-can",
            "--no-predefined",
            "read",
            "Bills.x",
            "--type",
            "admin",
        ],
    );
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: `admin` is not a participant type; use one of user, customer, account, reseller, distributor, representative, cc_staff, vendor or component\n"
    );
}

#[test]
fn answers_exit_zero_even_with_findings() {
    // An error in the policy set (an unknown include) does not stop the
    // answer, as for `explain`.
    let text = format!("{POLICY}access_level \"X\" for user {{\n    include \"Nope\"\n}}\n");
    let dir = project(&[("p.acl", &text)]);
    let o = aclc(
        dir.path(),
        &["who-can", "--no-predefined", "read", "Bills.x"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "1 access level may read Bills.x\n  `Back office` (user)\n      decided by  allow read Bills.*  (p.acl:2:5, in `Billing`)\n      via         `Back office` → `Billing`\n"
    );
    let o = aclc(dir.path(), &["impact", "--no-predefined", "Back office"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// The shipped examples with the predefined library: the auditor's
/// question of the issue.
#[test]
fn who_can_change_a_credit_limit_in_the_examples() {
    let o = aclc(
        &repo(),
        &[
            "who-can",
            "-p",
            "policies/examples",
            "update",
            "Customers.credit_limit",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = v["access_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Admin"), "{names:?}");
    // The night shift denies it before including the helpdesk's rules.
    assert!(!names.contains(&"Night helpdesk"), "{names:?}");
    assert!(names.contains(&"Helpdesk"), "{names:?}");
    for a in v["access_levels"].as_array().unwrap() {
        assert_eq!(a["rule"]["effect"], "allow");
        assert_eq!(a["region"], serde_json::Value::Null);
    }
}
