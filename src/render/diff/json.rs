//! `diff --format json` (DESIGN §6): one entry per region part (the union
//! of a change's parts is exactly its region), in change order.

use std::cell::Cell;
use std::io::Write as _;

use rayon::prelude::*;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::diff::{counts, Change, Diff, Part};

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
        new: &c.new,
        object: None,
        old: &c.old,
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

/// The document, serialized one entry at a time (half a million changes
/// with every region part would be gigabytes as one JSON value); the
/// parts are worked out a chunk of changes at a time, in parallel.
struct Doc<'d> {
    diff: &'d Diff,
    /// Entries written, and failing ones (for the summary, which follows
    /// the entries).
    written: Cell<(usize, usize)>,
}

/// Changes whose parts are worked out at once.
const CHUNK: usize = 2048;

struct Entries<'a, 'd>(&'a Doc<'d>);

impl Serialize for Entries<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let diff = self.0.diff;
        let mut seq = s.serialize_seq(None)?;
        let (mut total, mut failing) = (0, 0);
        for chunk in diff.changes.chunks(CHUNK) {
            let parts: Vec<Vec<Part>> = chunk
                .par_iter()
                .map(|c| diff.parts(c, usize::MAX).0)
                .collect();
            for (c, parts) in chunk.iter().zip(parts) {
                let n = if c.region.is_none() {
                    seq.serialize_element(&entry(c))?;
                    1
                } else {
                    for p in &parts {
                        seq.serialize_element(&part_entry(c, p))?;
                    }
                    parts.len()
                };
                total += n;
                if c.fails {
                    failing += n;
                }
            }
        }
        self.0.written.set((total, failing));
        seq.end()
    }
}

impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("changes", &Entries(self))?;
        map.serialize_entry("summary", &summary(self))?;
        map.end()
    }
}

fn summary(doc: &Doc<'_>) -> Value {
    let diff = doc.diff;
    let mut by_kind = Map::new();
    let mut failing_by_kind = Map::new();
    for (k, n, f) in counts(&diff.changes) {
        by_kind.insert(k.as_str().into(), json!(n));
        failing_by_kind.insert(k.as_str().into(), json!(f));
    }
    let (total, failing) = doc.written.get();
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

fn doc(diff: &Diff) -> Doc<'_> {
    Doc {
        diff,
        written: Cell::new((0, 0)),
    }
}

/// Write the JSON document (pretty, as [`crate::emit::json::to_json`]).
pub fn write(out: &mut dyn std::io::Write, diff: &Diff) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &doc(diff))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The JSON text.
pub fn render(diff: &Diff) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(&mut out, diff);
    String::from_utf8_lossy(&out).into_owned()
}
