//! Findings an analysis takes over from the analysis of an earlier version
//! of the same policy set, where they cannot have changed.
//!
//! Two kinds of per-block findings are kept, by the name of the block they
//! are about:
//!
//! - The findings of `contradiction` and `dead-include` about a block
//!   depend only on the block and the blocks it reaches through its
//!   includes (their rules, include lists and positions, through the
//!   composed summaries, the include paths and the rules named as
//!   deciding), and on the cells. So when the cells are the same and every
//!   block of a block's closure is written at the same place with the same
//!   text, its includes resolving as they did, its findings are the
//!   earlier ones.
//! - The findings of `guard-violated` about a block depend on the same,
//!   and on the guards: they are kept with the block's `contradiction`
//!   and `dead-include` findings while every guard is also written as it
//!   was (same lines, same place or moved by an edit before it).
//! - The findings of `unknown-object` and `unknown-attribute` about a
//!   block's permissions depend only on the block's text and place and on
//!   the catalog's objects and their attributes: when the block is written
//!   as it was and the catalog is the same, they are the earlier ones.
//! - The findings of `shadowed-rule` and `redundant-rule` about a block
//!   depend only on its own permissions (their text and place) and on the
//!   cells (a shadowed rule names the earlier rule deciding its first
//!   differing cell): when the block is written as it was, over the same
//!   cells, they are the earlier ones.
//!
//! Kept findings are taken over, and those lints run only over the other
//! blocks. "Written as it was" compares the whole lines the block covers
//! (a fix may edit a statement's whole line), at the same place or moved
//! by an edit before it in its file: each file's edit is told by the text
//! the old and new versions share at their start and end, and a kept
//! finding's spans (its primary span, related spans and fixes' edits) are
//! moved with the text they point into (findings name no position in
//! their messages). `tests/workspace_prop.rs` checks the result against
//! fresh analyses.

use rustc_hash::FxHashMap;

use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::source::Span;

/// Findings of the block-local lints, by block name, as the lints wrote
/// them (before suppressions and configured severities).
#[derive(Debug, Default)]
pub struct LintCache {
    /// Whether it holds the findings (an analysis that keeps none has an
    /// empty, unusable cache).
    holds: bool,
    /// Whether the findings carry their whole regions.
    full_regions: bool,
    /// The findings of the lints of [`CLOSURE_CODES`], [`BLOCK_CODES`] and
    /// [`OWN_CODES`], by the name of the block they are about.
    by_block: FxHashMap<String, Vec<Diagnostic>>,
}

/// The lints whose findings about a block are kept while the block's
/// closure is written as it was (over the same cells).
pub(crate) const CLOSURE_CODES: [&str; 2] = ["contradiction", "dead-include"];

/// The lints whose findings about a block are kept while the block is
/// written as it was (with the same catalog).
pub(crate) const BLOCK_CODES: [&str; 2] = ["unknown-object", "unknown-attribute"];

/// The lints whose findings about a block are kept while the block is
/// written as it was, over the same cells.
pub(crate) const OWN_CODES: [&str; 2] = ["shadowed-rule", "redundant-rule"];

/// The lint whose findings about a block are kept, with those of
/// [`CLOSURE_CODES`], while every guard is also written as it was.
pub(crate) const GUARD_CODE: &str = "guard-violated";

/// Whether the findings of the lint `code` are kept by block.
fn kept_code(code: &str) -> bool {
    CLOSURE_CODES.contains(&code)
        || code == GUARD_CODE
        || BLOCK_CODES.contains(&code)
        || OWN_CODES.contains(&code)
}

/// What a re-analysis takes over: per block (indexed by
/// [`crate::model::AclId`]) whether the lints of [`CLOSURE_CODES`], of
/// [`BLOCK_CODES`] and of [`OWN_CODES`] skip it, and the kept findings.
#[derive(Debug)]
pub(crate) struct Kept {
    /// The block's closure is as it was, over the same cells.
    pub closure: Vec<bool>,
    /// Every guard is written as it was: the `guard-violated` findings of
    /// the blocks whose closure is as it was are kept with the others.
    pub guards: bool,
    /// The block is as it was, with the same catalog.
    pub block: Vec<bool>,
    /// The block is as it was, over the same cells.
    pub own: Vec<bool>,
    /// The kept findings.
    pub found: Vec<Diagnostic>,
}

impl LintCache {
    /// A cache of the findings among `found` of the lints it keeps.
    pub(crate) fn of(found: &[Diagnostic], full_regions: bool) -> LintCache {
        let mut by_block: FxHashMap<String, Vec<Diagnostic>> = FxHashMap::default();
        for d in found.iter().filter(|d| kept_code(d.code)) {
            if let Some(name) = d.access_levels.first() {
                match by_block.get_mut(name.as_str()) {
                    Some(kept) => kept.push(d.clone()),
                    None => {
                        by_block.insert(name.clone(), vec![d.clone()]);
                    }
                }
            }
        }
        LintCache {
            holds: true,
            full_regions,
            by_block,
        }
    }

    /// For a new model: which blocks keep their earlier findings, and
    /// those findings (`same_cells`: the new analysis has the cells of the
    /// earlier one). `None` when nothing can be kept.
    pub(crate) fn reusable(
        &self,
        model: &Model,
        previous: &Model,
        full_regions: bool,
        same_cells: bool,
    ) -> Option<Kept> {
        if !self.holds || full_regions != self.full_regions {
            return None;
        }
        let moved = Moves::of(model, previous);
        let same = same_blocks(model, previous, &moved);
        let mut closure = if same_cells {
            stable_closures(model, &same)
        } else {
            vec![false; same.len()]
        };
        let catalog = same_catalog(model, previous);
        let guards = same_guards(model, previous, &moved);
        let closure_codes: &[&str] = if guards {
            &[CLOSURE_CODES[0], CLOSURE_CODES[1], GUARD_CODE]
        } else {
            &CLOSURE_CODES
        };
        let mut block: Vec<bool> = same.iter().map(|&s| s && catalog).collect();
        let mut own: Vec<bool> = same.iter().map(|&s| s && same_cells).collect();
        let mut found = Vec::new();
        for acl in &model.acls {
            let i = acl.id.0 as usize;
            if !closure[i] && !block[i] && !own[i] {
                continue;
            }
            let Some(earlier) = self.by_block.get(&acl.name) else {
                continue;
            };
            for (kept, codes) in [
                (&mut closure[i], closure_codes),
                (&mut block[i], &BLOCK_CODES[..]),
                (&mut own[i], &OWN_CODES[..]),
            ] {
                if !*kept {
                    continue;
                }
                let taken: Option<Vec<Diagnostic>> = earlier
                    .iter()
                    .filter(|d| codes.contains(&d.code))
                    .map(|d| moved.finding(d))
                    .collect();
                // A finding pointing into edited text is found again
                // (with the block's others of its lint).
                match taken {
                    Some(taken) => found.extend(taken),
                    None => *kept = false,
                }
            }
        }
        Some(Kept {
            closure,
            guards,
            block,
            own,
            found,
        })
    }
}

/// Whether every guard of `model` is written as in `previous` (the same
/// lines, at the same place or moved by an edit before it), in the same
/// order. What a guard finds about a block depends only on the guard, the
/// block's closure and the cells.
fn same_guards(model: &Model, previous: &Model, moved: &Moves) -> bool {
    model.guards.len() == previous.guards.len()
        && model.guards.iter().zip(&previous.guards).all(|(g, was)| {
            let (span, old) = (g.decl.span, was.decl.span);
            g.origin == was.origin
                && moved.span(old) == Some(span)
                && lines_of(model, span).is_some()
                && lines_of(model, span) == lines_of(previous, old)
        })
}

/// Whether two models' catalogs have the same objects with the same
/// attributes (what the catalog lints look at).
fn same_catalog(model: &Model, previous: &Model) -> bool {
    if std::sync::Arc::ptr_eq(&model.catalog, &previous.catalog) {
        return true; // shared by a re-analysis
    }
    let (a, b) = (&model.catalog.objects, &previous.catalog.objects);
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((n, o), (m, p))| n == m && o.attributes == p.attributes)
}

/// The edits between two versions of a policy set's files, as moves of the
/// text they left alone: per file (by id), the length of the text both
/// versions start with, where the text both end with starts in the old
/// version, and how far it moved; `None` for a file whose text is the
/// same, [`FileEdit::Replaced`] for one not in both under the same path.
struct Moves(Vec<Option<FileEdit>>);

#[derive(Clone, Copy)]
enum FileEdit {
    /// The file is not in both versions: nothing in it is kept.
    Replaced,
    /// Old offsets up to `prefix` stay, from `suffix` on they move by
    /// `delta`; those between point into edited text.
    Text {
        prefix: u32,
        suffix: u32,
        delta: i64,
    },
}

impl Moves {
    fn of(model: &Model, previous: &Model) -> Moves {
        let (now, then) = (&model.sources, &previous.sources);
        let edits = (0..then.len().max(now.len()))
            .map(|i| {
                let id = crate::source::FileId(i as u32);
                if i >= now.len() || i >= then.len() {
                    return Some(FileEdit::Replaced);
                }
                let (new, old) = (now.file(id), then.file(id));
                if new.path != old.path {
                    return Some(FileEdit::Replaced);
                }
                if std::sync::Arc::ptr_eq(&new.text, &old.text) || new.text == old.text {
                    return None;
                }
                let (a, b) = (old.text.as_bytes(), new.text.as_bytes());
                let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
                let room = a.len().min(b.len()) - prefix;
                let common_end = a
                    .iter()
                    .rev()
                    .zip(b.iter().rev())
                    .take(room)
                    .take_while(|(x, y)| x == y)
                    .count();
                Some(FileEdit::Text {
                    prefix: prefix as u32,
                    suffix: (a.len() - common_end) as u32,
                    delta: b.len() as i64 - a.len() as i64,
                })
            })
            .collect();
        Moves(edits)
    }

    /// Where the old text at `span` is in the new version, if it was left
    /// alone.
    fn span(&self, span: Span) -> Option<Span> {
        match self.0.get(span.file.0 as usize).copied().flatten() {
            None => Some(span),
            Some(FileEdit::Replaced) => None,
            Some(FileEdit::Text {
                prefix,
                suffix,
                delta,
            }) => {
                if span.end <= prefix {
                    Some(span)
                } else if span.start >= suffix {
                    let at = |o: u32| u32::try_from(i64::from(o) + delta).ok();
                    Some(Span {
                        file: span.file,
                        start: at(span.start)?,
                        end: at(span.end)?,
                    })
                } else {
                    None
                }
            }
        }
    }

    /// An earlier finding with its spans moved with the text, if none
    /// points into edited text. What the finding says is shared with the
    /// earlier one unless its related or fixes' spans move.
    fn finding(&self, d: &Diagnostic) -> Option<Diagnostic> {
        let mut d = d.clone();
        d.span = self.span(d.span)?;
        let edits = d.fixes.iter().flat_map(|f| f.edits.iter().map(|e| e.span));
        let mut stays = true;
        for span in d.related.iter().map(|r| r.span).chain(edits) {
            stays &= self.span(span)? == span;
        }
        if !stays {
            let details = d.details_mut();
            for r in &mut details.related {
                r.span = self.span(r.span)?;
            }
            for e in details.fixes.iter_mut().flat_map(|f| f.edits.iter_mut()) {
                e.span = self.span(e.span)?;
            }
        }
        Some(d)
    }
}

/// Per block of `model`: whether it is written in `previous` with the same
/// text (the whole lines it covers), at the same place or moved by an edit
/// before it ([`Moves`]), is the only block of its name in both, and
/// resolves its includes as it did.
fn same_blocks(model: &Model, previous: &Model, moved: &Moves) -> Vec<bool> {
    let (now, then) = (name_counts(model), name_counts(previous));
    model
        .acls
        .iter()
        .map(|acl| {
            let Some(was) = previous.lookup(&acl.name) else {
                return false;
            };
            let old = previous.acl(was);
            now.get(acl.name.as_str()) == Some(&1)
                && then.get(acl.name.as_str()) == Some(&1)
                && moved.span(old.span) == Some(acl.span)
                && old.includes.len() == acl.includes.len()
                && old
                    .includes
                    .iter()
                    .zip(&acl.includes)
                    .all(|(a, b)| a.target.is_some() == b.target.is_some())
                && lines_of(model, acl.span).is_some()
                && lines_of(model, acl.span) == lines_of(previous, old.span)
        })
        .collect()
}

/// Per block of `model`: whether it and every block it reaches are
/// written as they were (`same`, by [`same_blocks`]); a block in an
/// include cycle never is.
fn stable_closures(model: &Model, same: &[bool]) -> Vec<bool> {
    // Tarjan emits a component after every component it reaches.
    let mut stable = vec![false; same.len()];
    for scc in model.strongly_connected() {
        let [m] = scc[..] else { continue };
        let acl = model.acl(m);
        stable[m.0 as usize] = same[m.0 as usize]
            && acl
                .includes
                .iter()
                .filter_map(|i| i.target)
                .all(|t| t != m && stable[t.0 as usize]);
    }
    stable
}

/// The text of the whole lines a span covers in a model's sources (from
/// the start of its first line to the end of its last, line break
/// included), if it is there.
fn lines_of(model: &Model, span: crate::source::Span) -> Option<&str> {
    if span.file.0 as usize >= model.sources.len() {
        return None;
    }
    let file = model.sources.file(span.file);
    let text: &str = &file.text;
    let start = text
        .get(..span.start as usize)?
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = text
        .get(span.end as usize..)?
        .find('\n')
        .map_or(text.len(), |i| span.end as usize + i + 1);
    text.get(start..end)
}

/// How many blocks have each name.
fn name_counts(model: &Model) -> FxHashMap<&str, u32> {
    let mut count: FxHashMap<&str, u32> = FxHashMap::default();
    for acl in &model.acls {
        *count.entry(acl.name.as_str()).or_default() += 1;
    }
    count
}
