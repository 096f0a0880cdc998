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
//! request's names and two reads in a compact array, and allocates
//! nothing, whatever the number of rules. A service answering many
//! requests of one access level can look it up once ([`Table::level`]) and
//! decide through the [`Level`] handle.

mod access;
pub mod format;
mod hash;
mod index;
mod names;
mod table;

pub use access::{Access, Effect};
pub use format::{Block, DefaultAccessLevel, Document, Match, Permission, FORMAT_VERSION};
pub use table::{Decision, Error, Level, RuleRef, Table};
