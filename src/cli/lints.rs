//! `aclc lints [CODE] [--format text|markdown]`. The Markdown form is the
//! lint's page in docs/ (docs/src/lints/), so the docs and the command print
//! the same text from the same source: the registry's `LintInfo`.

use clap::ValueEnum;

use super::{Failure, Outcome};
use aclc::analysis::lints::{self, LintInfo};

/// Shown after `aclc help lints`.
pub const EXAMPLES: &str = "\
Examples:
  aclc lints                                   every lint code, its default severity and summary
  aclc lints include-cycle                     what it finds, an example, how to fix and suppress it
  aclc lints include-cycle --format markdown   the same, as the lint's docs page";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A lint code to explain, e.g. `include-cycle`
    code: Option<String>,
    /// Output format (Markdown: the pages of docs/src/lints/)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Markdown,
}

pub fn run(args: &Args) -> Result<Outcome, Failure> {
    let out = match (&args.code, args.format) {
        (None, Format::Text) => list_text(),
        (None, Format::Markdown) => list_markdown(),
        (Some(code), format) => {
            let info = lints::find(code).ok_or_else(|| {
                let hint = aclc::diagnostic::did_you_mean(code, lints::infos().map(|i| i.code))
                    .map_or_else(
                        || "run `aclc lints` for the list".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    );
                Failure(format!("`{code}` is not a lint code; {hint}"))
            })?;
            match format {
                Format::Text => explain_text(info),
                Format::Markdown => explain_markdown(info),
            }
        }
    };
    print!("{out}");
    Ok(Outcome::Clean)
}

fn list_text() -> String {
    let width = lints::infos().map(|i| i.code.len()).max().unwrap_or(0);
    let mut s = String::new();
    for i in lints::infos() {
        s.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            i.code,
            i.default_severity.as_str(),
            i.summary
        ));
    }
    s.push_str("\nrun `aclc lints CODE` for what a lint finds, an example and how to fix it\n");
    s
}

fn explain_text(info: &LintInfo) -> String {
    format!(
        "{} ({} by default)\n\n{}\n\n{}\n\nSet its severity in aclc.toml:\n\n    [lints]\n    {} = \"error\"   # or \"warning\", \"info\", \"off\"\n\nSuppress one finding with a comment on its line or the line above:\n\n    # aclc-ignore {} reason\n",
        info.code, info.default_severity, info.summary, info.doc, info.code, info.code
    )
}

/// A lint's doc split where its text says: what and why (before
/// `Example:`), the example (the indented lines after it), notes on the
/// example, and the fix (from `Fix:` on).
struct Sections<'a> {
    about: Vec<&'a str>,
    example: Vec<&'a str>,
    notes: Vec<&'a str>,
    fix: Vec<&'a str>,
}

fn sections(doc: &str) -> Sections<'_> {
    let mut s = Sections {
        about: Vec::new(),
        example: Vec::new(),
        notes: Vec::new(),
        fix: Vec::new(),
    };
    #[derive(PartialEq)]
    enum At {
        About,
        Example,
        Notes,
        Fix,
    }
    let mut at = At::About;
    for line in doc.lines() {
        if at != At::Fix && line.starts_with("Fix:") {
            at = At::Fix;
        } else if at == At::About && line.trim() == "Example:" {
            at = At::Example;
            continue;
        } else if at == At::Example && !line.is_empty() && !line.starts_with("    ") {
            at = At::Notes;
        }
        match at {
            At::About => s.about.push(line),
            At::Example => s.example.push(line.strip_prefix("    ").unwrap_or(line)),
            At::Notes => s.notes.push(line),
            At::Fix => s.fix.push(line),
        }
    }
    s
}

/// Lines without the blank ones at either end, joined.
fn block(lines: &[&str]) -> String {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(a), Some(b)) => lines[a..=b].join("\n"),
        _ => String::new(),
    }
}

fn explain_markdown(info: &LintInfo) -> String {
    let code = info.code;
    let s = sections(info.doc);
    let mut md = format!(
        "# `{code}`\n\n**Default severity:** {}\n\n**When it fires:** {}.\n\n",
        info.default_severity, info.summary
    );
    md.push_str("## What it finds and why it matters\n\n");
    md.push_str(&block(&s.about));
    md.push_str("\n\n");
    let example = block(&s.example);
    if !example.is_empty() {
        // Statements shown without their block are marked, so that readers
        // and the docs test (tests/docs.rs) know to read them inside one.
        let fence = if starts_with_statement(&example) {
            "```acl,fragment\n"
        } else {
            "```acl\n"
        };
        md.push_str("## An example that fires\n\n");
        md.push_str(fence);
        md.push_str(&example);
        md.push_str("\n```\n\n");
        let notes = block(&s.notes);
        if !notes.is_empty() {
            md.push_str(&notes);
            md.push_str("\n\n");
        }
    }
    let fix = block(&s.fix);
    if !fix.is_empty() {
        md.push_str("## How to fix it\n\n");
        md.push_str(&capitalized(
            fix.strip_prefix("Fix:")
                .map_or(fix.as_str(), str::trim_start),
        ));
        md.push_str("\n\n");
    }
    md.push_str(&format!(
        "## Severity\n\nSet its severity in `aclc.toml`:\n\n```toml\n[lints]\n{code} = \"error\"   # or \"warning\", \"info\", \"off\"\n```\n\n"
    ));
    md.push_str(&format!(
        "## How to suppress it\n\nSuppress one finding with a comment at the end of its first line, or alone on the line above it:\n\n```text\n# aclc-ignore {code} reason\n```\n\nA suppression that suppresses nothing is reported as [`unused-ignore`](unused-ignore.md). To adopt aclc on a policy set with many findings, record them in a baseline instead ([`aclc check --baseline`](../commands/check.md#baselines)).\n\n"
    ));
    md.push_str(&format!(
        "---\n\n*Generated from the lint registry (`src/analysis/lints/`) by `aclc lints {code} --format markdown`; `aclc lints {code}` prints the same text.*\n"
    ));
    md
}

fn list_markdown() -> String {
    let mut md = String::from(
        "# Lints\n\nEvery finding of `aclc check` has a stable code, a severity and a page here: what it finds and why it matters, an example that fires, how to fix it and how to suppress it. `aclc lints` lists them and `aclc lints CODE` prints a page in the terminal. The severity of each code can be changed in [`aclc.toml`](../configuration.md).\n\n| code | default | when |\n|---|---|---|\n",
    );
    for i in lints::infos() {
        md.push_str(&format!(
            "| [`{}`]({}.md) | {} | {} |\n",
            i.code,
            i.code,
            i.default_severity,
            i.summary.replace('|', "\\|")
        ));
    }
    md.push_str("\n---\n\n*Generated from the lint registry (`src/analysis/lints/`) by `aclc lints --format markdown`.*\n");
    md
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether an example's first line (after comments) is a statement of a
/// block rather than a top-level declaration.
fn starts_with_statement(example: &str) -> bool {
    let first = example
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("");
    matches!(
        first,
        "allow"
            | "deny"
            | "include"
            | "group"
            | "subsystem"
            | "description"
            | "hidden"
            | "visible_to"
    )
}
