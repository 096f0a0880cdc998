//! `acl.json`: the compiled policy (DESIGN §6).

use crate::model::{AccessLevel, Model, Scope};
use crate::runtime::{
    CompiledAcl, CompiledDefault, CompiledPermission, CompiledPolicy, EffectiveRow, FORMAT_VERSION,
};
use crate::source::Origin;
use crate::syntax::ast::Pattern;
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

/// The file `build --emit json` writes.
pub const FILE_NAME: &str = "acl.json";

/// Compile one access level.
pub fn compile_acl(model: &Model, acl: &AccessLevel) -> CompiledAcl {
    let eff = model.effective(acl.id);
    let mut effective = Vec::new();
    for r in &eff.rules {
        for access in r.rule.access.iter() {
            effective.push(EffectiveRow {
                position: effective.len(),
                access,
                effect: r.rule.effect,
                object_match: r.rule.object.kind_str().to_string(),
                object: r.rule.object.text().to_string(),
                attribute_match: r.rule.attribute.kind_str().to_string(),
                attribute: r.rule.attribute.text().to_string(),
                origin: model.acl(r.origin).name.clone(),
            });
        }
    }
    CompiledAcl {
        name: acl.name.clone(),
        kind: acl.kind.as_str().to_string(),
        predefined: acl.origin == Origin::Predefined,
        hidden: acl.hidden.is_some(),
        group: acl.group.as_ref().map(|g| g.node.clone()),
        subsystem: acl.subsystem.as_ref().map(|g| g.node.clone()),
        description: acl.description.as_ref().map(|g| g.node.clone()),
        visible_to: acl.visible_to.iter().map(|v| v.node.clone()).collect(),
        includes: acl.includes.iter().map(|i| i.name.node.clone()).collect(),
        permissions: acl
            .rules
            .iter()
            .map(|r| CompiledPermission {
                effect: r.effect,
                access: r.access.iter().collect(),
                object: written(&r.object),
                attribute: written(&r.attribute),
            })
            .collect(),
        effective,
    }
}

fn written(p: &Pattern) -> String {
    p.to_string()
}

fn compile_defaults(model: &Model) -> Vec<CompiledDefault> {
    model
        .defaults
        .iter()
        .map(|d| {
            let (scope, environment) = match &d.scope {
                Scope::Predefined => ("predefined", None),
                Scope::AllEnvironments => ("all", None),
                Scope::Environment(e) => ("environment", Some(e.clone())),
            };
            CompiledDefault {
                scope: scope.to_string(),
                environment,
                kind: d.decl.ty.node.as_str().to_string(),
                access_level: d.decl.acl.node.clone(),
            }
        })
        .collect()
}

fn compile_resellers(model: &Model) -> Vec<String> {
    model
        .resellers
        .iter()
        .map(|r| r.name.node.clone())
        .collect()
}

/// Compile the whole model.
pub fn compile(model: &Model) -> CompiledPolicy {
    CompiledPolicy {
        version: FORMAT_VERSION,
        access_levels: model.acls.iter().map(|a| compile_acl(model, a)).collect(),
        defaults: compile_defaults(model),
        resellers: compile_resellers(model),
    }
}

/// Serialize as pretty JSON with a final newline (deterministic).
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()));
    s.push('\n');
    s
}

/// Write `acl.json` for a model: the bytes of `to_json(&compile(model))`,
/// compiled and written one access level at a time, so memory stays
/// bounded by the largest effective rule list rather than the whole table
/// (which grows with access levels × rules each reaches).
pub fn write(model: &Model, out: &mut (impl std::io::Write + ?Sized)) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Streamed(model))?;
    out.write_all(b"\n")
}

/// A [`CompiledPolicy`] whose access levels are compiled as they are
/// serialized.
struct Streamed<'m>(&'m Model);

/// The access levels of a model, compiled as they are serialized.
struct StreamedAcls<'m>(&'m Model);

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The fields of `CompiledPolicy`, in its order.
        let mut s = serializer.serialize_struct("CompiledPolicy", 4)?;
        s.serialize_field("version", &FORMAT_VERSION)?;
        s.serialize_field("access_levels", &StreamedAcls(self.0))?;
        s.serialize_field("defaults", &compile_defaults(self.0))?;
        s.serialize_field("resellers", &compile_resellers(self.0))?;
        s.end()
    }
}

impl Serialize for StreamedAcls<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let model = self.0;
        serializer.collect_seq(model.acls.iter().map(|a| compile_acl(model, a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, Options};
    use crate::config::Predefined;

    #[test]
    fn streamed_output_is_the_compiled_table() {
        let mut sources = crate::load::load_predefined(&Predefined::Embedded).unwrap_or_default();
        sources.add(
            "p.acl",
            "component \"C\" {\n    allow read X.*\n}\naccess_level \"L\" for customer {\n    deny read X.y\n    include \"C\"\n}\n",
            Origin::User,
        );
        let analysis = analyze(sources, &Options::default());
        let mut streamed = Vec::new();
        write(&analysis.model, &mut streamed).unwrap_or_default();
        let whole = to_json(&compile(&analysis.model));
        assert!(whole.contains("\"L\""));
        assert_eq!(String::from_utf8_lossy(&streamed), whole);
    }
}
