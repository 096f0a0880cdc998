//! `acl.json`: the compiled policy (DESIGN §6).

use crate::model::{AccessLevel, Model, Scope};
use crate::runtime::{
    CompiledAcl, CompiledDefault, CompiledPermission, CompiledPolicy, EffectiveRow, FORMAT_VERSION,
};
use crate::source::Origin;
use crate::syntax::ast::Pattern;

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

/// Compile the whole model.
pub fn compile(model: &Model) -> CompiledPolicy {
    let defaults = model
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
        .collect();
    CompiledPolicy {
        version: FORMAT_VERSION,
        access_levels: model.acls.iter().map(|a| compile_acl(model, a)).collect(),
        defaults,
        resellers: model
            .resellers
            .iter()
            .map(|r| r.name.node.clone())
            .collect(),
    }
}

/// Serialize as pretty JSON with a final newline (deterministic).
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()));
    s.push('\n');
    s
}
