//! Snapshot tests over fixture folders: every folder under `tests/fixtures/`
//! is a policy set (`.acl` files, optionally an `aclc.toml`); its snapshot
//! holds the sources, the rendered diagnostics and the JSON output. Adding a
//! case is adding a folder. Without an `aclc.toml` a fixture is analyzed
//! without the predefined library, so it stays independent of it.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeSet;
use std::path::Path;

use aclc::analysis::{analyze, analyze_parsed, findings, lints, parse_all, Analysis};
use aclc::config::{self, Predefined, Settings};
use aclc::load;
use aclc::render;
use aclc::source::Origin;

fn fixture_settings(dir: &Path) -> Settings {
    let cfg = dir.join(config::FILE_NAME);
    if cfg.is_file() {
        let text = std::fs::read_to_string(&cfg).unwrap_or_default();
        match config::parse(&text, &cfg) {
            Ok(s) => s,
            Err(e) => panic!("{}: {e}", cfg.display()),
        }
    } else {
        Settings {
            predefined: Predefined::Off,
            ..Settings::default()
        }
    }
}

fn analyze_fixture(dir: &Path) -> Analysis {
    let settings = fixture_settings(dir);
    let sources = match load::load_relative(dir, &settings.predefined) {
        Ok(s) => s,
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    analyze(sources, &settings.options)
}

fn snapshot_text(a: &Analysis) -> String {
    let sources = &a.model.sources;
    let mut out = String::new();
    for (_, f) in sources.iter().filter(|(_, f)| f.origin == Origin::User) {
        out.push_str(&format!("──── {}\n{}", f.path, f.text));
        if !f.text.ends_with('\n') {
            out.push('\n');
        }
    }
    out.push_str("──── diagnostics\n");
    out.push_str(&render::terminal::render(sources, &a.diagnostics, false));
    out.push_str("──── json\n");
    out.push_str(&render::json::render(sources, &a.diagnostics));
    out
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/*", |dir| {
        if !dir.is_dir() {
            return;
        }
        let a = analyze_fixture(dir);
        insta::assert_snapshot!(snapshot_text(&a));
    });
}

/// A one-shot analysis (whose model keeps no statements as written: the
/// lints read rules and includes) finds what an editor's analysis (whose
/// model keeps them) finds, in every fixture; and so do the findings alone
/// (the exact analysis freed before the lints that read only its dead
/// rules run, as `aclc check` has them).
#[test]
fn statements_kept_or_not_the_findings_are_the_same() {
    insta::glob!("fixtures/*", |dir| {
        if !dir.is_dir() {
            return;
        }
        let a = analyze_fixture(dir);
        let sources = a.model.sources.clone();
        let options = &fixture_settings(dir).options;
        let alone = findings(sources.clone(), options);
        assert_eq!(alone.diagnostics, a.diagnostics, "{}", dir.display());
        let parsed = parse_all(&sources);
        let kept = analyze_parsed(sources, parsed, options);
        assert!(a.model.acls.iter().all(|acl| acl.statements.is_empty()));
        assert_eq!(kept.diagnostics, a.diagnostics, "{}", dir.display());
    });
}

/// The example of DESIGN §2 (copied verbatim into a fixture) parses.
#[test]
fn design_example_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/design-section-2-example");
    let a = analyze_fixture(&dir);
    let errors: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "syntax-error")
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(a.model.acls.len() >= 4, "its declarations are in the model");
}

/// Every lint has a folder where it fires (`<code>-fires`) and one where it
/// does not (`<code>-clean`); check both, so a lint that stops firing, or
/// fires where it must not, fails here and not only in a snapshot review.
#[test]
fn every_lint_has_a_firing_and_a_clean_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut missing = Vec::new();
    for info in lints::infos() {
        for (suffix, must_fire) in [("fires", true), ("clean", false)] {
            let dir = root.join(format!("{}-{suffix}", info.code));
            if !dir.is_dir() {
                missing.push(format!("{} (no folder)", dir.display()));
                continue;
            }
            let a = analyze_fixture(&dir);
            let fired = a.diagnostics.iter().any(|d| d.code == info.code);
            if fired != must_fire {
                missing.push(format!(
                    "{}: `{}` fired = {fired}",
                    dir.display(),
                    info.code
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "lint cases wrong:\n{}",
        missing.join("\n")
    );
}

/// Snapshots must belong to an existing fixture (the equivalent of
/// `cargo insta test --unreferenced=reject` for this suite).
#[test]
fn no_orphan_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let fixtures: BTreeSet<String> = std::fs::read_dir(root.join("fixtures"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut orphans = Vec::new();
    for e in std::fs::read_dir(root.join("snapshots"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(case) = name
            .strip_prefix("fixtures__fixtures@")
            .and_then(|n| n.strip_suffix(".snap"))
        {
            if !fixtures.contains(case) {
                orphans.push(name);
            }
        }
    }
    assert!(
        orphans.is_empty(),
        "snapshots without a fixture folder: {orphans:?}"
    );
}
