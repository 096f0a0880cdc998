//! Parsing both sides of a diff.
//!
//! Each side's files are parsed whole, in parallel, as `aclc check` parses
//! them, with one copy of each pattern name for both sides ([`Names`]): the
//! cells look a rule's patterns up by the address of their names, so a
//! name shared by every file of both sides is one entry there, not forty.
//! (Parsing text the two sides share once, window by window, and copying
//! the trees with their offsets moved was tried and is slower since the
//! parser reads the common items directly; see the performance page.)

use crate::analysis::parse_all_sharing;
use crate::source::SourceMap;
use crate::syntax::ast::ParsedFile;
use crate::syntax::Names;

/// Parse every file of both sides (one [`ParsedFile`] per source, in
/// source order, as [`crate::analysis::parse_all`] gives them).
pub fn parse_pair(old: &SourceMap, new: &SourceMap) -> (Vec<ParsedFile>, Vec<ParsedFile>) {
    let names = Names::default();
    rayon::join(
        || parse_all_sharing(old, &names),
        || parse_all_sharing(new, &names),
    )
}
