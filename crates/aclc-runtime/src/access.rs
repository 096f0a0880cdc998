//! The access types and effects of a permission.

use std::fmt;

/// `allow` or `deny`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Grants.
    Allow,
    /// Withholds.
    Deny,
}

impl Effect {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
        }
    }

    /// Parse the keyword.
    pub fn parse(s: &str) -> Option<Effect> {
        match s {
            "allow" => Some(Effect::Allow),
            "deny" => Some(Effect::Deny),
            _ => None,
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One access type.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// View.
    Read,
    /// Modify.
    Update,
    /// Create.
    Insert,
    /// Remove.
    Delete,
}

impl Access {
    /// The four, in the order `all` expands to.
    pub const ALL: [Access; 4] = [Access::Read, Access::Update, Access::Insert, Access::Delete];

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Update => "update",
            Access::Insert => "insert",
            Access::Delete => "delete",
        }
    }

    /// Parse one access keyword (not `all`).
    pub fn parse(s: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Bit of this access type in a set of access types (`1 << index`).
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
