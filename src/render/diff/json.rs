//! `diff --format json` (DESIGN §6): one entry per region part (the union
//! of a change's parts is exactly its region), in change order.

use std::io::Write as _;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::diff::{counts, Change, Diff, Part};
use crate::render::json::pretty_at;

/// One entry of `changes`: a change, or one part of its region. A struct
/// rather than a JSON map (half a million changes make millions of
/// entries); its fields are in the order a JSON map writes its keys
/// (alphabetical), so the output is that of the map it replaces.
#[derive(Serialize)]
struct Entry<'c> {
    access: Option<&'static str>,
    access_level: Option<&'c str>,
    allowed_by: &'c Option<String>,
    attribute: Option<String>,
    caused_by: &'c [String],
    column: Option<u32>,
    end_column: Option<u32>,
    end_line: Option<u32>,
    except: Option<Except>,
    fails: bool,
    file: Option<&'c str>,
    kind: &'static str,
    line: Option<u32>,
    new: &'c Value,
    object: Option<String>,
    old: &'c Value,
    scope: &'c Option<String>,
    #[serde(rename = "type")]
    acl_type: Option<&'static str>,
}

/// A part's exceptions (fields alphabetical, as in [`Entry`]).
#[derive(Serialize)]
struct Except {
    attribute: Vec<String>,
    object: Vec<String>,
}

fn entry(c: &Change) -> Entry<'_> {
    // Only a location on the new side is given.
    let l = c.location.as_deref().filter(|l| l.new_side);
    Entry {
        access: None,
        access_level: c.access_level.as_deref(),
        allowed_by: &c.allowed,
        attribute: None,
        caused_by: &c.caused_by[..],
        column: l.map(|l| l.column),
        end_column: l.map(|l| l.end_column),
        end_line: l.map(|l| l.end_line),
        except: None,
        fails: c.fails,
        file: l.map(|l| l.file.as_str()),
        kind: c.kind.as_str(),
        line: l.map(|l| l.line),
        new: c.after(),
        object: None,
        old: c.before(),
        scope: &c.scope,
        acl_type: c.acl_type.map(|t| t.as_str()),
    }
}

fn part_entry<'c>(c: &'c Change, p: &Part) -> Entry<'c> {
    Entry {
        access: Some(p.access.as_str()),
        object: Some(p.object.to_string()),
        attribute: Some(p.attribute.to_string()),
        except: Some(Except {
            attribute: p
                .except_attributes
                .iter()
                .map(ToString::to_string)
                .collect(),
            object: p.except_objects.iter().map(ToString::to_string).collect(),
        }),
        ..entry(c)
    }
}

/// Changes whose parts are worked out, and written, at once.
const CHUNK: usize = 2048;

/// The entries of one change, pretty, each preceded by the separator
/// from the entry before (`,` but before the first of the document) and
/// its line break; with how many there are.
fn change_entries(diff: &Diff, c: &Change) -> std::io::Result<(Vec<u8>, usize)> {
    const BREAK: &[u8] = b"\n    ";
    let mut out = Vec::new();
    let put = |e: &Entry<'_>, out: &mut Vec<u8>| -> std::io::Result<()> {
        out.push(b',');
        out.extend_from_slice(BREAK);
        pretty_at(e, b"    ", out)
    };
    if c.region.is_none() {
        put(&entry(c), &mut out)?;
        return Ok((out, 1));
    }
    let parts = diff.parts(c, usize::MAX).0;
    for p in &parts {
        put(&part_entry(c, p), &mut out)?;
    }
    Ok((out, parts.len()))
}

fn summary(diff: &Diff, (total, failing): (usize, usize)) -> Value {
    let mut by_kind = Map::new();
    let mut failing_by_kind = Map::new();
    for (k, n, f) in counts(&diff.changes) {
        by_kind.insert(k.as_str().into(), json!(n));
        failing_by_kind.insert(k.as_str().into(), json!(f));
    }
    let mut levels: Vec<&str> = diff
        .changes
        .iter()
        .filter_map(|c| c.access_level.as_deref())
        .collect();
    levels.sort_unstable();
    levels.dedup();
    json!({
        "changes": total,
        "failing": failing,
        "by_kind": by_kind,
        "failing_by_kind": failing_by_kind,
        "access_levels": levels.len(),
        "caused_by": crate::diff::causes(&diff.changes),
    })
}

/// Write the JSON document (pretty, as [`crate::emit::json::to_json`]),
/// entry by entry: half a million changes with every region part are
/// hundreds of megabytes. The entries of a chunk of changes are worked
/// out and formatted in parallel, then written in order.
pub fn write(out: &mut dyn std::io::Write, diff: &Diff) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"{\n  \"changes\": [")?;
    let (mut total, mut failing) = (0, 0);
    for part in diff.changes.parts(CHUNK) {
        let chunk: Vec<&crate::diff::Change> = part.iter().flatten().collect();
        let written: Vec<std::io::Result<(Vec<u8>, usize)>> =
            chunk.par_iter().map(|c| change_entries(diff, c)).collect();
        for (c, w) in chunk.iter().zip(written) {
            let (text, n) = w?;
            // The document's first entry has no comma before it.
            let skip = usize::from(total == 0 && n > 0);
            out.write_all(&text[skip..])?;
            total += n;
            if c.fails {
                failing += n;
            }
        }
    }
    out.write_all(if total > 0 { b"\n  ]" } else { b"]" })?;
    out.write_all(b",\n  \"summary\": ")?;
    let mut tail = Vec::new();
    pretty_at(&summary(diff, (total, failing)), b"  ", &mut tail)?;
    out.write_all(&tail)?;
    out.write_all(b"\n}\n")?;
    out.flush()
}

/// The JSON text.
pub fn render(diff: &Diff) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(&mut out, diff);
    String::from_utf8_lossy(&out).into_owned()
}
