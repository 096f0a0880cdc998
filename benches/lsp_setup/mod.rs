//! What the language server benchmarks share: a generated policy set
//! written to a temporary folder, and the edit each benchmark makes.

#![allow(dead_code, reason = "each benchmark uses part of it")]

use std::path::PathBuf;

use aclc::generate::{policy_set, Kind, Shape};

/// The file every benchmark edits or asks about.
pub const EDITED: &str = "generated-05.acl";

/// A generated policy set on disk.
pub struct Generated {
    /// The folder (removed when dropped).
    pub dir: tempfile::TempDir,
    /// Its canonical path (the workspace root).
    pub root: PathBuf,
    /// The path of [`EDITED`], as the workspace shows it.
    pub path: String,
    /// Its text.
    pub original: String,
    /// Its text with its first permission line written twice (the copy is
    /// a `redundant-rule`, so the file's findings change with every edit).
    pub edited: String,
}

/// A set of `permissions` permissions of `kind`, in 20 files (seed 1).
pub fn generated(permissions: usize, kind: Kind) -> Generated {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in policy_set(Shape {
        permissions,
        files: 20,
        seed: 1,
        kind,
    }) {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let root = dir.path().canonicalize().unwrap();
    let path = aclc::load::display(&root.join(EDITED));
    let original = std::fs::read_to_string(&path).unwrap();
    let line = original
        .lines()
        .find(|l| l.starts_with("    allow ") || l.starts_with("    deny "))
        .expect("a permission")
        .to_string();
    let edited = original.replacen(&line, &format!("{line}\n{line}"), 1);
    Generated {
        dir,
        root,
        path,
        original,
        edited,
    }
}

/// `KIND/PERMISSIONS` (as benchmark arguments) to a kind and a size.
pub fn parse_shape(shape: &str) -> (Kind, usize) {
    let (kind, permissions) = shape.split_once('/').unwrap();
    (Kind::from_name(kind).unwrap(), permissions.parse().unwrap())
}
