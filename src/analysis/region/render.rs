//! Regions written as permissions: `read, update Tariffs.*`,
//! `read Tariffs.* except Tariffs.list`. The text is exact: the union of the
//! lines is the region. Its cost is bounded by what it prints: at most
//! `limit` parts are worked out, the rest is counted word by word.

use super::{CellSet, Region, Universe};
use crate::syntax::ast::{Access, AccessSet};

/// The lines describing a region, at most `limit` of them (then a last line
/// saying how many request classes are left out). `usize::MAX` describes
/// the whole region.
pub fn describe(u: &Universe, region: &Region, limit: usize) -> Vec<String> {
    // (text, access types) in order of first appearance.
    let mut entries: Vec<(String, AccessSet)> = Vec::new();
    // Where each text is in `entries`: a whole region has many lines.
    let mut index: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    // The cells described so far (all inside the region).
    let mut covered = CellSet::new();
    let mut full = false;
    // A box with more cells than the region has of its access type is not
    // in it: most boxes tried are ruled out by that count alone.
    let sizes = region.len_by_access();
    'accesses: for access in Access::ALL {
        let mut from = 0;
        while let Some(c) = region.next_outside(&covered, access, from) {
            if entries.len() >= limit {
                full = true;
                break 'accesses;
            }
            let (text, part) = piece(u, access, c, region, sizes[access as usize], limit);
            covered.union_with(&part);
            from = c + 1;
            match index.get(&text) {
                Some(&i) => entries[i].1.insert(access),
                None => {
                    index.insert(text.clone(), entries.len());
                    entries.push((text, AccessSet(access.bit())));
                }
            }
        }
    }
    let mut lines: Vec<String> = entries
        .into_iter()
        .map(|(text, set)| {
            let names: Vec<&str> = set.iter().map(Access::as_str).collect();
            format!("{} {text}", names.join(", "))
        })
        .collect();
    if full {
        lines.push(more_classes(region.len() - covered.len()));
    }
    lines
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
/// `region`, or the cell itself written with its exceptions; with the cells
/// it stands for.
/// Exceptions past `limit` are counted, not named.
fn piece(
    u: &Universe,
    access: Access,
    c: u32,
    region: &Region,
    size: u64,
    limit: usize,
) -> (String, Region) {
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
                return (
                    format!("{vp}.{wp}"),
                    u.region(AccessSet(access.bit()), vp, wp),
                );
            }
        }
    }
    // Only part of the cell's own box is in the region: the cell alone is
    // the box minus the boxes of its children.
    let op = u.objects.pattern(cell.object);
    let ap = attrs.pattern(cell.attribute);
    let objects = u
        .objects
        .children(cell.object)
        .map(|o| (u.objects.pattern(o), ap));
    let attributes = attrs
        .children(cell.attribute)
        .map(|a| (op, attrs.pattern(a)));
    let mut except: Vec<String> = Vec::new();
    let mut unnamed = 0usize;
    for (o, a) in objects.chain(attributes) {
        if except.len() < limit {
            except.push(format!("{o}.{a}"));
        } else {
            unnamed += 1;
        }
    }
    let mut text = format!("{op}.{ap} except {}", except.join(", "));
    if unnamed > 0 {
        let noun = if unnamed == 1 { "pattern" } else { "patterns" };
        text.push_str(&format!(" and {unnamed} other {noun}"));
    }
    let mut r = Region::new();
    r.insert(c);
    (text, r)
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
