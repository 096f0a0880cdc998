//! `include-before-permission`: an include written above an own permission.

use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::model::AccessLevel;
use crate::source::{SourceFile, Span};

pub struct IncludeBeforePermission;

static INFO: LintInfo = LintInfo {
    code: "include-before-permission",
    default_severity: Severity::Info,
    summary: "an include is written above an own permission, which suggests the wrong order of evaluation",
    doc: r#"Own permissions are always evaluated before includes, wherever they are
written in the block. An include written above a permission reads as if it came
first, which it does not.

Example:

    access_level "Premium customer" for customer {
        include "Customer self-care"
        deny read SelfCare.identity      # still evaluated before the include
    }

Fix: move the own permissions above the includes."#,
};

impl Lint for IncludeBeforePermission {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        for acl in &model.acls {
            let mut fix = None;
            let mut rules = acl.rules.iter().peekable();
            // The first include statement of each run of them written
            // above an own permission, and that permission.
            let mut run_until = 0;
            for inc in include_statements(acl) {
                if inc.start < run_until {
                    continue;
                }
                while rules.next_if(|r| r.span.start < inc.start).is_some() {}
                let Some(p) = rules.next() else { break };
                run_until = p.span.start;
                let fix = fix
                    .get_or_insert_with(|| move_includes(model.sources.file(acl.span.file), acl));
                let mut diag = Diagnostic::new(
                    &INFO,
                    inc,
                    format!(
                        "in `{}`, an include is written above an own permission",
                        acl.name
                    ),
                )
                .label("written first, evaluated after the own permissions")
                .related(p.span, "this permission is evaluated before the include")
                .help(
                    "move the own permissions above the includes: they are evaluated first anyway",
                )
                .access_level(acl.name.clone());
                if let Some(edits) = fix {
                    diag = diag.fix(
                        format!(
                            "move the includes of `{}` below its own permissions",
                            acl.name
                        ),
                        edits.clone(),
                    );
                }
                out.push(diag);
            }
        }
    }
}

/// The spans of the include statements of `acl`, in order (a statement
/// naming several blocks, once).
fn include_statements(acl: &AccessLevel) -> impl Iterator<Item = Span> + '_ {
    let mut previous = None;
    acl.includes
        .iter()
        .filter_map(move |i| (previous.replace(i.stmt) != Some(i.stmt)).then_some(i.stmt))
}

/// The edits moving every include statement written above the last own
/// permission of `acl` to just below it, whole lines with their comments,
/// in their order; `None` when a statement shares its line with another
/// (moving lines would move that one too) or the last permission's line
/// holds more than the permission. Safe: own permissions are evaluated
/// before the includes wherever they are written, and the includes keep
/// their order (DESIGN §1).
fn move_includes(file: &SourceFile, acl: &AccessLevel) -> Option<Vec<Edit>> {
    let last = acl.rules.last()?.span;
    let whole = |span: Span| -> Option<(usize, usize)> {
        let start = file.lines.line_start(file.lines.line_of(span.start)) as usize;
        let end = file.next_line_start(file.lines.line_of(span.end));
        let before = file.text.get(start..span.start as usize)?;
        let after = file.text.get(span.end as usize..end)?.trim();
        (before.trim().is_empty()
            && (after.is_empty() || after.starts_with('#'))
            && file.text[..end].ends_with('\n'))
        .then_some((start, end))
    };
    let (_, insert_at) = whole(last)?;
    let mut moved = String::new();
    let mut edits = Vec::new();
    for span in include_statements(acl).take_while(|s| s.start < last.start) {
        let (start, end) = whole(span)?;
        moved.push_str(file.text.get(start..end)?);
        edits.push(Edit::replace(Span::new(span.file, start, end), ""));
    }
    if edits.is_empty() {
        return None;
    }
    edits.push(Edit::replace(
        Span::new(last.file, insert_at, insert_at),
        moved,
    ));
    Some(edits)
}
