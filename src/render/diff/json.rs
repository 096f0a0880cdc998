//! `diff --format json` (DESIGN §6): one entry per region part (the union
//! of a change's parts is exactly its region), in change order.

use std::cell::Cell;
use std::io::Write as _;

use rayon::prelude::*;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::diff::{counts, Change, Diff, Location, Part};

fn location_fields(obj: &mut Map<String, Value>, loc: Option<&Location>) {
    let l = loc.filter(|l| l.new_side);
    obj.insert("file".into(), json!(l.map(|l| &l.file)));
    obj.insert("line".into(), json!(l.map(|l| l.line)));
    obj.insert("column".into(), json!(l.map(|l| l.column)));
    obj.insert("end_line".into(), json!(l.map(|l| l.end_line)));
    obj.insert("end_column".into(), json!(l.map(|l| l.end_column)));
}

fn entry(c: &Change) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("kind".into(), json!(c.kind.as_str()));
    m.insert("access_level".into(), json!(c.access_level.as_deref()));
    m.insert("type".into(), json!(c.acl_type.map(|t| t.as_str())));
    m.insert("access".into(), Value::Null);
    m.insert("object".into(), Value::Null);
    m.insert("attribute".into(), Value::Null);
    m.insert("except".into(), Value::Null);
    m.insert("old".into(), c.old.clone());
    m.insert("new".into(), c.new.clone());
    m.insert("caused_by".into(), json!(&c.caused_by[..]));
    m.insert("scope".into(), json!(c.scope));
    m.insert("fails".into(), json!(c.fails));
    m.insert("allowed_by".into(), json!(c.allowed));
    location_fields(&mut m, c.location.as_deref());
    m
}

fn part_entry(c: &Change, p: &Part) -> Value {
    let mut m = entry(c);
    m.insert("access".into(), json!(p.access.as_str()));
    m.insert("object".into(), json!(p.object.to_string()));
    m.insert("attribute".into(), json!(p.attribute.to_string()));
    let objects: Vec<String> = p.except_objects.iter().map(ToString::to_string).collect();
    let attributes: Vec<String> = p
        .except_attributes
        .iter()
        .map(ToString::to_string)
        .collect();
    m.insert(
        "except".into(),
        json!({"object": objects, "attribute": attributes}),
    );
    Value::Object(m)
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
                    seq.serialize_element(&Value::Object(entry(c)))?;
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
