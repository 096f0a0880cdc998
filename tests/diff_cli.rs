//! `aclc diff` end to end: snapshots of every format over the fixture
//! folders `tests/diff/CASE/{old,new}` (a new case is a new folder, with an
//! optional `aclc.toml`; without one the predefined library is left out),
//! SARIF validated against the SARIF 2.1.0 schema shipped in `tests/`, and
//! `--base` in temporary git repositories.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::path::Path;
use std::process::Command;

mod common;
use common::run::{aclc, code, project, repo, stderr, stdout};

const FORMATS: [&str; 5] = ["text", "json", "markdown", "sarif", "github"];

fn args_for(dir: &Path) -> Vec<&'static str> {
    if dir.join("aclc.toml").is_file() {
        vec!["--config", "aclc.toml"]
    } else {
        vec!["--no-predefined"]
    }
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("tests/sarif-schema-2.1.0.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::new(&schema).unwrap()
}

fn assert_valid_sarif(validator: &jsonschema::Validator, text: &str, what: &str) {
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: invalid SARIF:\n{}",
        errors.join("\n")
    );
    assert_eq!(doc["version"], "2.1.0");
}

#[test]
fn diff_fixtures() {
    let validator = sarif_validator();
    insta::glob!("diff/*", |dir| {
        let mut snap = String::new();
        let mut codes = Vec::new();
        for format in FORMATS {
            let mut args = vec!["diff", "old", "new", "--format", format, "--color", "never"];
            args.extend(args_for(dir));
            let out = aclc(dir, &args);
            assert_eq!(stderr(&out), "", "{}: {format}", dir.display());
            codes.push(code(&out));
            if format == "sarif" {
                assert_valid_sarif(&validator, &stdout(&out), &dir.display().to_string());
            }
            if format == "json" {
                let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
                let failing = v["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["fails"] == true);
                assert_eq!(code(&out), i32::from(failing), "exit code follows `fails`");
            }
            snap.push_str(&format!(
                "──── {format} (exit {})\n{}\n",
                code(&out),
                stdout(&out)
            ));
        }
        assert!(codes.iter().all(|&c| c == codes[0]), "{codes:?}");
        insta::assert_snapshot!(snap);
    });
}

#[test]
fn check_sarif_is_valid() {
    let validator = sarif_validator();
    for dir in [
        "policies/examples",
        "tests/fixtures/guard-violated-fires",
        "tests/fixtures/contradiction-fires",
    ] {
        let out = aclc(&repo(), &["check", "-p", dir, "--format", "sarif"]);
        assert_valid_sarif(&validator, &stdout(&out), dir);
    }
}

#[test]
fn an_unchanged_policy_set_has_no_change() {
    let out = aclc(&repo(), &["diff", "policies/examples", "policies/examples"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "no decision changed\n");
}

#[test]
fn usage_errors_exit_2() {
    let out = aclc(&repo(), &["diff", "policies/examples"]);
    assert_eq!(code(&out), 2);
    let out = aclc(&repo(), &["diff", "nowhere", "policies/examples"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot read policy path `nowhere`"),
        "{}",
        stderr(&out)
    );
    let out = aclc(
        &repo(),
        &["diff", "-p", "x", "policies/examples", "policies/examples"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("`-p` does not go with"),
        "{}",
        stderr(&out)
    );
    let dir = project(&[("aclc.toml", "[diff]\nfail_on = [\"new-acess\"]\n")]);
    let out = aclc(dir.path(), &["diff", "--base", "HEAD"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `new-access`?"),
        "{}",
        stderr(&out)
    );
}

// ---- --base in a temporary git repository ----

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.net",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const BASE: &str = "component \"Data\" {\n    allow read Customers.*\n    deny update Customers.credit_limit\n}\n\naccess_level \"Self care\" for customer {\n    include \"Data\"\n}\n";
const OTHER: &str = "access_level \"Ops\" for user {\n    allow read Tickets.*\n}\n";

fn repository() -> tempfile::TempDir {
    let dir = project(&[
        (
            "aclc.toml",
            "[policy]\npaths = [\"acl\"]\npredefined = false\n",
        ),
        ("acl/data.acl", BASE),
        ("acl/ops/ops.acl", OTHER),
        ("README", "not a policy\n"),
    ]);
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)))
}

fn kinds(v: &serde_json::Value) -> Vec<(String, String)> {
    v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                format!("{} {}.{}", c["access"], c["object"], c["attribute"]).replace('"', ""),
            )
        })
        .collect()
}

#[test]
fn base_sees_uncommitted_and_untracked_edits() {
    let dir = repository();
    let root = dir.path();
    let out = aclc(root, &["diff", "--base", "HEAD"]);
    assert_eq!(
        (code(&out), stdout(&out)),
        (0, "no decision changed\n".to_string()),
        "{}",
        stderr(&out)
    );
    // An uncommitted edit of a shared component, an untracked new file.
    std::fs::write(
        root.join("acl/data.acl"),
        BASE.replace("deny update", "allow update"),
    )
    .unwrap();
    std::fs::write(
        root.join("acl/new.acl"),
        "access_level \"Fresh\" for user {\n    allow read Invoices.*\n}\n",
    )
    .unwrap();
    let out = aclc(root, &["diff", "--base", "HEAD", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(
        kinds(&v),
        [
            (
                "added-access-level".to_string(),
                "null null.null".to_string()
            ),
            ("new-access".to_string(), "read Invoices.*".to_string()),
            (
                "new-access".to_string(),
                "update Customers.credit_limit".to_string()
            ),
        ]
    );
    assert_eq!(v["changes"][2]["caused_by"], serde_json::json!(["Data"]));
    assert_eq!(v["changes"][2]["file"], "acl/data.acl");
    assert_eq!(v["changes"][2]["line"], 3);
    // From a subfolder: the same answer (paths from aclc.toml above the
    // current folder are shown absolute, as `aclc check` shows them).
    let out = aclc(
        &root.join("acl/ops"),
        &["diff", "--base", "HEAD", "--format", "json"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let sub = json(&out);
    assert_eq!(kinds(&sub), kinds(&v));
    let file = sub["changes"][2]["file"].as_str().unwrap();
    assert!(file.ends_with("acl/data.acl"), "{file}");
}

#[test]
fn base_follows_commits_renames_and_deletions() {
    let dir = repository();
    let root = dir.path();
    // A rename changes no decision.
    git(root, &["mv", "acl/data.acl", "acl/customer-data.acl"]);
    git(root, &["commit", "-q", "-m", "rename"]);
    let out = aclc(root, &["diff", "--base", "HEAD~1"]);
    assert_eq!(
        (code(&out), stdout(&out)),
        (0, "no decision changed\n".to_string()),
        "{}",
        stderr(&out)
    );
    // A deleted file removes its access level (not failing by default).
    std::fs::remove_file(root.join("acl/ops/ops.acl")).unwrap();
    let out = aclc(root, &["diff", "--base", "HEAD", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        kinds(&json(&out)),
        [
            (
                "removed-access-level".to_string(),
                "null null.null".to_string()
            ),
            ("removed-access".to_string(), "read Tickets.*".to_string()),
        ]
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "drop ops"]);
    // Committed: against the first commit by branch-relative name.
    let out = aclc(root, &["diff", "--base", "main~2", "--format", "json"]);
    assert_eq!(kinds(&json(&out)).len(), 2, "{}", stderr(&out));
    // A -p path of its own, on both sides.
    let out = aclc(
        root,
        &[
            "diff", "--base", "main~2", "-p", "acl/ops", "--format", "json",
        ],
    );
    assert_eq!(kinds(&json(&out)).len(), 2, "{}", stderr(&out));
}

#[test]
fn base_reads_the_old_config_at_the_revision() {
    let dir = repository();
    let root = dir.path();
    // The policy moves to another folder, and aclc.toml with it.
    git(root, &["mv", "acl", "policy"]);
    std::fs::write(
        root.join("aclc.toml"),
        "[policy]\npaths = [\"policy\"]\npredefined = false\n",
    )
    .unwrap();
    let out = aclc(root, &["diff", "--base", "HEAD"]);
    assert_eq!(
        (code(&out), stdout(&out)),
        (0, "no decision changed\n".to_string()),
        "{}",
        stderr(&out)
    );
}

#[test]
fn base_errors_are_clear() {
    let dir = repository();
    let out = aclc(dir.path(), &["diff", "--base", "no-such-branch"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unknown revision `no-such-branch`"),
        "{}",
        stderr(&out)
    );
    let outside = project(&[("p.acl", OTHER)]);
    // A temporary folder may sit inside a repository on some machines;
    // GIT_CEILING_DIRECTORIES keeps git from looking above it.
    let out = Command::new(env!("CARGO_BIN_EXE_aclc"))
        .current_dir(outside.path())
        .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap())
        .args(["diff", "--base", "HEAD", "--no-predefined"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not inside a git repository"),
        "{}",
        stderr(&out)
    );
}
