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
