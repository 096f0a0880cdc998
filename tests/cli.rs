//! The command line as a user runs it: exit codes (DESIGN §5), output
//! shapes (§6), atomic and deterministic builds, configuration.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::process::Command;

mod common;
use common::run::{aclc, code, project, repo, stderr, stdout};

const CLEAN: &str = r#"
object Tariffs { name, rates }
object SelfCare { identity, payments }

component "Tariffs read-only" {
    allow read Tariffs.*
    deny update, insert, delete Tariffs.*
}

## Self-care without the Identity tab.
access_level "Premium customer" for customer {
    deny read SelfCare.identity
    allow read SelfCare.*
    include "Tariffs read-only"
}
"#;

const NO_PREDEFINED: &str = "[policy]\npaths = [\"acl\"]\npredefined = false\n";

#[test]
fn check_clean_exits_0() {
    let p = project(&[("aclc.toml", NO_PREDEFINED), ("acl/a.acl", CLEAN)]);
    let o = aclc(p.path(), &["check", "--color", "never"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "no problems found in 1 file\n");
}

#[test]
fn check_errors_exit_1_and_warnings_only_with_deny_warnings() {
    let p = project(&[
        (
            "err/a.acl",
            "component \"A\" { include \"Nope\" }\naccess_level \"L\" for user { include \"A\" }\n",
        ),
        (
            "warn/a.acl",
            "object T { a }\naccess_level \"L\" for user { allow read T.b }\n",
        ),
    ]);
    let o = aclc(p.path(), &["check", "--no-predefined", "-p", "err"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("unknown-include"), "{}", stdout(&o));
    let o = aclc(p.path(), &["check", "--no-predefined", "-p", "warn"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("unknown-attribute"));
    let o = aclc(
        p.path(),
        &["check", "--no-predefined", "-p", "warn", "--deny-warnings"],
    );
    assert_eq!(code(&o), 1);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let p = project(&[("empty/readme.txt", "no policy here")]);
    let o = aclc(p.path(), &["check", "-p", "missing"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot read policy path `missing`: no such file or folder"),
        "{}",
        stderr(&o)
    );
    let o = aclc(p.path(), &["check", "-p", "empty"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no .acl files found in `empty`"),
        "{}",
        stderr(&o)
    );
    let o = aclc(p.path(), &["check", "--format", "yaml"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn invalid_utf8_is_a_clean_error() {
    let p = project(&[]);
    let _ = std::fs::write(p.path().join("bad.acl"), b"component \"A\xff\" {}\n");
    let o = aclc(p.path(), &["check", "-p", "bad.acl"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("is not valid UTF-8 (line 1, byte offset 12)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_json_has_the_design_shape() {
    let p = project(&[("a.acl", "access_level \"L\" for user {\n    include \"Helpdesk acess\"\n}\ncomponent \"Helpdesk access\" { }\n")]);
    let o = aclc(
        p.path(),
        &[
            "check",
            "--no-predefined",
            "-p",
            "a.acl",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "unknown-include");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "a.acl");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(13))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(2), Some(29))
    );
    assert_eq!(d["help"], "did you mean `Helpdesk access`?");
    assert_eq!(d["access_levels"][0], "L");
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn build_is_deterministic_atomic_and_refused_on_errors() {
    let p = project(&[("aclc.toml", NO_PREDEFINED), ("acl/a.acl", CLEAN)]);
    let o = aclc(p.path(), &["build", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let first = std::fs::read(p.path().join("out/acl.json")).unwrap_or_default();
    let o = aclc(p.path(), &["build", "--out", "out", "--emit", "json"]);
    assert_eq!(code(&o), 0);
    let second = std::fs::read(p.path().join("out/acl.json")).unwrap_or_default();
    assert!(!first.is_empty());
    assert_eq!(first, second, "two builds of the same input differ");
    let leftovers: Vec<_> = std::fs::read_dir(p.path().join("out"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "temporary files left: {leftovers:?}");

    let v: serde_json::Value = serde_json::from_slice(&first).unwrap_or_default();
    assert_eq!(v["version"], 2);
    let blocks = v["blocks"].as_array().cloned().unwrap_or_default();
    let premium = blocks
        .iter()
        .find(|x| x["name"] == "Premium customer")
        .cloned()
        .unwrap_or_default();
    assert_eq!(premium["type"], "customer");
    let row = &premium["permissions"][0];
    assert_eq!(
        (
            row["access"].as_str(),
            row["effect"].as_str(),
            row["object_match"].as_str(),
            row["object"].as_str(),
            row["attribute"].as_str()
        ),
        (
            Some("read"),
            Some("deny"),
            Some("exact"),
            Some("SelfCare"),
            Some("identity")
        )
    );
    // The evaluation order: the access level, then the component; the
    // component once, one entry per access type.
    let order: Vec<String> = premium["order"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| {
            blocks[i.as_u64().unwrap_or(0) as usize]["name"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(order, ["Premium customer", "Tariffs read-only"]);
    let tariffs = blocks
        .iter()
        .find(|x| x["name"] == "Tariffs read-only")
        .cloned()
        .unwrap_or_default();
    assert_eq!(tariffs["order"], serde_json::Value::Null);
    let entries: Vec<(String, String)> = tariffs["permissions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r["access"].as_str().unwrap_or("").to_string(),
                r["effect"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        vec![
            ("read".to_string(), "allow".to_string()),
            ("update".to_string(), "deny".to_string()),
            ("insert".to_string(), "deny".to_string()),
            ("delete".to_string(), "deny".to_string()),
        ]
    );

    // A broken policy: nothing written, the old table stays as it was.
    let _ = std::fs::write(
        p.path().join("acl/b.acl"),
        "component \"X\" { include \"Missing\" }\n",
    );
    let o = aclc(p.path(), &["build", "--out", "out"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("build refused: 1 error in the policy set; nothing was written"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(p.path().join("out/acl.json")).unwrap_or_default(),
        first
    );
}

#[test]
fn explain_text_json_and_verbose() {
    let p = project(&[("aclc.toml", NO_PREDEFINED), ("acl/a.acl", CLEAN)]);
    let o = aclc(
        p.path(),
        &["explain", "Premium customer", "update", "Tariffs.rates"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("deny: `Premium customer` update Tariffs.rates\n"),
        "{out}"
    );
    assert!(out.contains("decided by  deny update, insert, delete Tariffs.*  (acl/a.acl:7:5, in `Tariffs read-only`)"), "{out}");
    assert!(
        out.contains("via         `Premium customer` → `Tariffs read-only`"),
        "{out}"
    );

    let o = aclc(
        p.path(),
        &[
            "explain",
            "Premium customer",
            "read",
            "SelfCare.payments",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["rule"]["object"], "SelfCare");
    assert_eq!(v["rule"]["attribute"], "*");
    assert_eq!(v["rule"]["line"], 13);
    assert_eq!(v["rule"]["defined_in"], "Premium customer");
    assert_eq!(v["path"], serde_json::json!(["Premium customer"]));

    let o = aclc(
        p.path(),
        &[
            "explain",
            "Premium customer",
            "insert",
            "Rates.x",
            "--verbose",
        ],
    );
    let out = stdout(&o);
    assert!(out.contains("no rule matches: denied by default"), "{out}");
    assert!(out.contains("passed over 4 earlier rule(s)"), "{out}");
    assert!(
        out.contains("object `Rates` does not match `Tariffs*`")
            || out.contains("object `Rates` does not match `Tariffs`"),
        "{out}"
    );
}

#[test]
fn explain_unknown_acl_exits_2_with_did_you_mean_and_ignores_findings() {
    let p = project(&[
        ("aclc.toml", NO_PREDEFINED),
        ("acl/a.acl", CLEAN),
        ("acl/b.acl", "component \"X\" { include \"Missing\" }\n"),
    ]);
    let o = aclc(
        p.path(),
        &["explain", "Premium custmer", "read", "SelfCare.identity"],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("did you mean `Premium customer`?"),
        "{}",
        stderr(&o)
    );
    // Findings elsewhere do not change explain's exit code.
    let o = aclc(
        p.path(),
        &["explain", "Premium customer", "read", "SelfCare.identity"],
    );
    assert_eq!(code(&o), 0);
    let o = aclc(
        p.path(),
        &["explain", "Premium customer", "read", "SelfCare.*"],
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn show_text_and_json() {
    let p = project(&[("aclc.toml", NO_PREDEFINED), ("acl/a.acl", CLEAN)]);
    let o = aclc(p.path(), &["show", "Premium customer"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(
        out.starts_with("`Premium customer`: customer access level, declared at acl/a.acl:11\n"),
        "{out}"
    );
    assert!(out.contains("deny update, insert, delete Tariffs.*  acl/a.acl:7   Premium customer → Tariffs read-only"), "{out}");
    let o = aclc(p.path(), &["show", "Premium customer", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    // The block's own table: itself with its order, then the blocks of
    // that order.
    assert_eq!(v["version"], 2);
    assert_eq!(v["blocks"][0]["name"], "Premium customer");
    assert_eq!(
        v["blocks"][0]["includes"],
        serde_json::json!(["Tariffs read-only"])
    );
    assert_eq!(v["blocks"][0]["order"], serde_json::json!([0, 1]));
    assert_eq!(v["blocks"][1]["name"], "Tariffs read-only");
    assert_eq!(v["blocks"].as_array().map(Vec::len), Some(2));
}

#[test]
fn lints_lists_and_explains() {
    let p = project(&[]);
    let o = aclc(p.path(), &["lints"]);
    assert_eq!(code(&o), 0);
    for info in aclc::analysis::lints::infos() {
        assert!(stdout(&o).contains(info.code), "missing {}", info.code);
    }
    let o = aclc(p.path(), &["lints", "include-cycle"]);
    assert!(
        stdout(&o).starts_with("include-cycle (error by default)"),
        "{}",
        stdout(&o)
    );
    let o = aclc(p.path(), &["lints", "include-cylce"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("did you mean `include-cycle`?"));
}

#[test]
fn baseline_reports_only_new_findings() {
    let p = project(&[(
        "a.acl",
        "object T { a }\naccess_level \"L\" for user { allow read T.b }\n",
    )]);
    let o = aclc(
        p.path(),
        &[
            "check",
            "--no-predefined",
            "-p",
            "a.acl",
            "--write-baseline",
            "base.json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = aclc(
        p.path(),
        &[
            "check",
            "--no-predefined",
            "-p",
            "a.acl",
            "--baseline",
            "base.json",
            "--deny-warnings",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("no problems found in 1 file (1 more recorded in the baseline)"),
        "{}",
        stdout(&o)
    );
    let _ = std::fs::write(
        p.path().join("a.acl"),
        "object T { a }\naccess_level \"L\" for user { allow read T.b\n allow read T.c }\n",
    );
    let o = aclc(
        p.path(),
        &[
            "check",
            "--no-predefined",
            "-p",
            "a.acl",
            "--baseline",
            "base.json",
            "--deny-warnings",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("has no attribute `c`"),
        "{}",
        stdout(&o)
    );
    assert!(
        !stdout(&o).contains("has no attribute `b`"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn config_errors_are_clear() {
    let p = project(&[
        ("aclc.toml", "[policy]\npath = [\"acl\"]\n"),
        ("acl/a.acl", CLEAN),
    ]);
    let o = aclc(p.path(), &["check"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown field `path`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn config_lint_levels_apply() {
    let cfg =
        "[policy]\npaths = [\"acl\"]\npredefined = false\n[lints]\nunknown-attribute = \"error\"\n";
    let p = project(&[
        ("aclc.toml", cfg),
        (
            "acl/a.acl",
            "object T { a }\naccess_level \"L\" for user { allow read T.b }\n",
        ),
    ]);
    let o = aclc(p.path(), &["check", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    assert_eq!(v["diagnostics"][0]["severity"], "error");
}

#[test]
fn deep_include_chain_of_50000() {
    let n = 50_000;
    let mut text = String::from(
        "object T { a }\naccess_level \"Root of chain\" for user { include \"C0\" }\n",
    );
    for i in 0..n - 1 {
        text.push_str(&format!(
            "component \"C{i}\" {{ include \"C{}\" }}\n",
            i + 1
        ));
    }
    text.push_str(&format!(
        "component \"C{}\" {{ allow read T.a\n include \"C0\" }}\n",
        n - 1
    ));
    let p = project(&[("chain.acl", &text)]);
    let o = aclc(
        p.path(),
        &[
            "explain",
            "--no-predefined",
            "-p",
            "chain.acl",
            "Root of chain",
            "read",
            "T.a",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["path"].as_array().map(Vec::len), Some(n + 1));
    let o = aclc(
        p.path(),
        &[
            "check",
            "--no-predefined",
            "-p",
            "chain.acl",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    assert_eq!(v["diagnostics"][0]["code"], "include-cycle");
    assert_eq!(
        v["diagnostics"][0]["related"].as_array().map(Vec::len),
        Some(n - 1)
    );
}

/// The embedded predefined library, loaded as aclc loads it (before user
/// files, as predefined), has no finding at any severity.
#[test]
fn predefined_library_checks_clean() {
    use aclc::analysis::{analyze, Options};
    use aclc::config::Predefined;
    let sources = aclc::load::load_predefined(&Predefined::Embedded).unwrap();
    assert!(sources.iter().count() >= 3, "the library is embedded");
    let a = analyze(sources, &Options::default());
    let shown: Vec<String> = a
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(
        shown.is_empty(),
        "predefined library findings:\n{}",
        shown.join("\n")
    );
}

#[test]
fn shipped_examples_check_clean() {
    let root = repo();
    let o = aclc(
        &root,
        &[
            "check",
            "-p",
            "policies/examples",
            "--deny-warnings",
            "--color",
            "never",
        ],
    );
    assert_eq!(code(&o), 0, "examples:\n{}", stdout(&o));
}

#[test]
fn init_creates_a_project_that_checks_clean() {
    let p = project(&[]);
    let o = aclc(p.path(), &["init", "new"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = aclc(
        &p.path().join("new"),
        &["check", "--deny-warnings", "--color", "never"],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = aclc(p.path(), &["init", "new"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("already exists"));
}

const TESTED: &str = r#"component "Reports" {
    allow read WebForms.*
    allow read WebForms.ASR
    deny update WebForms.*
}

access_level "Analyst" for user {
    include "Reports"
}

test "analysts read reports" {
    expect "Analyst" allow read WebForms.xDRs
}

test "analysts change reports" {
    expect "Analyst" allow update WebForms.*
}
"#;

#[test]
fn test_command_reports_failures_and_ends_with_the_count() {
    let p = project(&[("p.acl", TESTED)]);
    let o = aclc(p.path(), &["test", "--no-predefined", "--color", "never"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("test analysts read reports ... ok"), "{out}");
    assert!(
        out.contains("test analysts change reports ... FAILED"),
        "{out}"
    );
    assert!(
        out.contains("`Analyst` denies update WebForms.*: decided by `deny update WebForms.*`"),
        "{out}"
    );
    assert_eq!(out.lines().last(), Some("1 passed, 1 failed"));
}

#[test]
fn test_command_writes_junit() {
    let p = project(&[("p.acl", TESTED)]);
    let o = aclc(p.path(), &["test", "--no-predefined", "--format", "junit"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.starts_with("<?xml"), "{out}");
    assert!(
        out.contains(r#"<testsuites name="aclc" tests="2" failures="1">"#),
        "{out}"
    );
    assert!(
        out.contains(r#"<testcase name="analysts read reports""#),
        "{out}"
    );
    assert!(
        out.contains("<failure message=\"1 expectation(s) failed\">"),
        "{out}"
    );
}

#[test]
fn coverage_never_counts_a_dead_rule() {
    let p = project(&[("p.acl", TESTED)]);
    let o = aclc(p.path(), &["test", "--no-predefined", "--coverage"]);
    let out = stdout(&o);
    // `allow read WebForms.ASR` is redundant: no test can exercise it.
    assert!(
        out.contains("`allow read WebForms.ASR` in `Reports` is not exercised by any test"),
        "{out}"
    );
    assert!(
        !out.contains("`allow read WebForms.*` in `Reports` is not exercised"),
        "{out}"
    );
    assert!(
        out.contains("coverage: 2 of 3 rule(s) fully exercised"),
        "{out}"
    );
}

#[test]
fn test_command_refuses_a_policy_with_errors() {
    let p = project(&[(
        "p.acl",
        "access_level \"A\" for user {\n    include \"Nope\"\n}\n",
    )]);
    let o = aclc(p.path(), &["test", "--no-predefined", "--color", "never"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("tests not run: 1 error(s)"),
        "{}",
        stderr(&o)
    );
}

/// A reader of `acl.json` never sees part of a table: while a large build
/// runs (and when it is killed half-way), the file is the old table or the
/// new one, whole.
#[test]
fn a_build_never_leaves_a_partial_table() {
    let p = project(&[("aclc.toml", NO_PREDEFINED), ("acl/a.acl", CLEAN)]);
    let o = aclc(p.path(), &["build", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let table = p.path().join("out/acl.json");
    let old = std::fs::read(&table).unwrap_or_default();
    std::fs::remove_file(p.path().join("acl/a.acl")).unwrap_or_default();
    for (name, text) in aclc::generate::policy_set(aclc::generate::Shape {
        permissions: 3_000,
        files: 3,
        seed: 5,
        kind: aclc::generate::Kind::Tidy,
    }) {
        std::fs::write(p.path().join("acl").join(name), text).unwrap_or_default();
    }
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_aclc"))
            .current_dir(p.path())
            .args(["build", "--out", "out", "--color", "never"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run aclc: {e}"))
    };
    // Killed at some point of its run: the table is still the old one, or
    // the new one if the build got that far.
    let mut killed = spawn();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let _ = killed.kill();
    let _ = killed.wait();
    let after_kill = std::fs::read(&table).unwrap_or_default();
    // Watched while it runs to the end.
    let mut child = spawn();
    let mut seen = Vec::new();
    while child.try_wait().ok().flatten().is_none() {
        seen.push(std::fs::read(&table).unwrap_or_default().len());
    }
    let new = std::fs::read(&table).unwrap_or_default();
    assert!(new.len() > old.len(), "the new table is the large one");
    assert!(
        after_kill == old || after_kill == new,
        "a killed build left a partial table"
    );
    assert!(
        seen.iter().all(|&n| n == old.len() || n == new.len()),
        "a reader saw a table of {:?} bytes (old {}, new {})",
        seen.iter().find(|&&n| n != old.len() && n != new.len()),
        old.len(),
        new.len()
    );
}
