//! Regions written as patterns with exceptions, structured: the parts of a
//! changed region, each `access Object.attribute` or one request class
//! written as its pattern box minus the boxes of the more specific
//! patterns in use (`"except"` in `diff --format json`). The union of the
//! parts is exactly the region; the cost is bounded by the parts asked for.

use crate::analysis::region::{CellSet, Region, Universe};
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

/// The parts of a region, at most `limit` of them (`usize::MAX`: all),
/// with the number of request classes (cells) the parts given leave out.
/// Exception lists are cut at `limit` names too.
pub fn parts(u: &Universe, region: &Region, limit: usize) -> (Vec<Part>, u64) {
    let mut out = Vec::new();
    let mut covered = CellSet::new();
    for access in Access::ALL {
        let mut from = 0;
        while let Some(c) = region.next_outside(&covered, access, from) {
            if out.len() >= limit {
                return (out, region.len() - covered.len());
            }
            let (part, cells) = piece(u, access, c, region, limit);
            covered.union_with(&cells);
            from = c + 1;
            out.push(part);
        }
    }
    (out, 0)
}

/// The parts as lines, the access types of parts with the same target
/// merged: `read, update Tariffs.*`; then `and N more request classes`.
pub fn lines(parts: &[Part], more: u64) -> Vec<String> {
    let mut entries: Vec<(String, AccessSet)> = Vec::new();
    for p in parts {
        let text = p.target_text();
        match entries.iter_mut().find(|(t, _)| *t == text) {
            Some((_, set)) => set.insert(p.access),
            None => entries.push((text, AccessSet(p.access.bit()))),
        }
    }
    let mut lines: Vec<String> = entries
        .into_iter()
        .map(|(text, set)| format!("{set} {text}"))
        .collect();
    if more > 0 {
        let noun = if more == 1 { "class" } else { "classes" };
        lines.push(format!(
            "and {} more request {noun}",
            crate::analysis::region::grouped(more)
        ));
    }
    lines
}

/// The largest pattern box holding cell `c` inside `region`, or the cell
/// alone written as its box minus its children's boxes; with its cells.
fn piece(u: &Universe, access: Access, c: u32, region: &Region, limit: usize) -> (Part, Region) {
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
            if u.box_within(access, v, wp, region) {
                let part = Part {
                    access,
                    object: vp.clone(),
                    attribute: wp.clone(),
                    except_objects: Vec::new(),
                    except_attributes: Vec::new(),
                    unnamed: 0,
                };
                return (part, u.region(AccessSet(access.bit()), vp, wp));
            }
        }
    }
    let mut unnamed = 0;
    let mut named = 0;
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
    let mut r = Region::new();
    r.insert(c);
    (part, r)
}
