//! Regions written as permissions: `read, update Tariffs.*`,
//! `read Tariffs.* except Tariffs.list`. The text is exact: the union of the
//! lines is the region. Its cost is bounded by what it prints: at most
//! `limit` parts are worked out, the rest is counted word by word.
//!
//! One walk ([`Parts`]) finds the parts of a region, structured ([`Part`]:
//! what `diff --format json` writes as `except`); the lines of messages,
//! hovers, `who-can` and the diff reports are written from those parts.

use super::tree::NodeId;
use super::{CellSet, Region, Universe};
use crate::syntax::ast::{Access, AccessSet, Pattern};

/// One part of a region: an access type on a pattern box, less the
/// excepted boxes (`object` × each of `except_attributes`, and each of
/// `except_objects` × `attribute`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The access type.
    pub access: Access,
    /// The object pattern.
    pub object: Pattern,
    /// The attribute pattern.
    pub attribute: Pattern,
    /// Object patterns excepted (with `attribute`).
    pub except_objects: Vec<Pattern>,
    /// Attribute patterns excepted (with `object`).
    pub except_attributes: Vec<Pattern>,
    /// Exceptions not named (past the limit asked for).
    pub unnamed: usize,
}

impl Part {
    /// `Object.attribute` with its exceptions, as written in messages:
    /// `Tariffs.* except Tariffs.list, Tariffs.rate*`.
    pub fn target_text(&self) -> String {
        let mut text = format!("{}.{}", self.object, self.attribute);
        let excepts: Vec<String> = self
            .except_objects
            .iter()
            .map(|o| format!("{o}.{}", self.attribute))
            .chain(
                self.except_attributes
                    .iter()
                    .map(|a| format!("{}.{a}", self.object)),
            )
            .collect();
        if !excepts.is_empty() || self.unnamed > 0 {
            text.push_str(" except ");
            text.push_str(&excepts.join(", "));
        }
        if self.unnamed > 0 {
            let noun = if self.unnamed == 1 {
                "pattern"
            } else {
                "patterns"
            };
            if !excepts.is_empty() {
                text.push(' ');
            }
            text.push_str(&format!("and {} other {noun}", self.unnamed));
        }
        text
    }
}

/// The parts of a region, in order (access type by access type, cell by
/// cell), each worked out when asked for: the largest pattern box holding
/// the first cell not yet described, or that cell alone as its box minus
/// its children's boxes. The union of all parts is exactly the region.
pub struct Parts<'a> {
    u: &'a Universe,
    region: &'a Region,
    /// Exceptions named per part (the rest are counted).
    names: usize,
    /// The region's cells no part given so far holds (a copy of the region
    /// worked down: one copy per walk, no set built per part).
    left: CellSet,
    /// How many cells `left` holds (counted when it is copied, then as
    /// parts take cells out of it).
    left_cells: u64,
    /// Index in [`Access::ALL`] of the access type being walked.
    access: usize,
    /// The next cell to look from.
    from: u32,
    /// The region's number of cells of the access type walked (counted
    /// when its first part is worked out): a box with more cells than that
    /// is not in it, so most boxes tried are ruled out by that count alone.
    size: Option<u64>,
}

impl<'a> Parts<'a> {
    /// Walk the parts of `region`, naming at most `names` exceptions in
    /// each part.
    pub fn new(u: &'a Universe, region: &'a Region, names: usize) -> Parts<'a> {
        // The copy, its count and the first access type's count in one
        // pass over a region that can span the whole catalog.
        let (left, left_cells, first) = region.counted_copy(Access::ALL[0]);
        Parts {
            u,
            region,
            names,
            left,
            left_cells,
            access: 0,
            from: 0,
            size: Some(first),
        }
    }

    /// How many request classes (cells) of the region the parts given so
    /// far leave out.
    pub fn left(&self) -> u64 {
        self.left_cells
    }
}

impl Iterator for Parts<'_> {
    type Item = Part;

    fn next(&mut self) -> Option<Part> {
        while let Some(&access) = Access::ALL.get(self.access) {
            match self.left.next_of(access, self.from) {
                Some(c) => {
                    let size = *self.size.get_or_insert_with(|| self.region.len_of(access));
                    let (part, boxed) = piece(self.u, access, c, self.region, size, self.names);
                    self.left_cells -= match boxed {
                        Some(v) => self.left.remove_slots(
                            self.u.box_slots(v, &part.attribute),
                            AccessSet(access.bit()),
                        ),
                        None => u64::from(self.left.remove(c)),
                    };
                    self.from = c + 1;
                    return Some(part);
                }
                None => {
                    self.access += 1;
                    self.from = 0;
                    self.size = None;
                }
            }
        }
        None
    }
}

/// Lines from parts, the access types of parts with the same target
/// merged (`read, update Tariffs.*`), in order of first appearance.
#[derive(Default)]
struct Lines {
    entries: Vec<(String, AccessSet)>,
    /// Where each text is in `entries`: a whole region has many lines.
    index: rustc_hash::FxHashMap<String, usize>,
}

impl Lines {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn add(&mut self, part: &Part) {
        let text = part.target_text();
        match self.index.get(&text) {
            Some(&i) => self.entries[i].1.insert(part.access),
            None => {
                self.index.insert(text.clone(), self.entries.len());
                self.entries.push((text, AccessSet(part.access.bit())));
            }
        }
    }

    /// The lines, then "and N more request classes" when `more` > 0.
    fn finish(self, more: u64) -> Vec<String> {
        let mut lines: Vec<String> = self
            .entries
            .into_iter()
            .map(|(text, set)| format!("{set} {text}"))
            .collect();
        if more > 0 {
            lines.push(more_classes(more));
        }
        lines
    }
}

/// The lines describing a region, at most `limit` of them (then a last line
/// saying how many request classes are left out). `usize::MAX` describes
/// the whole region.
pub fn describe(u: &Universe, region: &Region, limit: usize) -> Vec<String> {
    let mut walk = Parts::new(u, region, limit);
    let mut lines = Lines::default();
    let mut more = 0;
    loop {
        if lines.len() >= limit {
            more = walk.left();
            break;
        }
        match walk.next() {
            Some(part) => lines.add(&part),
            None => break,
        }
    }
    lines.finish(more)
}

/// How many permission lines a finding's message lists before "and N
/// more request classes".
pub const MESSAGE_LINES: usize = 4;

/// A region as a finding's message writes it: at most
/// [`MESSAGE_LINES`] permission lines joined by `; `, then a count of the
/// request classes left out.
pub fn region_text(u: &Universe, region: &Region) -> String {
    describe(u, region, MESSAGE_LINES).join("; ")
}

/// The first `limit` parts of a region (`usize::MAX`: all; exception
/// lists are cut at `limit` names too), with the number of request classes
/// (cells) they leave out.
pub fn parts(u: &Universe, region: &Region, limit: usize) -> (Vec<Part>, u64) {
    let mut walk = Parts::new(u, region, limit);
    let parts: Vec<Part> = walk.by_ref().take(limit).collect();
    (parts, walk.left())
}

/// Parts as lines, the access types of parts with the same target merged
/// (`read, update Tariffs.*`); then `and N more request classes` when
/// `more` > 0.
pub fn lines(parts: &[Part], more: u64) -> Vec<String> {
    let mut lines = Lines::default();
    for p in parts {
        lines.add(p);
    }
    lines.finish(more)
}

/// "and 1,243 more request classes".
fn more_classes(n: u64) -> String {
    let noun = if n == 1 { "class" } else { "classes" };
    format!("and {} more request {noun}", grouped(n))
}

/// A count with its thousands grouped: `1,243`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The largest pattern box holding cell `c` (of type `access`) inside
/// `region` (with the box's object class), or the cell itself written with
/// its exceptions.
/// Exceptions past `limit` are counted, not named.
fn piece(
    u: &Universe,
    access: Access,
    c: u32,
    region: &Region,
    size: u64,
    limit: usize,
) -> (Part, Option<NodeId>) {
    let cell = u.cell(c);
    let attrs = u.attributes(cell.object);
    let mut objects: Vec<_> = u.objects.ancestors(cell.object).collect();
    objects.reverse();
    let mut attr_chain: Vec<_> = attrs.ancestors(cell.attribute).collect();
    attr_chain.reverse();
    for &v in &objects {
        let av = u.attributes(v);
        for &w in &attr_chain {
            let wp = attrs.pattern(w);
            if av.find(wp).is_none() {
                continue;
            }
            let vp = u.objects.pattern(v);
            if u.box_len(v, wp) <= size && u.box_within(access, v, wp, region) {
                let part = Part {
                    access,
                    object: vp.clone(),
                    attribute: wp.clone(),
                    except_objects: Vec::new(),
                    except_attributes: Vec::new(),
                    unnamed: 0,
                };
                return (part, Some(v));
            }
        }
    }
    // Only part of the cell's own box is in the region: the cell alone is
    // the box minus the boxes of its children (object children first).
    let mut named = 0;
    let mut unnamed = 0;
    let mut keep = |p: &Pattern, list: &mut Vec<Pattern>| {
        if named < limit {
            named += 1;
            list.push(p.clone());
        } else {
            unnamed += 1;
        }
    };
    let mut except_objects = Vec::new();
    for o in u.objects.children(cell.object) {
        keep(u.objects.pattern(o), &mut except_objects);
    }
    let mut except_attributes = Vec::new();
    for a in attrs.children(cell.attribute) {
        keep(attrs.pattern(a), &mut except_attributes);
    }
    let part = Part {
        access,
        object: u.objects.pattern(cell.object).clone(),
        attribute: attrs.pattern(cell.attribute).clone(),
        except_objects,
        except_attributes,
        unnamed,
    };
    (part, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(more_classes(1), "and 1 more request class");
        assert_eq!(more_classes(999), "and 999 more request classes");
        assert_eq!(more_classes(1_243), "and 1,243 more request classes");
        assert_eq!(
            more_classes(12_345_678),
            "and 12,345,678 more request classes"
        );
    }
}
