//! The runtime of aclc's compiled ACL tables: load `acl.json` (format
//! version 2) and answer access decisions, with serde and serde_json as the
//! only dependencies — no parser, no analysis.
//!
//! ```no_run
//! use aclc_runtime::{Access, Effect, Table};
//!
//! let table = Table::load("dist/acl.json")?;
//! let effect = table.decide("Premium customer", Access::Read, "SelfCare", "identity");
//! assert_eq!(effect, Some(Effect::Deny));
//! # Ok::<(), aclc_runtime::Error>(())
//! ```
//!
//! At load, each access level is compiled into a decision index (see
//! [`Table::decide`]): a decision costs a few hash lookups over the
//! request's names and allocates nothing, whatever the number of rules.

mod access;
pub mod format;
mod hash;
mod index;
mod table;

pub use access::{Access, Effect};
pub use format::{Block, DefaultAccessLevel, Document, Match, Permission, FORMAT_VERSION};
pub use table::{Decision, Error, Level, RuleRef, Table};
