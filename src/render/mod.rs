//! One converter per output format, all from the one diagnostic model.

pub mod diff;
pub mod github;
pub mod json;
pub mod sarif;
pub mod terminal;
