//! The compiled ACL table (`acl.json`) and a fast `decide` that needs no
//! parsing: a service loads the table once and answers decisions.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::syntax::ast::{Access, Effect, Pattern};

/// Version of the `acl.json` format.
pub const FORMAT_VERSION: u32 = 1;

/// The whole compiled policy (`acl.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledPolicy {
    /// Format version ([`FORMAT_VERSION`]).
    pub version: u32,
    /// Every access level and component, predefined first, in declaration order.
    pub access_levels: Vec<CompiledAcl>,
    /// Default access levels per scope.
    pub defaults: Vec<CompiledDefault>,
    /// Declared resellers.
    pub resellers: Vec<String>,
}

/// One access level or component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledAcl {
    /// Its name.
    pub name: String,
    /// `component` or the participant type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Shipped with the platform.
    pub predefined: bool,
    /// Visible to Root users only.
    pub hidden: bool,
    /// `group`.
    pub group: Option<String>,
    /// `subsystem`.
    pub subsystem: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Resellers it is visible to.
    pub visible_to: Vec<String>,
    /// Direct includes, in order.
    pub includes: Vec<String>,
    /// Own permissions, in order, as written.
    pub permissions: Vec<CompiledPermission>,
    /// The flattened effective rule list, one row per access type.
    pub effective: Vec<EffectiveRow>,
}

/// An own permission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledPermission {
    /// Allow or deny.
    pub effect: Effect,
    /// Access types named.
    pub access: Vec<Access>,
    /// Object pattern as written (`Name`, `Prefix*`, `*`).
    pub object: String,
    /// Attribute pattern as written.
    pub attribute: String,
}

/// One row of an effective rule list (the `effective_permissions` table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveRow {
    /// 0-based; first match first.
    pub position: usize,
    /// One access type.
    pub access: Access,
    /// Allow or deny.
    pub effect: Effect,
    /// `exact`, `prefix` or `any`.
    pub object_match: String,
    /// The name, the prefix without `*`, or `*`.
    pub object: String,
    /// `exact`, `prefix` or `any`.
    pub attribute_match: String,
    /// The name, the prefix without `*`, or `*`.
    pub attribute: String,
    /// The access level that defines the rule.
    pub origin: String,
}

/// A default access level in a scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledDefault {
    /// `predefined`, `all` or `environment`.
    pub scope: String,
    /// The environment, for scope `environment`.
    pub environment: Option<String>,
    /// The participant type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The access level.
    pub access_level: String,
}

/// A pattern from its `*_match` kind and text.
pub fn pattern_of(kind: &str, text: &str) -> Option<Pattern> {
    match kind {
        "any" => Some(Pattern::Any),
        "prefix" => Some(Pattern::Prefix(text.into())),
        "exact" => Some(Pattern::Exact(text.into())),
        _ => None,
    }
}

/// One effective rule, ready to match.
type Matcher = (Pattern, Pattern, Effect);

/// A compiled policy indexed for decisions.
#[derive(Debug)]
pub struct Decider {
    // Access level → per access type, the rules in order.
    rules: HashMap<String, [Vec<Matcher>; 4]>,
}

impl Decider {
    /// Index a compiled policy. Fails on a row with an unknown match kind.
    pub fn new(policy: &CompiledPolicy) -> Result<Decider, String> {
        let mut rules = HashMap::with_capacity(policy.access_levels.len());
        for acl in &policy.access_levels {
            let mut per_access: [Vec<Matcher>; 4] = Default::default();
            let mut rows: Vec<&EffectiveRow> = acl.effective.iter().collect();
            rows.sort_by_key(|r| r.position);
            for r in rows {
                let object = pattern_of(&r.object_match, &r.object).ok_or_else(|| {
                    format!(
                        "access level `{}`: unknown object_match `{}`",
                        acl.name, r.object_match
                    )
                })?;
                let attribute = pattern_of(&r.attribute_match, &r.attribute).ok_or_else(|| {
                    format!(
                        "access level `{}`: unknown attribute_match `{}`",
                        acl.name, r.attribute_match
                    )
                })?;
                per_access[r.access as usize].push((object, attribute, r.effect));
            }
            rules.insert(acl.name.clone(), per_access);
        }
        Ok(Decider { rules })
    }

    /// Parse `acl.json` and index it.
    pub fn from_json(json: &str) -> Result<Decider, String> {
        let policy: CompiledPolicy =
            serde_json::from_str(json).map_err(|e| format!("not a valid acl.json: {e}"))?;
        if policy.version != FORMAT_VERSION {
            return Err(format!(
                "acl.json format version {} is not supported (expected {FORMAT_VERSION})",
                policy.version
            ));
        }
        Decider::new(&policy)
    }

    /// The decision, or `None` for an unknown access level.
    pub fn decide(
        &self,
        acl: &str,
        access: Access,
        object: &str,
        attribute: &str,
    ) -> Option<Effect> {
        let rules = &self.rules.get(acl)?[access as usize];
        Some(
            rules
                .iter()
                .find(|(o, a, _)| o.matches(object) && a.matches(attribute))
                .map_or(Effect::Deny, |r| r.2),
        )
    }
}
