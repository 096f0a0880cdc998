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

use rayon::prelude::*;

use crate::model::Model;
use crate::source::{FileId, SourceMap};
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
    let parsed = (0..sources.len())
        .into_par_iter()
        .map(|i| {
            let id = FileId(i as u32);
            parse_items_sharing(id, &sources.file(id).text, names)
        })
        .collect();
    Ok(Model::build_without_syntax(sources, parsed))
}
