//! `diff --format markdown`: a pull-request comment — a verdict, a
//! summary table, the failing changes first, everything else folded.

use super::{groups, Group, NAMES, PARTS};
use crate::diff::{counts, Diff};

/// Items listed in the failing section before "and N more".
const FAILING_ITEMS: usize = 50;

fn code(s: &str) -> String {
    // Backticks in names would end the code span early.
    format!("`{}`", s.replace('`', "'"))
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The comment.
pub fn render(diff: &Diff) -> String {
    let mut out = String::new();
    let counts = counts(&diff.changes);
    let failing: usize = counts.iter().map(|c| c.2).sum();
    let total: usize = counts.iter().map(|c| c.1).sum();
    if counts.is_empty() {
        out.push_str("### aclc diff: no decision changed\n");
        return out;
    }
    if failing > 0 {
        out.push_str(&format!(
            "### aclc diff: {failing} failing change{} (of {total})\n\n",
            if failing == 1 { "" } else { "s" }
        ));
    } else {
        out.push_str(&format!(
            "### aclc diff: no failing change ({total} change{})\n\n",
            if total == 1 { "" } else { "s" }
        ));
    }
    out.push_str("| change | count | failing |\n|---|---:|---:|\n");
    for (k, n, f) in &counts {
        out.push_str(&format!("| `{}` | {n} | {f} |\n", k.as_str()));
    }
    let groups = groups(diff, PARTS);
    if failing > 0 {
        out.push_str("\n#### Failing changes\n\n");
        let mut shown = 0;
        let mut left = 0;
        for g in groups.iter().filter(|g| g.fails) {
            for item in g.items.iter().filter(|i| i.fails) {
                if shown >= FAILING_ITEMS {
                    left += 1;
                    continue;
                }
                shown += 1;
                out.push_str(&format!(
                    "- **{}** in {} — caused by {}\n",
                    item.kind.as_str(),
                    escape(&item.names_text(NAMES)),
                    escape(&g.title)
                ));
                lines(&mut out, item);
            }
        }
        if left > 0 {
            out.push_str(&format!("- and {left} more failing items (see below)\n"));
        }
    }
    out.push_str(&format!(
        "\n<details><summary>All changes, grouped by cause ({} group{})</summary>\n\n",
        groups.len(),
        if groups.len() == 1 { "" } else { "s" }
    ));
    for g in &groups {
        details(&mut out, g);
    }
    out.push_str("</details>\n");
    out
}

fn details(out: &mut String, g: &Group<'_>) {
    out.push_str(&format!("**{}**\n\n", escape(&g.title)));
    for item in &g.items {
        out.push_str(&format!(
            "- {} in {}\n",
            escape(&item.headline()),
            escape(&item.names_text(NAMES))
        ));
        lines(out, item);
    }
    out.push('\n');
}

fn lines(out: &mut String, item: &super::Item<'_>) {
    for l in &item.lines {
        let text = if item.regional { code(l) } else { escape(l) };
        out.push_str(&format!("  - {text}\n"));
    }
}
