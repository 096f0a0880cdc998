//! Reading, parsing and modeling both sides of a diff.
//!
//! Each side is read, parsed and modeled in one task, both tasks in
//! parallel (and each side's files in parallel within its task), so one
//! side's modeling overlaps the other's parsing instead of waiting for it.
//! Both sides take their pattern names from one table ([`Names`]): the
//! cells look a rule's patterns up by the address of their names, so a
//! name shared by every file of both sides is one entry there, not forty.
//! (Parsing text the two sides share once, window by window, and copying
//! the trees with their offsets moved was tried and is slower since the
//! parser reads the common items directly; see the performance page.)

use crate::analysis::parse_each;
use crate::model::Model;
use crate::source::SourceMap;
use crate::syntax::{parse_items_sharing, Names};

/// The models of both sides, each built from the sources its reader
/// returns, without the statements as written
/// ([`Model::build_without_syntax`]) and without comments (the files are
/// read for their items alone: [`parse_items_sharing`]); a side whose
/// reader fails gives its error.
pub fn models<E: Send>(
    read_old: impl FnOnce() -> Result<SourceMap, E> + Send,
    read_new: impl FnOnce() -> Result<SourceMap, E> + Send,
) -> (Result<Model, E>, Result<Model, E>) {
    let names = Names::default();
    rayon::join(|| side(read_old, &names), || side(read_new, &names))
}

fn side<E>(read: impl FnOnce() -> Result<SourceMap, E>, names: &Names) -> Result<Model, E> {
    let sources = read()?;
    let parsed = parse_each(&sources, |id, text| parse_items_sharing(id, text, names));
    Ok(Model::build_without_syntax(sources, parsed))
}
