//! aclc: a policy-as-code compiler and linter for the access-control lists
//! of a telecom billing platform.
//!
//! The library does all the work and no I/O of its own beyond what
//! [`load`] offers to front ends: [`syntax`] parses, [`model`] resolves,
//! [`analysis`] lints, [`emit`] compiles, [`runtime`] decides from a compiled
//! table. The command line and (later) the language server only gather
//! input, call [`analysis::analyze`], and render.

pub mod analysis;
pub mod audit;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod fmt;
pub mod generate;
pub mod load;
pub mod lsp;
pub mod model;
pub mod render;
pub mod runtime;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod workspace;
