//! Compiling a checked model to the runtime tables.

pub mod json;
pub mod sql;
