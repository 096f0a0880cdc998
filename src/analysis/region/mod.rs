//! The region algebra: sets of requests (access type, object, attribute) as
//! exact, compact sets of *cells*.
//!
//! Object patterns in use form a containment tree ([`PatternTree`]); so do,
//! for each object class, the attribute patterns of the rules whose object
//! pattern contains that class. A cell is (object class, attribute class in
//! that object's tree, access type): every request falls into exactly one
//! cell, and all requests of a cell are matched by exactly the same rules,
//! so every question about decisions is a question about cells. A region is
//! a bitset over cells ([`Region`]); a rule's region is a *box*: a union of
//! slot ranges, one per object class under its object pattern, with a mask
//! of access types, added and tested word by word (a `*.*` rule is a few
//! word operations per 16 slots, never a loop over its cells).
//!
//! Cells are numbered object class first, then attribute class, then access
//! type (the four access types of one (object, attribute) class are four
//! consecutive cells), so what a component decides about a few objects is
//! a few adjacent runs of cells: compact as a [`CellSet`].

mod cellset;
mod chunked;
mod render;
mod tree;

pub use cellset::{CellSet, Packed};
pub use chunked::{keep_in_chunks_from, Chunked, Chunks};
pub use render::{describe, grouped, lines, parts, region_text, Part, Parts};
pub use tree::{NodeId, PatternTree};

use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::Model;
use crate::syntax::ast::{Access, AccessSet, Pattern};

/// A set of cells.
pub type Region = CellSet;

/// The cells of a policy set.
#[derive(Clone, Debug)]
pub struct Universe {
    /// The object classes.
    pub objects: PatternTree,
    /// For each object class, its attribute classes.
    attributes: Vec<PatternTree>,
    /// First slot (object, attribute class pair) of each object class.
    base: Vec<u32>,
    /// Slots in all; a cell is a slot and an access type.
    slots: u32,
    /// The slot ranges of every `Object.attribute` pattern pair in use:
    /// object pattern → attribute pattern → a range of `pair_slots`.
    pairs: FxHashMap<Pattern, FxHashMap<Pattern, Range<u32>>>,
    pair_slots: Vec<Range<u32>>,
    /// Each attribute pattern in use, numbered.
    attribute_ids: FxHashMap<Pattern, u32>,
    /// For each attribute pattern (by number), the object classes whose
    /// attribute tree has it, in order, each with the slots of the
    /// pattern's subtree there: a box's slots are found without searching
    /// every object class's tree, in one pass over one list.
    occurs: Vec<Vec<Occurrence>>,
    /// For each attribute pattern, the slots of its first `k` occurrences
    /// in `occurs` (`k + 1` entries): a box's size without visiting it.
    occurs_slots: Vec<Vec<u32>>,
    /// The slot ranges of the pattern pairs the universe was made of, by
    /// the patterns' identities ([`Pattern::identity`]): most lookups are
    /// of a rule of the same model, found without hashing a name.
    by_identity: FxHashMap<(usize, usize), Range<u32>>,
    /// The patterns whose identities `by_identity` holds, kept alive.
    identities: Vec<(Pattern, Pattern)>,
}

/// An attribute pattern in an object class's attribute tree: the object
/// class and the slots `[start, end)` of the pattern and its descendants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Occurrence {
    object: NodeId,
    start: u32,
    end: u32,
}

/// Two universes are equal when they have the same cells for the same
/// patterns (the identity cache is not compared).
impl PartialEq for Universe {
    fn eq(&self, other: &Universe) -> bool {
        self.objects == other.objects
            && self.attributes == other.attributes
            && self.base == other.base
            && self.slots == other.slots
            && self.pairs == other.pairs
            && self.pair_slots == other.pair_slots
            && self.attribute_ids == other.attribute_ids
            && self.occurs == other.occurs
            && self.occurs_slots == other.occurs_slots
    }
}

impl Eq for Universe {}

/// One cell, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    /// Access type.
    pub access: Access,
    /// Object class.
    pub object: NodeId,
    /// Attribute class, in the object class's attribute tree.
    pub attribute: NodeId,
}

/// Every `Object.attribute` pattern pair a policy set uses: rules, guards
/// and test expectations.
fn targets(model: &Model) -> impl Iterator<Item = (&Pattern, &Pattern)> {
    let rules = model
        .acls
        .iter()
        .flat_map(|a| a.rules.iter().map(|r| (&r.object, &r.attribute)));
    let guards = model.guards.iter().flat_map(|g| {
        g.decl
            .rules
            .iter()
            .map(|p| (&p.target.object.node, &p.target.attribute.node))
    });
    let tests = model.tests.iter().flat_map(|t| {
        t.expectations
            .iter()
            .map(|e| (&e.rule.target.object.node, &e.rule.target.attribute.node))
    });
    rules.chain(guards).chain(tests)
}

impl Universe {
    /// The cells of a model's rules, guards and tests.
    pub fn of_model(model: &Model) -> Universe {
        Universe::new(targets(model))
    }

    /// The cells of a set of `Object.attribute` pattern pairs.
    pub fn new<'p>(pairs: impl IntoIterator<Item = (&'p Pattern, &'p Pattern)>) -> Universe {
        // Distinct pairs by identity first, then by value: a large policy
        // set repeats the same few thousand pairs many times over.
        let mut by_identity: FxHashMap<(usize, usize), (&Pattern, &Pattern)> = FxHashMap::default();
        for (o, a) in pairs {
            by_identity
                .entry((o.identity(), a.identity()))
                .or_insert((o, a));
        }
        let distinct: FxHashSet<(&Pattern, &Pattern)> = by_identity.values().copied().collect();
        let mut by_object: FxHashMap<Pattern, Vec<Pattern>> = FxHashMap::default();
        for &(o, a) in &distinct {
            match by_object.get_mut(o) {
                Some(attrs) => attrs.push(a.clone()),
                None => {
                    by_object.insert(o.clone(), vec![a.clone()]);
                }
            }
        }
        let objects = PatternTree::new(by_object.keys().cloned());
        // The attribute tree of each object class: of the attribute
        // patterns of it and its ancestors (a catalog of thousands of
        // objects: built in parallel).
        let attributes: Vec<PatternTree> = (0..objects.len() as NodeId)
            .into_par_iter()
            .map(|node| {
                let own = objects
                    .ancestors(node)
                    .filter_map(|a| by_object.get(objects.pattern(a)));
                PatternTree::new(own.flatten().cloned())
            })
            .collect();
        let mut base = Vec::with_capacity(objects.len());
        let mut slots: u64 = 0;
        for t in &attributes {
            base.push(slots as u32);
            slots += t.len() as u64;
        }
        // Four cells a slot must fit the bitmap's u32 index; a policy set
        // this large (a billion classes) is far beyond any real one.
        let slots = u32::try_from(slots.min(u64::from(u32::MAX / 4))).unwrap_or(u32::MAX / 4);
        let mut attribute_ids: FxHashMap<Pattern, u32> = FxHashMap::default();
        let mut occurs: Vec<Vec<Occurrence>> = Vec::new();
        for (o, tree) in attributes.iter().enumerate() {
            for w in 0..tree.len() as NodeId {
                let next = attribute_ids.len() as u32;
                let id = *attribute_ids.entry(tree.pattern(w).clone()).or_insert(next);
                if id as usize == occurs.len() {
                    occurs.push(Vec::new());
                }
                let start = base[o] + w;
                occurs[id as usize].push(Occurrence {
                    object: o as NodeId,
                    start,
                    end: start + (tree.end(w) - w),
                });
            }
        }
        let occurs_slots = occurs
            .iter()
            .map(|list| {
                let mut total = 0u32;
                std::iter::once(0)
                    .chain(list.iter().map(|o| {
                        total = total.saturating_add(o.end - o.start);
                        total
                    }))
                    .collect()
            })
            .collect();
        let mut u = Universe {
            objects,
            attributes,
            base,
            slots,
            pairs: FxHashMap::default(),
            pair_slots: Vec::new(),
            attribute_ids,
            occurs,
            occurs_slots,
            by_identity: FxHashMap::default(),
            identities: Vec::new(),
        };
        // Sorted, so the table is the same for the same pairs.
        let mut distinct: Vec<(&Pattern, &Pattern)> = distinct.into_iter().collect();
        distinct.sort_unstable();
        let found: Vec<Vec<Range<u32>>> = distinct
            .par_iter()
            .map(|&(o, a)| {
                let mut ranges = Vec::new();
                u.ranges(o, a, &mut ranges);
                ranges
            })
            .collect();
        for ((o, a), mut ranges) in distinct.into_iter().zip(found) {
            let at = u.pair_slots.len() as u32;
            u.pair_slots.append(&mut ranges);
            let end = u.pair_slots.len() as u32;
            u.pairs
                .entry(o.clone())
                .or_default()
                .insert(a.clone(), at..end);
        }
        for (key, (o, a)) in by_identity {
            if let Some(range) = u.pairs.get(o).and_then(|m| m.get(a)) {
                u.by_identity.insert(key, range.clone());
                u.identities.push((o.clone(), a.clone()));
            }
        }
        u
    }

    /// The slot ranges of `Object.attribute` (see [`Universe::ranges`]),
    /// looked up for a pair in use, else computed into `scratch`.
    pub fn slots_of<'s>(
        &'s self,
        object: &Pattern,
        attribute: &Pattern,
        scratch: &'s mut Vec<Range<u32>>,
    ) -> &'s [Range<u32>] {
        let known = match self
            .by_identity
            .get(&(object.identity(), attribute.identity()))
        {
            Some(r) => Some(r),
            None => self.pairs.get(object).and_then(|m| m.get(attribute)),
        };
        match known {
            Some(r) => &self.pair_slots[r.start as usize..r.end as usize],
            None => {
                self.ranges(object, attribute, scratch);
                scratch
            }
        }
    }

    /// Number of slots: (object class, attribute class) pairs. Slot `s`
    /// holds cells `4 * s` (`read`) to `4 * s + 3` (`delete`).
    pub fn slots(&self) -> u32 {
        self.slots
    }

    /// The cell of an access type in a slot.
    pub fn cell_in(slot: u32, access: Access) -> u32 {
        slot * 4 + access as u32
    }

    /// The attribute tree of an object class.
    pub fn attributes(&self, object: NodeId) -> &PatternTree {
        &self.attributes[object as usize]
    }

    fn index(&self, access: Access, object: NodeId, attribute: NodeId) -> u32 {
        Universe::cell_in(self.base[object as usize] + attribute, access)
    }

    /// Decode a cell index.
    pub fn cell(&self, index: u32) -> Cell {
        let access = Access::ALL[(index % 4) as usize];
        let slot = index / 4;
        let object = self.base.partition_point(|&b| b <= slot).saturating_sub(1);
        Cell {
            access,
            object: object as NodeId,
            attribute: slot - self.base[object],
        }
    }

    /// A request in a cell: (access, object name, attribute name).
    pub fn representative(&self, cell: Cell) -> (Access, String, String) {
        (
            cell.access,
            self.objects.representative(cell.object),
            self.attributes(cell.object).representative(cell.attribute),
        )
    }

    /// The region of `access Object.attribute` for patterns in use. A
    /// pattern pair not in use yields the region of the classes it matches,
    /// which is exact only for pairs in use (all that the analysis asks).
    pub fn region(&self, access: AccessSet, object: &Pattern, attribute: &Pattern) -> Region {
        let mut scratch = Vec::new();
        CellSet::of_slots(self.slots_of(object, attribute, &mut scratch), access)
    }

    /// The slots of `Object.attribute`, as index ranges into `out` (cleared
    /// first). Exact for patterns in use, like [`Universe::region`].
    pub fn ranges(
        &self,
        object: &Pattern,
        attribute: &Pattern,
        out: &mut Vec<std::ops::Range<u32>>,
    ) {
        out.clear();
        let Some(v) = self.objects.find(object) else {
            return;
        };
        out.extend(self.box_slots(v, attribute));
    }

    /// The slot ranges of object class `v`'s subtree × `attribute`, one per
    /// object class whose attribute tree has the pattern.
    fn box_slots<'s>(
        &'s self,
        v: NodeId,
        attribute: &Pattern,
    ) -> impl Iterator<Item = Range<u32>> + 's {
        let list: &[Occurrence] = self
            .attribute_ids
            .get(attribute)
            .map_or(&[], |&id| &self.occurs[id as usize][self.under(id, v)]);
        list.iter().map(|o| o.start..o.end)
    }

    /// The occurrences of attribute pattern `id` in object class `v`'s
    /// subtree: a range of its list in `occurs`.
    fn under(&self, id: u32, v: NodeId) -> Range<usize> {
        let list = &self.occurs[id as usize];
        let end = self.objects.end(v);
        list.partition_point(|o| o.object < v)..list.partition_point(|o| o.object < end)
    }

    /// The number of slots of object class `v`'s subtree × `attribute`
    /// (the cells of one access type in that box), without visiting them.
    pub fn box_len(&self, v: NodeId, attribute: &Pattern) -> u64 {
        let Some(&id) = self.attribute_ids.get(attribute) else {
            return 0;
        };
        let under = self.under(id, v);
        let counts = &self.occurs_slots[id as usize];
        u64::from(counts[under.end] - counts[under.start])
    }

    /// Whether every cell of `access` × object class `v`'s subtree ×
    /// `attribute` is in `region` (the first missing cell ends it).
    pub fn box_within(
        &self,
        access: Access,
        v: NodeId,
        attribute: &Pattern,
        region: &Region,
    ) -> bool {
        let access = AccessSet(access.bit());
        self.box_slots(v, attribute)
            .all(|r| region.contains_slots(&[r], access))
    }

    /// The cell of one request.
    pub fn cell_of(&self, access: Access, object: &str, attribute: &str) -> u32 {
        let o = self.objects.class_of(object);
        let a = self.attributes(o).class_of(attribute);
        self.index(access, o, a)
    }
}

#[cfg(test)]
mod tests {
    use super::tree::p;
    use super::*;

    #[test]
    fn a_rule_region_is_exactly_the_cells_it_matches() {
        let pairs = [
            ("*", "x"),
            ("Web*", "*"),
            ("WebForms", "ASR"),
            ("Tariffs", "l*"),
        ];
        let pats = pairs.map(|(o, a)| (p(o), p(a)));
        let u = Universe::new(pats.iter().map(|(o, a)| (o, a)));
        let read = AccessSet(Access::Read.bit());
        for (o, a) in pairs {
            let r = u.region(read, &p(o), &p(a));
            for c in (0..u.slots()).map(|s| Universe::cell_in(s, Access::Read)) {
                let cell = u.cell(c);
                let (_, on, an) = u.representative(cell);
                assert_eq!(
                    r.contains(c),
                    p(o).matches(&on) && p(a).matches(&an),
                    "{o}.{a} vs cell {on}.{an}"
                );
                assert_eq!(u.cell_of(Access::Read, &on, &an), c);
            }
        }
    }
}
