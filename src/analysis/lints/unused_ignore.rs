//! `unused-ignore`: an `aclc-ignore` comment that suppresses nothing. This
//! file also implements the suppressions themselves.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Model;
use crate::source::Span;

pub struct UnusedIgnore;

static INFO: LintInfo = LintInfo {
    code: "unused-ignore",
    default_severity: Severity::Info,
    summary: "an `aclc-ignore` comment suppresses nothing",
    doc: r#"A finding is suppressed by a comment `# aclc-ignore CODE[, CODE] reason` at
the end of its primary line, or alone on the line above it. A suppression that
suppresses nothing (the problem was fixed, or the code is misspelled) is itself
reported, so stale suppressions do not pile up.

Example:

    component "Rates read-only" {
        # aclc-ignore shadowed-rule kept for the 2019 migration
        allow read Rates.*
    }

Fix: remove the comment, or correct its code."#,
};

impl Lint for UnusedIgnore {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    /// Suppressions need the other lints' findings: see [`apply_suppressions`].
    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}

/// One `# aclc-ignore …` comment.
struct Ignore {
    span: Span,
    line: usize,
    own_line: bool,
    codes: Vec<String>,
    /// Per code: did it suppress a finding?
    used: Vec<bool>,
}

/// Parse `aclc-ignore CODE[, CODE] reason` (the comment text after `#`).
fn parse_ignore(text: &str) -> Option<Vec<String>> {
    let rest = text.strip_prefix("aclc-ignore")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let mut codes = Vec::new();
    let mut rest = rest.trim_start();
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        codes.push(rest[..end].to_string());
        let after = rest[end..].trim_start();
        match after.strip_prefix(',') {
            Some(more) => rest = more.trim_start(),
            None => break,
        }
    }
    Some(codes)
}

/// Drop the findings an `aclc-ignore` comment suppresses; return an
/// `unused-ignore` finding for every suppression that matched nothing.
pub fn apply_suppressions(model: &Model, diags: &mut Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut per_file: Vec<Vec<Ignore>> = Vec::new();
    for (id, file) in model.sources.iter() {
        let ignores = model
            .comments_of(id)
            .iter()
            .filter(|c| !c.doc)
            .filter_map(|c| {
                parse_ignore(&c.text).map(|codes| Ignore {
                    span: c.span,
                    line: file.lines.line_of(c.span.start),
                    own_line: c.own_line,
                    used: vec![false; codes.len()],
                    codes,
                })
            })
            .collect();
        per_file.push(ignores);
    }
    diags.retain(|d| {
        let Some(ignores) = per_file.get_mut(d.span.file.0 as usize) else {
            return true;
        };
        if ignores.is_empty() {
            return true;
        }
        let line = model.sources.file(d.span.file).lines.line_of(d.span.start);
        for ig in ignores.iter_mut() {
            let placed = (ig.line == line && !ig.own_line) || (ig.own_line && ig.line + 1 == line);
            if !placed {
                continue;
            }
            if let Some(i) = ig.codes.iter().position(|c| c == d.code) {
                ig.used[i] = true;
                return false;
            }
        }
        true
    });
    let mut out = Vec::new();
    for ig in per_file.into_iter().flatten() {
        if ig.codes.is_empty() {
            out.push(
                Diagnostic::new(&INFO, ig.span, "this `aclc-ignore` names no lint code")
                    .label("no code")
                    .help("write the code to suppress: `# aclc-ignore CODE reason`"),
            );
            continue;
        }
        let mut unused = Vec::new();
        for (code, used) in ig.codes.iter().zip(&ig.used) {
            if super::find(code).is_none() {
                out.push(
                    Diagnostic::new(&INFO, ig.span, format!("`{code}` is not a lint code"))
                        .label("unknown code")
                        .help(super::suggest(
                            code,
                            super::infos().map(|i| i.code),
                            "run `aclc lints` for the list of codes",
                        )),
                );
            } else if !used {
                unused.push(code.as_str());
            }
        }
        if unused.is_empty() {
            continue;
        }
        let message = if unused.len() == ig.codes.len() {
            format!(
                "this `aclc-ignore {}` suppresses nothing",
                unused.join(", ")
            )
        } else {
            format!(
                "`{}` in this `aclc-ignore` suppresses nothing",
                unused.join("`, `")
            )
        };
        out.push(
            Diagnostic::new(&INFO, ig.span, message)
                .label("nothing to suppress here")
                .help("remove the code (or the comment); it must stand at the end of the finding's first line or alone on the line above"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_ignore;

    #[test]
    fn parses_codes_and_reason() {
        assert_eq!(
            parse_ignore("aclc-ignore shadowed-rule, dead-include legacy"),
            Some(vec![
                "shadowed-rule".to_string(),
                "dead-include".to_string()
            ])
        );
        assert_eq!(parse_ignore("aclc-ignored x"), None);
        assert_eq!(parse_ignore("aclc-ignore"), Some(vec![]));
    }
}
