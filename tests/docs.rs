//! The documentation is tested like code: every `acl` example in docs/ and
//! the README parses (and, where marked, checks with the findings the page
//! says); the lint pages are the registry's text; links resolve; the help,
//! completions and man pages work as documented.
//!
//! Markers on fenced examples (the info string after the backticks):
//!
//! - ` ```acl ` — a whole `.acl` file; it must parse without a syntax error.
//! - ` ```acl,fragment ` — statements of a block; they must parse inside one.
//! - ` ```acl,syntax-error ` — an example of a mistake: it must not parse.
//! - ` ```acl,check ` — a whole policy set, checked with the predefined
//!   library: its findings (their codes, in order) must be the ones listed
//!   in a comment `<!-- expect: CODE, CODE -->` on the line above the
//!   fence, or none at all when there is no such comment.
//! - In `docs/src/lints/CODE.md` (generated), every `acl` example must
//!   report `CODE` (a fragment is checked inside a component).
//!
//! `ACLC_UPDATE_DOCS=1 cargo test --test docs` rewrites the generated lint
//! pages from the registry instead of failing on a difference.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::run::{aclc, code, repo, stderr, stdout};

use aclc::analysis::{analyze, lints, Options};
use aclc::config::Predefined;
use aclc::load;
use aclc::source::{FileId, Origin};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every Markdown file of docs/src, and the README.
fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "md") {
                out.push(p);
            }
        }
    }
    let mut files = vec![repo().join("README.md")];
    walk(&repo().join("docs/src"), &mut files);
    files
}

/// A fenced code block: its info string, text, the line of its opening
/// fence (1-based) and the expectation comment above it, if any.
struct Fence {
    info: String,
    text: String,
    line: usize,
    expect: Option<Vec<String>>,
}

fn fences(markdown: &str) -> Vec<Fence> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].trim_start().strip_prefix("```") else {
            i += 1;
            continue;
        };
        let open = i;
        let mut body = Vec::new();
        i += 1;
        while i < lines.len() && !lines[i].trim_start().starts_with("```") {
            body.push(lines[i]);
            i += 1;
        }
        let expect = open
            .checked_sub(1)
            .and_then(|above| lines[above].trim().strip_prefix("<!-- expect:"))
            .and_then(|rest| rest.strip_suffix("-->"))
            .map(|codes| {
                codes
                    .split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect()
            });
        out.push(Fence {
            info: info.trim().to_string(),
            text: body.join("\n") + "\n",
            line: open + 1,
            expect,
        });
        i += 1;
    }
    out
}

fn in_a_block(text: &str) -> String {
    format!("component \"doc example\" {{\n{text}}}\n")
}

fn syntax_errors(text: &str) -> Vec<String> {
    let parsed = aclc::syntax::parse_file(FileId(0), text);
    parsed.errors.iter().map(|e| e.message.clone()).collect()
}

/// The codes of the findings of `text` as a policy set with the embedded
/// predefined library, in the order `aclc check` reports them.
fn findings(text: &str) -> Vec<String> {
    let mut sources = load::load_predefined(&Predefined::Embedded).unwrap_or_default();
    sources.add("example.acl", text, Origin::User);
    analyze(sources, &Options::default())
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}

#[test]
fn acl_examples_in_the_docs_parse_and_check_as_stated() {
    let lint_pages = repo().join("docs/src/lints");
    let mut problems = Vec::new();
    let mut examples = 0;
    let mut checked = 0;
    for path in markdown_files() {
        let shown = path
            .strip_prefix(repo())
            .unwrap_or(&path)
            .display()
            .to_string();
        let lint = (path.parent() == Some(lint_pages.as_path()))
            .then(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .flatten()
            .filter(|c| lints::find(c).is_some());
        for f in fences(&read(&path)) {
            let mut attrs = f.info.split(',').map(str::trim);
            if attrs.next() != Some("acl") {
                continue;
            }
            let attrs: Vec<&str> = attrs.collect();
            examples += 1;
            let at = format!("{shown}:{}", f.line);
            if let Some(code) = &lint {
                let text = if attrs.contains(&"fragment") {
                    in_a_block(&f.text)
                } else {
                    f.text.clone()
                };
                let found = findings(&text);
                if !found.contains(code) {
                    problems.push(format!(
                        "{at}: the example of `{code}` does not report it (reports {found:?})"
                    ));
                }
                checked += 1;
                continue;
            }
            let (text, wrapped) = if attrs.contains(&"fragment") {
                (in_a_block(&f.text), true)
            } else {
                (f.text.clone(), false)
            };
            let errors = syntax_errors(&text);
            if attrs.contains(&"syntax-error") {
                if errors.is_empty() {
                    problems.push(format!("{at}: marked syntax-error, but it parses"));
                }
                continue;
            }
            if !errors.is_empty() {
                problems.push(format!(
                    "{at}: does not parse{}: {errors:?}",
                    if wrapped { " inside a block" } else { "" }
                ));
                continue;
            }
            if attrs.contains(&"check") {
                let expected = f.expect.clone().unwrap_or_default();
                let found = findings(&text);
                if found != expected {
                    problems.push(format!(
                        "{at}: `aclc check` reports {found:?}, the page expects {expected:?}"
                    ));
                }
                checked += 1;
            } else if f.expect.is_some() {
                problems.push(format!(
                    "{at}: an expect comment on a block not marked check"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "doc examples:\n{}",
        problems.join("\n")
    );
    // The docs hold many examples; finding few means the scan broke.
    assert!(examples >= 40, "only {examples} acl examples found");
    assert!(checked >= 30, "only {checked} examples checked");
}

/// The markers above are honored, so a broken example cannot slip through.
#[test]
fn the_example_scanner_reads_markers() {
    let md = "x\n<!-- expect: unused-component -->\n```acl,check\ncomponent \"A\" { }\n```\n\n```text\nnot acl\n```\n";
    let f = fences(md);
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].info, "acl,check");
    assert_eq!(f[0].line, 3);
    assert_eq!(f[0].expect, Some(vec!["unused-component".to_string()]));
    assert_eq!(findings(&f[0].text), vec!["unused-component".to_string()]);
    assert!(!syntax_errors("component \"A\" { allow reed X.y }\n").is_empty());
    assert!(syntax_errors(&in_a_block("deny read SelfCare.identity\n")).is_empty());
}

fn lint_page(lint: Option<&str>) -> (PathBuf, String) {
    let mut args = vec!["lints"];
    args.extend(lint);
    args.extend(["--format", "markdown"]);
    let o = aclc(&repo(), &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let file = format!("{}.md", lint.unwrap_or("index"));
    (repo().join("docs/src/lints").join(file), stdout(&o))
}

#[test]
fn every_lint_has_its_generated_page() {
    let update = std::env::var_os("ACLC_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    let mut expected = BTreeSet::new();
    let codes = lints::infos().map(|i| Some(i.code)).chain([None]);
    for lint in codes {
        let (path, generated) = lint_page(lint);
        expected.insert(path.clone());
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != generated {
            if update {
                std::fs::write(&path, &generated).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "lint pages differ from the registry (run `ACLC_UPDATE_DOCS=1 cargo test --test docs`):\n{}",
        stale.join("\n")
    );
    let present: BTreeSet<PathBuf> = std::fs::read_dir(repo().join("docs/src/lints"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    let extra: Vec<_> = present.difference(&expected).collect();
    assert!(extra.is_empty(), "pages of no registered lint: {extra:?}");
}

/// What `aclc lints CODE` prints (the registry's doc) is on the page, line
/// by line, and each page has the sections a user looks for.
#[test]
fn lint_pages_say_what_aclc_lints_says() {
    for info in lints::infos() {
        let page = read(&repo().join(format!("docs/src/lints/{}.md", info.code)));
        let o = aclc(&repo(), &["lints", info.code]);
        assert_eq!(code(&o), 0);
        let text = stdout(&o);
        let doc = text
            .split_once("\n\n")
            .map(|(_, rest)| rest)
            .and_then(|rest| rest.split_once("\n\nSet its severity"))
            .map(|(doc, _)| doc)
            .unwrap_or_default();
        assert!(!doc.is_empty(), "{}: {text}", info.code);
        for line in doc.lines().map(str::trim) {
            if line.is_empty() || line == "Example:" {
                continue;
            }
            let line = line.strip_prefix("Fix: ").unwrap_or(line);
            assert!(
                page.to_lowercase().contains(&line.to_lowercase()),
                "{}: page lacks `{line}`",
                info.code
            );
        }
        for heading in [
            "## What it finds and why it matters",
            "## An example that fires",
            "## How to fix it",
            "## How to suppress it",
        ] {
            assert!(page.contains(heading), "{}: no `{heading}`", info.code);
        }
        assert!(
            page.contains(&format!("# aclc-ignore {} reason", info.code)),
            "{}",
            info.code
        );
    }
}

/// Markdown link targets in a text: `](target)`.
fn links(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            match after.find(')') {
                Some(j) => {
                    out.push(after[..j].to_string());
                    rest = &after[j..];
                }
                None => break,
            }
        }
    }
    out
}

#[test]
fn summary_lists_every_page_and_every_link_resolves() {
    let src = repo().join("docs/src");
    let summary = read(&src.join("SUMMARY.md"));
    let listed: BTreeSet<PathBuf> = links(&summary).iter().map(|l| src.join(l)).collect();
    let mut problems = Vec::new();
    for path in markdown_files() {
        if path.starts_with(&src) && path != src.join("SUMMARY.md") && !listed.contains(&path) {
            problems.push(format!("{} is not in SUMMARY.md", path.display()));
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        for link in links(&read(&path)) {
            if link.contains("://") || link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            let file = link.split('#').next().unwrap_or("");
            let target = dir.join(file);
            if !target.exists() {
                problems.push(format!("{}: broken link `{link}`", path.display()));
            } else if !target
                .canonicalize()
                .is_ok_and(|t| t.starts_with(repo().canonicalize().unwrap_or_default()))
            {
                problems.push(format!(
                    "{}: `{link}` is outside the repository",
                    path.display()
                ));
            }
        }
    }
    for path in &listed {
        if !path.is_file() {
            problems.push(format!(
                "SUMMARY.md lists {}, which is missing",
                path.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn readme_keeps_the_two_commands_and_names_nothing_outside_the_repository() {
    let readme = read(&repo().join("README.md"));
    assert!(readme.contains("cargo run --release -- check -p policies/examples"));
    assert!(readme.contains("cargo test"));
    assert!(
        !readme.contains("../"),
        "the README points outside the repository"
    );
    assert!(!readme.contains("DESIGN.md"));
    assert!(readme.lines().count() < 150, "the README stays short");
}

#[test]
fn the_book_is_configured_for_mdbook() {
    let book = read(&repo().join("docs/book.toml"));
    let parsed: toml::Value = toml::from_str(&book).unwrap();
    assert_eq!(parsed["book"]["src"].as_str(), Some("src"));
}

// ---------------------------------------------------------------- the CLI

/// The commands of `aclc --help`, without clap's `help`.
fn commands() -> Vec<String> {
    let o = aclc(&repo(), &["--help"]);
    let text = stdout(&o);
    let list = text
        .split("Commands:\n")
        .nth(1)
        .and_then(|r| r.split("\n\n").next())
        .unwrap_or_default();
    list.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// A command line of an example: the words before a two-space comment, a
/// pipe or a redirection, with double quotes grouping words.
fn example_words(line: &str) -> Vec<String> {
    let line = line.trim();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut spaces = 0;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                spaces = 0;
            }
            ' ' if !quoted => {
                spaces += 1;
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                if spaces >= 2 {
                    break;
                }
            }
            '|' | '>' if !quoted => break,
            c => {
                spaces = 0;
                word.push(c);
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Commands that run until stopped (a server, a watcher): their examples
/// are checked for form but not run.
const LONG_RUNNING: &[&str] = &["lsp", "watch"];

#[test]
fn every_command_has_help_examples_that_run() {
    let commands = commands();
    for expected in [
        "check",
        "build",
        "explain",
        "show",
        "lints",
        "test",
        "init",
        "completions",
        "man",
    ] {
        assert!(
            commands.iter().any(|c| c == expected),
            "{expected} missing from {commands:?}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    // The examples name the shipped examples and a project made by `aclc init`.
    let examples = dir.path().join("policies/examples");
    for f in load::collect(&[repo().join("policies/examples")]).unwrap() {
        let rel = f.strip_prefix(repo().join("policies/examples")).unwrap();
        std::fs::create_dir_all(examples.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(&f, examples.join(rel)).unwrap();
    }
    std::fs::copy(
        repo().join("policies/examples/aclc.toml"),
        examples.join("aclc.toml"),
    )
    .unwrap();
    let mut order = commands.clone();
    order.sort_by_key(|c| c != "init");
    let mut ran = 0;
    for command in &order {
        let o = aclc(dir.path(), &["help", command]);
        assert_eq!(code(&o), 0);
        let help = stdout(&o);
        let Some(examples) = help.split("Examples:\n").nth(1) else {
            panic!("`aclc help {command}` has no examples:\n{help}");
        };
        for line in examples.lines().take_while(|l| l.starts_with("  ")) {
            let words = example_words(line);
            assert_eq!(words.first().map(String::as_str), Some("aclc"), "{line}");
            assert_eq!(words.get(1), Some(command), "{line}");
            if LONG_RUNNING.contains(&command.as_str()) {
                continue;
            }
            let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
            let o = aclc(dir.path(), &args);
            assert_eq!(code(&o), 0, "`{line}`:\n{}{}", stdout(&o), stderr(&o));
            ran += 1;
        }
    }
    assert!(ran >= 2 * commands.len(), "only {ran} examples ran");
}

#[test]
fn completions_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    let commands = commands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = aclc(dir.path(), &["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for c in &commands {
            assert!(script.contains(c.as_str()), "{shell}: no `{c}`");
        }
        assert!(script.contains("deny-warnings"), "{shell}: no options");
        // Where the shell is installed, the script must be valid for it.
        let check = match shell {
            "bash" => Some(("bash", vec!["-n"])),
            "zsh" => Some(("zsh", vec!["-n"])),
            "fish" => Some(("fish", vec!["--no-execute"])),
            _ => None,
        };
        if let Some((program, flags)) = check {
            let file = dir.path().join(format!("aclc.{shell}"));
            std::fs::write(&file, &script).unwrap();
            if let Ok(status) = Command::new(program).args(&flags).arg(&file).status() {
                assert!(status.success(), "{program} rejects the {shell} script");
            }
        }
    }
    let o = aclc(dir.path(), &["completions", "tcsh"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("possible values"), "{}", stderr(&o));
}

#[test]
fn bash_completion_completes_commands_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let script = stdout(&aclc(dir.path(), &["completions", "bash"]));
    let file = dir.path().join("aclc.bash");
    std::fs::write(&file, script).unwrap();
    let probe = format!(
        "source {}; COMP_WORDS=(aclc che); COMP_CWORD=1; _aclc aclc che aclc; echo \"${{COMPREPLY[@]}}\"; \
         COMP_WORDS=(aclc check --deny); COMP_CWORD=2; _aclc aclc --deny check; echo \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let Ok(o) = Command::new("bash").args(["-c", &probe]).output() else {
        return; // no bash on this machine: the script's content is tested above
    };
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("check"), "{out}{}", stderr(&o));
    assert_eq!(lines.next(), Some("--deny-warnings"), "{out}");
}

#[test]
fn man_pages_for_aclc_and_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let o = aclc(dir.path(), &["man"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH aclc 1"), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
        ".SH EXAMPLES",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    assert!(!page.contains(".SH EXTRA"));
    assert!(
        !page.contains("aclc\\-help(1)"),
        "no page exists for `help`"
    );

    let o = aclc(dir.path(), &["man", "explain"]);
    assert_eq!(code(&o), 0);
    let page = stdout(&o);
    assert!(page.contains(".TH aclc-explain 1"), "{page}");
    assert!(page.contains("aclc explain \"Premium customer\" read SelfCare.identity"));
    assert!(page.contains("\\-\\-verbose"));

    let o = aclc(dir.path(), &["man", "explian"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("did you mean `explain`?"),
        "{}",
        stderr(&o)
    );

    let o = aclc(dir.path(), &["man", "--out", "man/man1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut written: Vec<String> = std::fs::read_dir(dir.path().join("man/man1"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = commands().iter().map(|c| format!("aclc-{c}.1")).collect();
    expected.push("aclc.1".to_string());
    expected.sort();
    assert_eq!(written, expected);

    // Rendered by man(1) where it is installed: the examples read as written.
    let rendered = Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(dir.path().join("man/man1/aclc-check.1"))
        .env("MANWIDTH", "120")
        .output();
    if let Ok(r) = rendered {
        if r.status.success() {
            let text = stdout(&r);
            assert!(text.contains("EXAMPLES"), "{text}");
            assert!(
                text.contains("aclc check --baseline aclc-baseline.json"),
                "{text}"
            );
        }
    }
}

// ------------------------------------------------- links from diagnostics

const UNKNOWN_INCLUDE: &str =
    "access_level \"L\" for user {\n    include \"Helpdesk acess\"\n}\ncomponent \"Helpdesk access\" { }\n";

#[test]
fn json_and_sarif_link_to_the_lint_page() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.acl"), UNKNOWN_INCLUDE).unwrap();
    let o = aclc(
        dir.path(),
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
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "unknown-include");
    assert_eq!(d["url"], "docs/src/lints/unknown-include.md");
    assert!(repo().join(d["url"].as_str().unwrap()).is_file());

    let o = aclc(
        dir.path(),
        &[
            "check",
            "--no-predefined",
            "-p",
            "a.acl",
            "--format",
            "sarif",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), lints::infos().count());
    let rule = rules.iter().find(|r| r["id"] == "unknown-include").unwrap();
    assert_eq!(
        rule["properties"]["docs"],
        "docs/src/lints/unknown-include.md"
    );
    assert!(
        rule.get("helpUri").is_none(),
        "a relative path is no helpUri"
    );
    assert_eq!(
        rule["help"]["text"],
        lints::find("unknown-include").unwrap().doc
    );

    // A team that hosts the book links to it.
    std::fs::write(
        dir.path().join("aclc.toml"),
        "[policy]\npaths = [\"a.acl\"]\npredefined = false\n[docs]\nlint_url = \"https://docs.example.net/aclc/lints/{code}.html\"\n",
    )
    .unwrap();
    let o = aclc(dir.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["diagnostics"][0]["url"],
        "https://docs.example.net/aclc/lints/unknown-include.html"
    );
    let o = aclc(dir.path(), &["check", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["id"] == "include-cycle").unwrap();
    assert_eq!(
        rule["helpUri"],
        "https://docs.example.net/aclc/lints/include-cycle.html"
    );

    std::fs::write(
        dir.path().join("aclc.toml"),
        "[docs]\nlint_url = \"https://docs.example.net/\"\n",
    )
    .unwrap();
    let o = aclc(dir.path(), &["check", "-p", "a.acl"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("has no `{code}`"), "{}", stderr(&o));
}

#[test]
fn init_points_to_the_configuration_page() {
    let dir = tempfile::tempdir().unwrap();
    let o = aclc(dir.path(), &["init"]);
    assert_eq!(code(&o), 0);
    let toml = read(&dir.path().join("aclc.toml"));
    let page = toml
        .split_whitespace()
        .find(|w| w.starts_with("docs/"))
        .unwrap_or_default();
    assert!(repo().join(page).is_file(), "aclc.toml names `{page}`");
}

// ------------------------------------------------------------- runtime page

/// What docs/src/runtime.md shows: build the table of a new project, load it
/// with `Table::load`, decide; and a `Table` can be shared.
#[test]
fn runtime_page_example_works() {
    fn shareable<T: Send + Sync>() {}
    shareable::<aclc_runtime::Table>();
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(&aclc(dir.path(), &["init"])), 0);
    let o = aclc(dir.path(), &["build", "--out", "dist"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let table = aclc_runtime::Table::load(dir.path().join("dist/acl.json")).unwrap();
    use aclc_runtime::{Access, Effect};
    assert_eq!(
        table.decide("Premium customer", Access::Read, "SelfCare", "identity"),
        Some(Effect::Deny)
    );
    assert_eq!(
        table.decide("Premium customer", Access::Read, "SelfCare", "payments"),
        Some(Effect::Allow)
    );
    assert_eq!(
        table.decide("Nobody", Access::Read, "SelfCare", "payments"),
        None
    );
    let page = read(&repo().join("docs/src/runtime.md"));
    assert!(page.contains("Table::load(\"dist/acl.json\")?"));
    assert!(
        page.contains(r#"table.decide("Premium customer", Access::Read, "SelfCare", "identity")"#)
    );
}
