//! `aclc watch` with real file changes: the binary runs in a temporary
//! project while the test creates, breaks, fixes, renames and deletes
//! files (and the whole policy folder), waiting for each summary line with
//! a generous bounded timeout, then stops it with Ctrl-C (SIGINT).

#![cfg(unix)]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

mod common;
use common::run::project;

/// Far longer than a check takes, so a busy machine does not fail the test.
const PATIENCE: Duration = Duration::from_secs(60);

struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watcher {
    fn start(dir: &Path, args: &[&str]) -> Watcher {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aclc"))
            .current_dir(dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Wait for a line containing `text`; returns the lines up to it.
    fn wait_for(&mut self, text: &str) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut got = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    got.push(line.clone());
                    if line.contains(text) {
                        return got;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!(
                        "no line with {text:?} within {PATIENCE:?}; output so far:\n{}",
                        self.seen.join("\n")
                    );
                }
            }
        }
    }

    /// Send Ctrl-C and wait for a clean end.
    fn interrupt(mut self) -> (i32, Vec<String>) {
        let pid = self.child.id().to_string();
        // The shell's `kill` builtin: no procps needed.
        let status = Command::new("sh")
            .args(["-c", &format!("kill -INT {pid}")])
            .status()
            .unwrap();
        assert!(status.success());
        let last = self.wait_for("stopped");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code().unwrap_or(-1), last);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("aclc watch did not end after Ctrl-C");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Write a file as most editors save: a temporary file renamed over it.
/// (A file written in place is seen truncated when a check falls between
/// the truncation and the write, an intermediate state the watcher reports
/// faithfully and the next check replaces; the test waits for exact lines,
/// so it writes whole files at once.)
fn write(dir: &Path, name: &str, text: &str) {
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

fn table(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("out/acl.json")).unwrap()
}

const A: &str = "component \"Billing\" {\n    allow read Bills.*\n}\n\naccess_level \"Back office\" for user {\n    include \"Billing\"\n}\n";

#[test]
fn watch_rechecks_rebuilds_and_keeps_the_last_good_output() {
    let project = project(&[
        ("aclc.toml", "[policy]\npaths = [\"acl\"]\n"),
        ("acl/a.acl", A),
    ]);
    let dir = project.path();
    let mut w = Watcher::start(
        dir,
        &[
            "watch",
            "--no-predefined",
            "--build",
            "out",
            "--debounce",
            "100",
        ],
    );
    let first = w.wait_for("built `out`");
    assert!(
        first[0].starts_with("watching `acl` and `aclc.toml`"),
        "{first:?}"
    );
    assert!(
        first[1].ends_with("] checked: 0 errors, 0 warnings")
            || first[1].contains("] checked: 0 errors, 0 warnings ("),
        "{first:?}"
    );
    assert!(
        table(dir).contains("\"Back office\""),
        "{}",
        w.seen.join("\n")
    );

    // A new file.
    write(
        dir,
        "acl/b.acl",
        "access_level \"Night shift\" for user {\n    include \"Billing\"\n}\n",
    );
    let lines = w.wait_for("built `out`");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("acl/b.acl added: 0 errors")),
        "{lines:?}"
    );
    let good = table(dir);
    assert!(good.contains("\"Night shift\""));

    // A broken edit: reported, the output kept.
    write(
        dir,
        "acl/b.acl",
        "access_level \"Night shift\" for user {\n    include \"Billing\"\n",
    );
    let lines = w.wait_for("build skipped");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("acl/b.acl changed: 1 error")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("+ error[syntax-error] acl/b.acl:")),
        "{lines:?}"
    );
    assert!(
        lines.last().unwrap().ends_with(
            "build skipped: 1 error in the policy set; `out` keeps the last good output"
        ),
        "{lines:?}"
    );
    assert_eq!(table(dir), good, "a broken edit never replaces the output");

    // An editor's swap, backup and probe files are not policy files; the
    // fix that follows is the only change reported.
    for junk in [".b.acl.swp", "b.acl~", "4913", ".#b.acl", "b.acl.tmp"] {
        write(dir, &format!("acl/{junk}"), "not a policy {");
    }
    write(
        dir,
        "acl/b.acl",
        "access_level \"Night shift 2\" for user {\n    include \"Billing\"\n}\n",
    );
    let lines = w.wait_for("built `out`");
    let summary = lines.iter().find(|l| l.contains(" errors, ")).unwrap();
    assert!(
        summary.contains("] acl/b.acl changed: 0 errors, 0 warnings"),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l == "  - 1 finding gone"), "{lines:?}");
    assert!(
        table(dir).contains("\"Night shift 2\""),
        "{}",
        w.seen.join("\n")
    );

    // A rename: the old file is gone, the new one read.
    std::fs::rename(dir.join("acl/b.acl"), dir.join("acl/c.acl")).unwrap();
    w.wait_for("acl/c.acl added");
    w.wait_for("built `out`");
    assert!(
        table(dir).contains("\"Night shift 2\""),
        "{}",
        w.seen.join("\n")
    );

    // The policy folder disappears: nothing is built, the output stays.
    std::fs::rename(dir.join("acl"), dir.join("acl.away")).unwrap();
    w.wait_for("`acl` is missing; waiting for it to come back");
    let lines = w.wait_for("build skipped: no policy files; `out` keeps the last good output");
    assert!(
        lines.iter().any(|l| l.contains("acl/a.acl removed")),
        "{lines:?}"
    );
    let kept = table(dir);
    assert!(kept.contains("\"Night shift 2\""), "{}", w.seen.join("\n"));

    // ... and comes back: watched again, read again, built again.
    std::fs::rename(dir.join("acl.away"), dir.join("acl")).unwrap();
    let lines = w.wait_for("built `out`");
    assert!(
        lines.iter().any(|l| l.contains("acl/a.acl added")),
        "{lines:?}"
    );
    // Watched again: an edit after the return is seen.
    write(
        dir,
        "acl/c.acl",
        "access_level \"Day shift\" for user {\n    include \"Billing\"\n}\n",
    );
    let lines = w.wait_for("built `out`");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("acl/c.acl changed: 0 errors")),
        "{lines:?}"
    );
    assert!(
        table(dir).contains("\"Day shift\""),
        "{}",
        w.seen.join("\n")
    );

    // A file deleted.
    std::fs::remove_file(dir.join("acl/c.acl")).unwrap();
    let lines = w.wait_for("built `out`");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("acl/c.acl removed: 0 errors")),
        "{lines:?}"
    );
    assert!(
        !table(dir).contains("\"Day shift\""),
        "{}",
        w.seen.join("\n")
    );

    let (code, last) = w.interrupt();
    assert_eq!(code, 0, "{last:?}");
    assert!(last.last().unwrap().ends_with("] stopped"), "{last:?}");
}

/// A change to `aclc.toml` reloads everything: here a lint turned off.
#[test]
fn watch_reloads_the_settings() {
    let project = project(&[
        ("aclc.toml", "[policy]\npaths = [\"acl\"]\n"),
        (
            "acl/a.acl",
            "component \"Unused\" {\n    allow read Bills.*\n}\n",
        ),
    ]);
    let dir = project.path();
    let mut w = Watcher::start(dir, &["watch", "--no-predefined", "--debounce", "100"]);
    let lines = w.wait_for("checked:");
    assert!(
        lines
            .last()
            .unwrap()
            .contains("0 errors, 0 warnings, 1 info"),
        "{lines:?}"
    );
    write(
        dir,
        "aclc.toml",
        "[policy]\npaths = [\"acl\"]\n\n[lints]\nunused-component = \"off\"\n",
    );
    let lines = w.wait_for("`aclc.toml` changed: everything reloaded");
    assert!(
        lines.last().unwrap().contains(": 0 errors, 0 warnings ("),
        "{lines:?}"
    );
    // A broken aclc.toml keeps the settings in force.
    write(dir, "aclc.toml", "[policy\n");
    w.wait_for("the previous settings stay in force until it is fixed");
    let (code, _) = w.interrupt();
    assert_eq!(code, 0);
}

/// A single policy file given with `-p`, saved the way many editors save:
/// a new file renamed over the old one (a new inode, the old watch dead).
#[test]
fn watch_follows_a_file_replaced_by_a_rename() {
    let project = project(&[("policy.acl", A)]);
    let dir = project.path();
    let mut w = Watcher::start(
        dir,
        &[
            "watch",
            "--no-predefined",
            "-p",
            "policy.acl",
            "--debounce",
            "100",
        ],
    );
    w.wait_for("checked: 0 errors");
    for round in 0..2 {
        let text = A.replace("read Bills", &format!("read Bills{round}"));
        write(dir, "policy.acl.tmp", &text);
        std::fs::rename(dir.join("policy.acl.tmp"), dir.join("policy.acl")).unwrap();
        let lines = w.wait_for("policy.acl changed");
        assert!(
            lines
                .last()
                .unwrap()
                .contains("policy.acl changed: 0 errors, 0 warnings"),
            "{lines:?}"
        );
    }
    let (code, _) = w.interrupt();
    assert_eq!(code, 0);
}
