//! `syntax-error`: the file does not parse.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};

pub struct SyntaxError;

static INFO: LintInfo = LintInfo {
    code: "syntax-error",
    default_severity: Severity::Error,
    summary: "the file does not parse; other blocks of the file are still analyzed",
    doc: r#"A top-level block that does not follow the grammar is reported with what
was expected at the first position that went wrong, in plain words. The rest of
that block is skipped up to the next line that starts (in column 0) with a
top-level keyword; every other block of the file is still analyzed.

Example:

    component "Tariffs read-only" {
        allow reed Tariffs.*
    }

reports `expected an access type (read, update, insert, delete or all), found reed`.

Fix: correct the statement as the message says."#,
};

impl Lint for SyntaxError {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for e in &model.syntax_errors {
            let mut d = Diagnostic::new(&INFO, e.span, e.message.clone()).label(e.label.clone());
            d = match e.skipped {
                Some(block) if block.start < e.span.start => d
                    .related(block, "this block is skipped")
                    .help("fix this statement; the rest of the block is skipped until the next top-level declaration"),
                _ => d.help("fix this declaration; parsing resumes at the next top-level declaration"),
            };
            out.push(d);
        }
    }
}
