//! The formatter: one canonical layout for a policy file.
//!
//! Four-space indentation, one statement per line, one space between
//! tokens, own permissions (and the other statements) above the includes of
//! a block, include and `visible_to` lists wrapped at [`MAX_WIDTH`]
//! characters, at most one blank line in a row, a blank line around every
//! block. Comments stay with what they belong to: a comment on its own line
//! goes with what follows it (so an `aclc-ignore` above a statement stays
//! above it, and a `##` doc comment stays directly above its declaration), a
//! comment at the end of a line stays at the end of that line.
//!
//! The layout never changes meaning: DESIGN §1 evaluates a block's own
//! permissions before its includes whatever their textual position, and the
//! includes keep their order. A block whose include above a permission
//! carries an `aclc-ignore include-before-permission` keeps its order: the
//! operator chose it, and moving the include would turn the suppression
//! into an `unused-ignore`.
//!
//! No I/O: [`format`] takes a text and returns a text.

mod layout;

use crate::source::FileId;
use crate::syntax::{self, ast::SyntaxError};

/// Lines are wrapped at this many characters where the syntax allows it
/// (include and `visible_to` lists, catalog objects).
pub const MAX_WIDTH: usize = 100;

/// Why a file is not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unformattable {
    /// The syntax errors of the file (never empty).
    pub errors: Vec<SyntaxError>,
}

/// The canonical layout of `text`, or its syntax errors: a file that does
/// not parse is left as it is, since the formatter could lose what it does
/// not understand.
pub fn format(text: &str) -> Result<String, Unformattable> {
    let parsed = syntax::parse_file(FileId(0), text);
    if !parsed.errors.is_empty() {
        return Err(Unformattable {
            errors: parsed.errors,
        });
    }
    Ok(layout::file(text, &parsed))
}

/// Where a top-level item is written.
fn item_span(item: &syntax::ast::Item) -> crate::source::Span {
    use syntax::ast::Item;
    match item {
        Item::Acl(d) => d.span,
        Item::Reseller(n) => n.span,
        Item::Object(o) => o.span,
        Item::Default(d) => d.span,
        Item::Environment(e) => e.span,
        Item::Guard(g) => g.span,
        Item::Test(t) => t.span,
    }
}

/// The lines (first, last) of each item; `None` when two items share a line.
fn item_lines(text: &str, items: &[syntax::ast::Item]) -> Option<Vec<(usize, usize)>> {
    let lines = crate::source::LineIndex::new(text);
    let mut out: Vec<(usize, usize)> = Vec::new();
    for item in items {
        let s = item_span(item);
        let (first, last) = (lines.line_of(s.start), lines.line_of(s.end));
        if out.last().is_some_and(|&(_, prev)| prev >= first) {
            return None;
        }
        out.push((first, last));
    }
    Some(out)
}

/// The byte range of whole lines `first..=last` of a text.
fn line_range(text: &str, first: usize, last: usize) -> (usize, usize) {
    let lines = crate::source::LineIndex::new(text);
    let start = lines.line_start(first) as usize;
    let end = if last + 1 < lines.line_count() {
        lines.line_start(last + 1) as usize
    } else {
        text.len()
    };
    (start, end)
}

/// [`format`] limited to the top-level declarations touching the bytes
/// `start..end` of `text`: the byte range of `text` to replace (whole
/// lines) and its canonical layout, `None` when nothing changes there.
/// When declarations share lines the whole text is the range.
pub fn format_range(
    text: &str,
    start: usize,
    end: usize,
) -> Result<Option<(usize, usize, String)>, Unformattable> {
    let formatted = format(text)?;
    let before = syntax::parse_file(FileId(0), text).items;
    let after = syntax::parse_file(FileId(0), &formatted).items;
    let whole = || (text != formatted).then(|| (0, text.len(), formatted.clone()));
    let (Some(old), Some(new)) = (item_lines(text, &before), item_lines(&formatted, &after)) else {
        return Ok(whole());
    };
    if old.len() != new.len() {
        return Ok(whole());
    }
    let lines = crate::source::LineIndex::new(text);
    let (first_line, last_line) = (
        lines.line_of(start.min(text.len()) as u32),
        lines.line_of(end.min(text.len()) as u32),
    );
    let touched: Vec<usize> = (0..old.len())
        .filter(|&i| old[i].0 <= last_line && old[i].1 >= first_line)
        .collect();
    let (Some(&i), Some(&j)) = (touched.first(), touched.last()) else {
        return Ok(None);
    };
    let (from, to) = line_range(text, old[i].0, old[j].1);
    let (nfrom, nto) = line_range(&formatted, new[i].0, new[j].1);
    let mut replacement = formatted[nfrom..nto].to_string();
    // The last declaration of a text without a final line break.
    if to == text.len() && !text.ends_with('\n') {
        if let Some(stripped) = replacement.strip_suffix('\n') {
            replacement = stripped.to_string();
        }
    }
    if text[from..to] == replacement {
        return Ok(None);
    }
    Ok(Some((from, to, replacement)))
}
