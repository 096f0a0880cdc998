//! `aclc diff` on generated policy sets (`aclc::generate`, the tidy
//! library, as `benches/check.rs`), less reading files and printing: both
//! sides parsed, modeled and diffed, for two edits of the new side — one
//! rule of the most included component flipped (a shared component used by
//! many access levels), and 1% of all permission statements flipped. The
//! aim: at most twice the time and memory of `aclc check` on one side
//! (`cargo bench --bench check -- check`). Run with `cargo bench --bench diff`.

use std::convert::Infallible;

use aclc::diff::{diff, models, Rules};
use aclc::generate::{policy_set, Kind, Shape};
use aclc::source::{Origin, SourceMap};

fn main() {
    divan::main();
}

fn texts(permissions: usize) -> Vec<(String, String)> {
    policy_set(Shape {
        permissions,
        files: 20,
        seed: 1,
        kind: Kind::Tidy,
    })
}

fn sources(texts: &[(String, String)]) -> SourceMap {
    let mut s = aclc::load::load_predefined(&aclc::config::Predefined::Embedded)
        .unwrap_or_else(|_| SourceMap::new());
    for (name, text) in texts {
        s.add(name.clone(), text.clone(), Origin::User);
    }
    s
}

fn flip(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("    allow ") {
        format!("    deny {rest}")
    } else if let Some(rest) = line.strip_prefix("    deny ") {
        format!("    allow {rest}")
    } else {
        line.to_string()
    }
}

fn is_rule(line: &str) -> bool {
    line.starts_with("    allow ") || line.starts_with("    deny ")
}

/// Flip the first rule of the component included most often.
fn edit_shared_component(texts: &[(String, String)]) -> Vec<(String, String)> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (_, t) in texts {
        for l in t.lines() {
            if let Some(rest) = l.trim_start().strip_prefix("include ") {
                for name in rest.split(", ") {
                    *counts.entry(name.trim_matches('"')).or_default() += 1;
                }
            }
        }
    }
    let Some((top, _)) = counts
        .into_iter()
        .max_by_key(|&(n, c)| (c, std::cmp::Reverse(n)))
    else {
        return texts.to_vec();
    };
    let head = format!("component \"{top}\" {{");
    texts
        .iter()
        .map(|(name, t)| {
            let mut inside = false;
            let mut done = false;
            let lines: Vec<String> = t
                .lines()
                .map(|l| {
                    if l == head {
                        inside = true;
                    } else if inside && !done && is_rule(l) {
                        done = true;
                        return flip(l);
                    }
                    l.to_string()
                })
                .collect();
            (name.clone(), lines.join("\n") + "\n")
        })
        .collect()
}

/// Flip every 100th permission statement.
fn edit_one_percent(texts: &[(String, String)]) -> Vec<(String, String)> {
    let mut n = 0usize;
    texts
        .iter()
        .map(|(name, t)| {
            let lines: Vec<String> = t
                .lines()
                .map(|l| {
                    if is_rule(l) {
                        n += 1;
                        if n % 100 == 0 {
                            return flip(l);
                        }
                    }
                    l.to_string()
                })
                .collect();
            (name.clone(), lines.join("\n") + "\n")
        })
        .collect()
}

fn run(old: SourceMap, new: SourceMap) -> usize {
    // As `aclc diff` does: both sides parsed with one table of names, and
    // modeled without the statements as written.
    let (Ok(old), Ok(new)) = models(|| Ok::<_, Infallible>(old), || Ok(new));
    diff(&old, &new, &Rules::default()).changes.len()
}

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn shared_component(bencher: divan::Bencher, permissions: usize) {
    let old = texts(permissions);
    let new = edit_shared_component(&old);
    let (old, new) = (sources(&old), sources(&new));
    bencher
        .with_inputs(|| (old.clone(), new.clone()))
        .bench_values(|(o, n)| run(o, n));
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn one_percent_of_rules(bencher: divan::Bencher, permissions: usize) {
    let old = texts(permissions);
    let new = edit_one_percent(&old);
    let (old, new) = (sources(&old), sources(&new));
    bencher
        .with_inputs(|| (old.clone(), new.clone()))
        .bench_values(|(o, n)| run(o, n));
}
