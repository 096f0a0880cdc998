//! Regions written as permissions: `read, update Tariffs.*`,
//! `read Tariffs.* except Tariffs.list`. The text is exact: the union of the
//! lines is the region.

use super::{Region, Universe};
use crate::syntax::ast::{Access, AccessSet};

/// The lines describing a region, at most `limit` of them (then a last line
/// saying how many request classes are left out).
pub fn describe(u: &Universe, region: &Region, limit: usize) -> Vec<String> {
    // (text, access types) in order of first appearance.
    let mut entries: Vec<(String, AccessSet)> = Vec::new();
    let mut left_out = 0u64;
    for access in Access::ALL {
        let of_access = |c: &u32| u.cell(*c).access == access;
        let mut covered = Region::new();
        for c in region.iter().filter(of_access) {
            if covered.contains(c) {
                continue;
            }
            if entries.len() >= limit {
                left_out += region.iter().filter(of_access).count() as u64 - covered.len();
                break;
            }
            let (text, part) = piece(u, access, c, region);
            covered |= part;
            match entries.iter_mut().find(|(t, _)| *t == text) {
                Some((_, set)) => set.insert(access),
                None => entries.push((text, AccessSet(access.bit()))),
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
    if left_out > 0 {
        lines.push(format!("and {left_out} more request class(es)"));
    }
    lines
}

/// The largest pattern box holding cell `c` (of type `access`) inside
/// `region`, or the cell itself written with its exceptions; with the cells
/// it stands for.
fn piece(u: &Universe, access: Access, c: u32, region: &Region) -> (String, Region) {
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
    let mut except: Vec<String> = u
        .objects
        .children(cell.object)
        .map(|o| format!("{}.{ap}", u.objects.pattern(o)))
        .collect();
    except.extend(
        attrs
            .children(cell.attribute)
            .map(|a| format!("{op}.{}", attrs.pattern(a))),
    );
    let mut r = Region::new();
    r.insert(c);
    (format!("{op}.{ap} except {}", except.join(", ")), r)
}
