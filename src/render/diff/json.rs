//! `diff --format json` (DESIGN §6): one entry per region part (the union
//! of a change's parts is exactly its region), in change order.

use serde_json::{json, Map, Value};

use crate::diff::{counts, Change, Diff, Location};

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
    m.insert("access_level".into(), json!(c.access_level));
    m.insert("type".into(), json!(c.acl_type.map(|t| t.as_str())));
    m.insert("access".into(), Value::Null);
    m.insert("object".into(), Value::Null);
    m.insert("attribute".into(), Value::Null);
    m.insert("except".into(), Value::Null);
    m.insert("old".into(), c.old.clone());
    m.insert("new".into(), c.new.clone());
    m.insert("caused_by".into(), json!(c.caused_by));
    m.insert("scope".into(), json!(c.scope));
    m.insert("fails".into(), json!(c.fails));
    m.insert("allowed_by".into(), json!(c.allowed));
    location_fields(&mut m, c.location.as_ref());
    m
}

/// The JSON document.
pub fn value(diff: &Diff) -> Value {
    let mut changes = Vec::new();
    for c in &diff.changes {
        if c.region.is_none() {
            changes.push(Value::Object(entry(c)));
            continue;
        }
        let (parts, _) = diff.parts(c, usize::MAX);
        for p in parts {
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
            changes.push(Value::Object(m));
        }
    }
    let mut by_kind = Map::new();
    let mut failing_by_kind = Map::new();
    for (k, n, f) in counts(&diff.changes) {
        by_kind.insert(k.as_str().into(), json!(n));
        failing_by_kind.insert(k.as_str().into(), json!(f));
    }
    let failing = changes
        .iter()
        .filter(|c| c.get("fails") == Some(&Value::Bool(true)))
        .count();
    let mut levels: Vec<&str> = diff
        .changes
        .iter()
        .filter_map(|c| c.access_level.as_deref())
        .collect();
    levels.sort_unstable();
    levels.dedup();
    json!({
        "changes": changes,
        "summary": {
            "changes": changes.len(),
            "failing": failing,
            "by_kind": by_kind,
            "failing_by_kind": failing_by_kind,
            "access_levels": levels.len(),
            "caused_by": crate::diff::causes(&diff.changes),
        }
    })
}

/// The JSON text.
pub fn render(diff: &Diff) -> String {
    crate::emit::json::to_json(&value(diff))
}
