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
        new: &c.new,
        object: None,
        old: &c.old,
        scope: &c.scope,
        acl_type: c.acl_type.map(|t| t.as_str()),
    }
}

#[cfg(test)]
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
const CHUNK: usize = 4096;

/// Changes written by one task of a chunk (into one buffer).
const TASK: usize = 64;

/// Where an entry's fields are (`"    "` is the entry's own indent).
const FIELD: &[u8] = b"\n      ";

/// `"name": ` after the separator from the field before.
fn key(out: &mut Vec<u8>, first: bool, name: &str) {
    if !first {
        out.push(b',');
    }
    out.extend_from_slice(FIELD);
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\": ");
}

/// A value as a field of an entry (pretty, nested lines indented).
fn value<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> std::io::Result<()> {
    pretty_at(&v, b"      ", out)
}

/// A string as JSON (quoted, escaped).
fn string(out: &mut Vec<u8>, s: &str) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, s).map_err(std::io::Error::from)
}

/// The text of an entry of a change, but for its part's fields: the
/// pieces around `access`, `attribute`, `except` and `object` (fields in
/// alphabetical order, as [`Entry`] writes them), worked out once per
/// change and copied into each of its parts' entries.
struct Template {
    /// From the opening brace to the value of `access`.
    open: Vec<u8>,
    /// From after `access` to the value of `attribute`.
    to_attribute: Vec<u8>,
    /// From after `attribute` to the value of `except`.
    to_except: Vec<u8>,
    /// From after `except` to the value of `object`.
    to_object: Vec<u8>,
    /// From after `object` to the closing brace.
    close: Vec<u8>,
}

impl Template {
    fn new(c: &Change) -> std::io::Result<Template> {
        let e = entry(c);
        let mut open = b"{".to_vec();
        key(&mut open, true, "access");
        let mut to_attribute = Vec::new();
        key(&mut to_attribute, false, "access_level");
        value(&mut to_attribute, &e.access_level)?;
        key(&mut to_attribute, false, "allowed_by");
        value(&mut to_attribute, e.allowed_by)?;
        key(&mut to_attribute, false, "attribute");
        let mut to_except = Vec::new();
        key(&mut to_except, false, "caused_by");
        value(&mut to_except, e.caused_by)?;
        key(&mut to_except, false, "column");
        value(&mut to_except, &e.column)?;
        key(&mut to_except, false, "end_column");
        value(&mut to_except, &e.end_column)?;
        key(&mut to_except, false, "end_line");
        value(&mut to_except, &e.end_line)?;
        key(&mut to_except, false, "except");
        let mut to_object = Vec::new();
        key(&mut to_object, false, "fails");
        value(&mut to_object, &e.fails)?;
        key(&mut to_object, false, "file");
        value(&mut to_object, &e.file)?;
        key(&mut to_object, false, "kind");
        value(&mut to_object, e.kind)?;
        key(&mut to_object, false, "line");
        value(&mut to_object, &e.line)?;
        key(&mut to_object, false, "new");
        value(&mut to_object, e.new)?;
        key(&mut to_object, false, "object");
        let mut close = Vec::new();
        key(&mut close, false, "old");
        value(&mut close, e.old)?;
        key(&mut close, false, "scope");
        value(&mut close, e.scope)?;
        key(&mut close, false, "type");
        value(&mut close, &e.acl_type)?;
        close.extend_from_slice(b"\n    }");
        Ok(Template {
            open,
            to_attribute,
            to_except,
            to_object,
            close,
        })
    }

    /// The entry of one part (`None`: the change itself, without region),
    /// after `,` and the line break before it. `text` is scratch space.
    fn write(&self, out: &mut Vec<u8>, p: Option<&Part>, text: &mut String) -> std::io::Result<()> {
        use std::fmt::Write as _;
        out.extend_from_slice(b",\n    ");
        out.extend_from_slice(&self.open);
        let mut pattern = |out: &mut Vec<u8>, pat: &crate::syntax::ast::Pattern| {
            text.clear();
            // Writing to a String cannot fail.
            let _ = write!(text, "{pat}");
            string(out, text)
        };
        match p {
            Some(p) => string(out, p.access.as_str())?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(&self.to_attribute);
        match p {
            Some(p) => pattern(out, &p.attribute)?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(&self.to_except);
        match p {
            Some(p) if p.except_attributes.is_empty() && p.except_objects.is_empty() => {
                out.extend_from_slice(
                    b"{\n        \"attribute\": [],\n        \"object\": []\n      }",
                );
            }
            Some(p) => value(
                out,
                &Except {
                    attribute: p
                        .except_attributes
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                    object: p.except_objects.iter().map(ToString::to_string).collect(),
                },
            )?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(&self.to_object);
        match p {
            Some(p) => pattern(out, &p.object)?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(&self.close);
        Ok(())
    }
}

/// The entries of some changes, pretty, each preceded by the separator
/// from the entry before (`,` but before the first of the document) and
/// its line break; with how many there are, and how many fail.
fn change_entries(diff: &Diff, changes: &[Change]) -> std::io::Result<(Vec<u8>, usize, usize)> {
    let mut out = Vec::with_capacity(changes.len() * 1024);
    let (mut total, mut failing) = (0, 0);
    let mut text = String::new();
    for c in changes {
        let t = Template::new(c)?;
        let n = if c.region.is_none() {
            t.write(&mut out, None, &mut text)?;
            1
        } else {
            let parts = diff.parts(c, usize::MAX).0;
            for p in &parts {
                t.write(&mut out, Some(p), &mut text)?;
            }
            parts.len()
        };
        total += n;
        if c.fails {
            failing += n;
        }
    }
    Ok((out, total, failing))
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
    for chunk in diff.changes.chunks(CHUNK) {
        let written: Vec<std::io::Result<(Vec<u8>, usize, usize)>> = chunk
            .par_chunks(TASK)
            .map(|cs| change_entries(diff, cs))
            .collect();
        for w in written {
            let (text, n, f) = w?;
            // The document's first entry has no comma before it.
            let skip = usize::from(total == 0 && n > 0);
            out.write_all(&text[skip..])?;
            total += n;
            failing += f;
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{json, Value};

    use super::*;
    use crate::diff::{Kind, Location};
    use crate::syntax::ast::{Access, AclKind, Participant, Pattern};

    fn change(kind: Kind, located: bool, allowed: Option<&str>, causes: &[&str]) -> Change {
        Change {
            kind,
            access_level: Some(Arc::from("Level \"1\"")),
            acl_type: Some(AclKind::Participant(Participant::Customer)),
            region: None,
            old: json!("allow"),
            new: json!(["R1", "R\\2"]),
            caused_by: causes.iter().map(|c| c.to_string()).collect(),
            scope: located.then(|| "environment prod".to_string()),
            location: located.then(|| {
                Arc::new(Location {
                    file: "a/b \u{e9}.acl".to_string(),
                    line: 3,
                    column: 5,
                    end_line: 4,
                    end_column: 1,
                    new_side: true,
                })
            }),
            fails: located,
            allowed: allowed.map(str::to_string),
        }
    }

    /// The entry as the serializer writes it (the text the template must
    /// give, byte for byte).
    fn serialized(e: &Entry<'_>) -> std::io::Result<Vec<u8>> {
        let mut out = b",\n    ".to_vec();
        pretty_at(e, b"    ", &mut out)?;
        Ok(out)
    }

    #[test]
    fn templates_write_what_the_serializer_writes() -> std::io::Result<()> {
        let name = |s: &str| -> crate::syntax::ast::Name { Arc::from(s) };
        let parts = [
            Part {
                access: Access::Read,
                object: Pattern::Exact(name("Tariffs")),
                attribute: Pattern::Any,
                except_objects: Vec::new(),
                except_attributes: Vec::new(),
                unnamed: 0,
            },
            Part {
                access: Access::Update,
                object: Pattern::Prefix(name("Tar")),
                attribute: Pattern::Exact(name("list")),
                except_objects: vec![Pattern::Exact(name("Tariffs")), Pattern::Any],
                except_attributes: vec![Pattern::Prefix(name("rate"))],
                unnamed: 0,
            },
            Part {
                access: Access::Insert,
                object: Pattern::Any,
                attribute: Pattern::Any,
                except_objects: Vec::new(),
                except_attributes: vec![Pattern::Exact(name("a\"b"))],
                unnamed: 0,
            },
        ];
        let changes = [
            change(Kind::NewAccess, true, None, &["Component 1"]),
            change(Kind::RemovedAccess, false, Some("known \"safe\""), &[]),
            change(Kind::DefaultChanged, true, Some("x"), &["A", "B", "C"]),
            Change {
                access_level: None,
                acl_type: None,
                old: Value::Null,
                new: json!(false),
                ..change(Kind::Hide, false, None, &["B"])
            },
        ];
        let mut text = String::new();
        for c in &changes {
            let t = Template::new(c)?;
            let mut got = Vec::new();
            t.write(&mut got, None, &mut text)?;
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&serialized(&entry(c))?)
            );
            for p in &parts {
                let mut got = Vec::new();
                t.write(&mut got, Some(p), &mut text)?;
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&serialized(&part_entry(c, p))?)
                );
            }
        }
        Ok(())
    }
}
