//! The serde types of `acl.json`, format version 2 (normalized: each block
//! once with its own permissions, and per access level the evaluation order
//! of the blocks that decide something for it).

use serde::{Deserialize, Serialize};

use crate::access::{Access, Effect};

/// Version of the `acl.json` format written and read.
pub const FORMAT_VERSION: u32 = 2;

/// The whole compiled policy set (`acl.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Format version ([`FORMAT_VERSION`]).
    pub version: u32,
    /// Every access level and component once, predefined first, in
    /// declaration order; `order` refers to blocks by index in this list.
    pub blocks: Vec<Block>,
    /// Default access levels per scope.
    pub defaults: Vec<DefaultAccessLevel>,
    /// Declared resellers.
    pub resellers: Vec<String>,
}

/// One access level or component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
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
    /// Direct includes, in order (names of blocks).
    pub includes: Vec<String>,
    /// Own permissions in order, one entry per access type (a statement
    /// naming three access types gives three adjacent entries).
    pub permissions: Vec<Permission>,
    /// Access levels: indexes into [`Document::blocks`] in evaluation order,
    /// the access level itself first, keeping only the blocks that decide
    /// at least one request for it. `None` for components.
    pub order: Option<Vec<u32>>,
}

#[cfg(test)]
impl Block {
    /// A plain user access level (no metadata, no includes), for tests.
    pub(crate) fn user(name: &str, permissions: Vec<Permission>, order: Option<Vec<u32>>) -> Block {
        Block {
            name: name.to_string(),
            kind: "user".to_string(),
            predefined: false,
            hidden: false,
            group: None,
            subsystem: None,
            description: None,
            visible_to: Vec::new(),
            includes: Vec::new(),
            permissions,
            order,
        }
    }
}

/// How a permission's object or attribute matches a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// The name itself.
    Exact,
    /// Every name that starts with the text (a pattern `Text*`).
    Prefix,
    /// Every name (`*`).
    Any,
}

impl Match {
    /// `exact`, `prefix` or `any`.
    pub fn as_str(self) -> &'static str {
        match self {
            Match::Exact => "exact",
            Match::Prefix => "prefix",
            Match::Any => "any",
        }
    }

    /// Whether a pattern of this kind with this text matches `name`.
    pub fn matches(self, text: &str, name: &str) -> bool {
        match self {
            Match::Exact => text == name,
            Match::Prefix => name.starts_with(text),
            Match::Any => true,
        }
    }
}

/// One own permission for one access type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    /// Allow or deny.
    pub effect: Effect,
    /// The access type.
    pub access: Access,
    /// How the object matches.
    pub object_match: Match,
    /// The object name, the prefix without its `*`, or `*`.
    pub object: String,
    /// How the attribute matches.
    pub attribute_match: Match,
    /// The attribute name, the prefix without its `*`, or `*`.
    pub attribute: String,
}

impl Permission {
    /// Whether the permission decides this request.
    pub fn matches(&self, access: Access, object: &str, attribute: &str) -> bool {
        self.access == access
            && self.object_match.matches(&self.object, object)
            && self.attribute_match.matches(&self.attribute, attribute)
    }
}

/// A default access level in a scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultAccessLevel {
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
