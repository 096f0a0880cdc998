//! The region algebra: sets of requests (access type, object, attribute) as
//! exact, compact sets of *cells*.
//!
//! Object patterns in use form a containment tree ([`PatternTree`]); so do,
//! for each object class, the attribute patterns of the rules whose object
//! pattern contains that class. A cell is (object class, attribute class in
//! that object's tree, access type): every request falls into exactly one
//! cell, and all requests of a cell are matched by exactly the same rules,
//! so every question about decisions is a question about cells. A region is
//! a bitmap over cells ([`Region`]); a rule's region is a union of preorder
//! ranges, one per object class under its object pattern.

mod render;
mod tree;

pub use render::describe;
pub use tree::{NodeId, PatternTree};

use std::collections::{HashMap, HashSet};

use roaring::RoaringBitmap;

use crate::model::Model;
use crate::syntax::ast::{Access, AccessSet, Pattern};

/// A set of cells.
pub type Region = RoaringBitmap;

/// The cells of a policy set.
#[derive(Debug)]
pub struct Universe {
    /// The object classes.
    pub objects: PatternTree,
    /// For each object class, its attribute classes.
    attributes: Vec<PatternTree>,
    /// First cell of each object class (per access type).
    base: Vec<u32>,
    /// Cells per access type.
    cells: u32,
    /// All cells of each access type.
    per_access: [Region; 4],
}

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

/// Insert a range value by value: `RoaringBitmap::insert_range` makes run
/// containers, whose unions and differences cost a memmove per run and
/// dominated the analysis of large policy sets (profiled: 80% of the time).
fn insert_range(r: &mut Region, range: std::ops::Range<u32>) {
    for v in range {
        r.insert(v);
    }
}

impl Universe {
    /// The cells of a model's rules, guards and tests.
    pub fn of_model(model: &Model) -> Universe {
        Universe::new(targets(model))
    }

    /// The cells of a set of `Object.attribute` pattern pairs.
    pub fn new<'p>(pairs: impl IntoIterator<Item = (&'p Pattern, &'p Pattern)>) -> Universe {
        // Distinct pairs by reference first: a large policy set repeats
        // the same few thousand pairs many times over.
        let mut by_object: HashMap<&Pattern, HashSet<&Pattern>> = HashMap::new();
        for (o, a) in pairs {
            by_object.entry(o).or_default().insert(a);
        }
        let by_object: HashMap<Pattern, Vec<Pattern>> = by_object
            .into_iter()
            .map(|(o, attrs)| (o.clone(), attrs.into_iter().cloned().collect()))
            .collect();
        let objects = PatternTree::new(by_object.keys().cloned());
        // Attribute patterns of each object node and its ancestors, built
        // top-down (preorder visits a parent before its children).
        let mut inherited: Vec<Vec<Pattern>> = Vec::with_capacity(objects.len());
        let mut attributes = Vec::with_capacity(objects.len());
        for node in 0..objects.len() as NodeId {
            let mut pats = objects
                .parent(node)
                .map(|p| inherited[p as usize].clone())
                .unwrap_or_default();
            if let Some(own) = by_object.get(objects.pattern(node)) {
                pats.extend(own.iter().cloned());
                tree::sort_dedup(&mut pats);
            }
            attributes.push(PatternTree::new(pats.iter().cloned()));
            inherited.push(pats);
        }
        let mut base = Vec::with_capacity(objects.len());
        let mut cells: u64 = 0;
        for t in &attributes {
            base.push(cells as u32);
            cells += t.len() as u64;
        }
        // Four access types must fit the bitmap's u32 index; a policy set
        // this large (a billion classes) is far beyond any real one.
        let cells = u32::try_from(cells.min(u64::from(u32::MAX / 4))).unwrap_or(u32::MAX / 4);
        let per_access = Access::ALL.map(|a| {
            let mut r = Region::new();
            let start = a as u32 * cells;
            insert_range(&mut r, start..start + cells);
            r
        });
        Universe {
            objects,
            attributes,
            base,
            cells,
            per_access,
        }
    }

    /// Cells per access type.
    pub fn cells(&self) -> u32 {
        self.cells
    }

    /// The attribute tree of an object class.
    pub fn attributes(&self, object: NodeId) -> &PatternTree {
        &self.attributes[object as usize]
    }

    fn index(&self, access: Access, object: NodeId, attribute: NodeId) -> u32 {
        (access as u32) * self.cells + self.base[object as usize] + attribute
    }

    /// Decode a cell index.
    pub fn cell(&self, index: u32) -> Cell {
        let access = Access::ALL[((index / self.cells) as usize).min(3)];
        let rest = index % self.cells;
        let object = self.base.partition_point(|&b| b <= rest).saturating_sub(1);
        Cell {
            access,
            object: object as NodeId,
            attribute: rest - self.base[object],
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
        let mut ranges = Vec::new();
        self.ranges(object, attribute, &mut ranges);
        let mut r = Region::new();
        for a in access.iter() {
            for range in &ranges {
                let offset = a as u32 * self.cells;
                insert_range(&mut r, range.start + offset..range.end + offset);
            }
        }
        r
    }

    /// The cells of `Object.attribute` for the first access type (`read`),
    /// as index ranges into `out` (cleared first); another access type's
    /// cells are these plus `access as u32 * cells()`. Exact for patterns
    /// in use, like [`Universe::region`].
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
        for o in v..self.objects.end(v) {
            let attrs = self.attributes(o);
            if let Some(w) = attrs.find(attribute) {
                let start = self.base[o as usize] + w;
                out.push(start..start + (attrs.end(w) - w));
            }
        }
    }

    /// Whether every cell of `access` × object class `v`'s subtree ×
    /// `attribute` is in `region`, checked range by range (no region is
    /// built; the first missing range ends it).
    pub fn box_within(
        &self,
        access: Access,
        v: NodeId,
        attribute: &Pattern,
        region: &Region,
    ) -> bool {
        (v..self.objects.end(v)).all(|o| {
            let attrs = self.attributes(o);
            attrs.find(attribute).is_none_or(|w| {
                let start = self.index(access, o, w);
                region.contains_range(start..start + (attrs.end(w) - w))
            })
        })
    }

    /// The cell indices of one access type.
    pub fn access_range(&self, access: Access) -> std::ops::Range<u32> {
        let start = access as u32 * self.cells;
        start..start + self.cells
    }

    /// All cells of one access type.
    pub fn all(&self, access: Access) -> &Region {
        &self.per_access[access as usize]
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
            for c in 0..u.cells() {
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
