//! `diff --format text`: changes grouped by cause, colored on a terminal.

use rayon::prelude::*;

use super::{groups, summary_line, Group, NAMES, PARTS};
use crate::diff::Diff;

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\u{1b}[{code}m{s}\u{1b}[0m")
    } else {
        s.to_string()
    }
}

/// The text report (`color`: ANSI colors).
pub fn render(diff: &Diff, color: bool) -> String {
    // Each group's text on its own, in parallel (a large diff has
    // thousands), then joined in order.
    let groups: Vec<String> = groups(diff, PARTS)
        .par_iter()
        .map(|g| group_text(g, color))
        .collect();
    let mut out = groups.concat();
    let line = summary_line(diff);
    out.push_str(&if diff.failing() {
        paint(color, "1;31", &line)
    } else {
        line
    });
    out.push('\n');
    out
}

/// One group: its title, then each item's headline and lines.
fn group_text(g: &Group<'_>, color: bool) -> String {
    let mut out = paint(color, "1", &format!("changes caused by {}", g.title));
    out.push('\n');
    for item in &g.items {
        let head = item.headline();
        let head = if item.fails {
            paint(color, "1;31", &head)
        } else if item.allowed.is_some() {
            paint(color, "32", &head)
        } else {
            paint(color, "33", &head)
        };
        let names = if item.names.len() > 1 {
            format!(
                "{} access levels: {}",
                item.names.len(),
                item.names_text(NAMES)
            )
        } else {
            item.names_text(NAMES)
        };
        out.push_str(&format!("  {head} in {names}\n"));
        for l in &item.lines {
            out.push_str(&format!("      {l}\n"));
        }
    }
    out.push('\n');
    out
}
