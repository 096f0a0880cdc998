//! `diff --format github`: GitHub Actions workflow annotations, one per
//! grouped item, at the changed lines on the new side.

use super::{groups, NAMES, PARTS};
use crate::diff::Diff;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotations: `::error` for failing changes, `::notice` for the rest.
pub fn render(diff: &Diff) -> String {
    let mut out = String::new();
    for g in groups(diff, PARTS) {
        for item in &g.items {
            let level = if item.fails { "error" } else { "notice" };
            let mut props = Vec::new();
            if let Some(l) = item.location.or(g.location.as_ref()).filter(|l| l.new_side) {
                props.push(format!("file={}", escape_property(&l.file)));
                props.push(format!("line={}", l.line));
                props.push(format!("endLine={}", l.end_line));
            }
            props.push(format!(
                "title={}",
                escape_property(&format!("aclc diff: {}", item.kind.as_str()))
            ));
            let mut message = format!(
                "{} in {} (caused by {})",
                item.headline(),
                item.names_text(NAMES),
                g.title
            );
            for l in &item.lines {
                message.push('\n');
                message.push_str(l);
            }
            out.push_str(&format!(
                "::{level} {}::{}\n",
                props.join(","),
                escape_data(&message)
            ));
        }
    }
    out.push_str(&format!("{}\n", super::summary_line(diff)));
    out
}
