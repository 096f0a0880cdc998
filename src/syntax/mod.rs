//! Syntax: the pest grammar (`grammar/aclc.pest`) turned into a typed AST.

pub mod ast;
pub mod lexical;
mod parser;

pub use parser::{
    parse_file, parse_file_sharing, parse_items_sharing, parse_rules_sharing, quote, Names,
};
