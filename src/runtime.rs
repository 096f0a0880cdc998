//! The compiled ACL table (`acl.json`, format version 2) and fast decisions
//! from it: the `aclc-runtime` crate, re-exported. A service that only
//! decides depends on `aclc-runtime` alone (serde and serde_json, no
//! parser); see docs/src/runtime.md.

pub use aclc_runtime::*;
