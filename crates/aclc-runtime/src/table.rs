//! [`Table`]: a loaded `acl.json` with its decision index.

use std::fmt;
use std::path::Path;

use crate::access::{Access, Effect};
use crate::format::{Document, FORMAT_VERSION};
use crate::hash::StrMap;
use crate::index::Index;
use crate::names::{NameMap, ABSENT};

/// Why a table could not be loaded.
#[derive(Debug)]
pub enum Error {
    /// The file could not be read.
    Io {
        /// The file.
        path: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The text is not a valid `acl.json`.
    Json(serde_json::Error),
    /// The format version is not [`FORMAT_VERSION`].
    Version(u32),
    /// The document is inconsistent (a message says where).
    Invalid(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "cannot read `{path}`: {source}"),
            Error::Json(e) => write!(f, "not a valid acl.json: {e}"),
            Error::Version(v) => write!(
                f,
                "acl.json format version {v} is not supported (expected {FORMAT_VERSION}); rebuild it with this version of aclc"
            ),
            Error::Invalid(m) => write!(f, "not a valid acl.json: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Json(e) => Some(e),
            _ => None,
        }
    }
}

/// The permission that decided a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleRef {
    /// Index of its block in [`Document::blocks`].
    pub block: u32,
    /// Index of the permission in the block's `permissions`.
    pub permission: u32,
}

/// A decision with the permission that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Allow or deny.
    pub effect: Effect,
    /// The deciding permission; `None`: no permission matches (deny).
    pub rule: Option<RuleRef>,
}

/// One access level of a [`Table`] ([`Table::level`]): decides without
/// looking the access level's name up. Cheap to copy.
#[derive(Clone, Copy, Debug)]
pub struct Level<'t> {
    table: &'t Table,
    level: u32,
}

impl<'t> Level<'t> {
    /// The decision for `access` on `object`.`attribute`, as
    /// [`Table::decide`] gives it for this access level. Allocates nothing.
    #[inline]
    pub fn decide(&self, access: Access, object: &str, attribute: &str) -> Effect {
        if self
            .table
            .index
            .allows(self.level, access, object, attribute)
        {
            Effect::Allow
        } else {
            Effect::Deny
        }
    }

    /// The access level's name.
    pub fn name(&self) -> &'t str {
        self.table
            .levels
            .get(self.level as usize)
            .and_then(|&b| self.table.document.blocks.get(b as usize))
            .map_or("", |b| b.name.as_str())
    }

    /// [`Table::explain`] for this access level.
    pub fn explain(&self, access: Access, object: &str, attribute: &str) -> Decision {
        self.table
            .explain_level(self.level, access, object, attribute)
    }
}

/// A compiled table, loaded and indexed for decisions. Immutable; share
/// it between threads (`Send + Sync`) and reload by building a new one.
#[derive(Clone, Debug)]
pub struct Table {
    document: Document,
    /// Access level name → its index among `levels`.
    names: NameMap,
    /// Per indexed access level: its block index.
    levels: Vec<u32>,
    index: Index,
}

impl Table {
    /// Read and index `acl.json`.
    pub fn load(path: impl AsRef<Path>) -> Result<Table, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Table::from_json(&text)
    }

    /// Parse and index the text of `acl.json`.
    pub fn from_json(json: &str) -> Result<Table, Error> {
        #[derive(serde::Deserialize)]
        struct Version {
            version: u32,
        }
        // One parse; only when it fails is the version read alone, so an
        // old table gets the right message.
        match serde_json::from_str::<Document>(json) {
            Ok(document) => Table::new(document),
            Err(e) => match serde_json::from_str::<Version>(json) {
                Ok(v) if v.version != FORMAT_VERSION => Err(Error::Version(v.version)),
                _ => Err(Error::Json(e)),
            },
        }
    }

    /// Index a document. Every block with an `order` (the access levels)
    /// is indexed; fails on a version other than [`FORMAT_VERSION`], an
    /// `order` index out of range, or two blocks of one name.
    pub fn new(document: Document) -> Result<Table, Error> {
        Table::indexed(document, true)
    }

    /// [`Table::new`]; `flat`: whether the index may take its flat form
    /// (the tests compare both forms).
    pub(crate) fn indexed(document: Document, flat: bool) -> Result<Table, Error> {
        if document.version != FORMAT_VERSION {
            return Err(Error::Version(document.version));
        }
        let n = document.blocks.len();
        let mut all = StrMap::default();
        let mut names = StrMap::default();
        let mut levels = Vec::new();
        for (i, b) in document.blocks.iter().enumerate() {
            if all.insert(&b.name, i as u32).is_err() {
                return Err(Error::Invalid(format!("two blocks are named `{}`", b.name)));
            }
            let Some(order) = &b.order else { continue };
            if let Some(bad) = order.iter().find(|&&k| k as usize >= n) {
                return Err(Error::Invalid(format!(
                    "the order of `{}` names block {bad}, but there are {n} blocks",
                    b.name
                )));
            }
            let _ = names.insert(&b.name, levels.len() as u32);
            levels.push(i as u32);
        }
        let index = Index::build(
            &document,
            levels.iter().map(|&b| {
                document.blocks[b as usize]
                    .order
                    .as_deref()
                    .unwrap_or_default()
            }),
            flat,
        );
        Ok(Table {
            document,
            names: NameMap::build(&names),
            levels,
            index,
        })
    }

    /// The decision of access level `acl` for `access` on
    /// `object`.`attribute`: the first matching permission of the blocks of
    /// its evaluation order, `deny` when none matches. `None` when no access
    /// level has that name (components are not decided on their own).
    /// Allocates nothing.
    ///
    /// A service deciding many requests for one access level can look it
    /// up once with [`Table::level`] and decide through the handle.
    #[inline]
    pub fn decide(
        &self,
        acl: &str,
        access: Access,
        object: &str,
        attribute: &str,
    ) -> Option<Effect> {
        Some(self.level(acl)?.decide(access, object, attribute))
    }

    /// The access level named `acl`, to decide for it without looking its
    /// name up again; `None` when no access level has that name.
    ///
    /// ```
    /// # use aclc_runtime::{Access, Document, Effect, Table};
    /// # fn demo(table: &Table) -> Option<()> {
    /// let level = table.level("Premium customer")?;
    /// let effect = level.decide(Access::Read, "SelfCare", "identity");
    /// # let _ = effect;
    /// # Some(())
    /// # }
    /// ```
    #[inline]
    pub fn level(&self, acl: &str) -> Option<Level<'_>> {
        let level = self.names.get(acl.as_bytes());
        (level != ABSENT).then_some(Level { table: self, level })
    }

    /// Like [`Table::decide`], also naming the deciding permission. Walks
    /// the access level's permissions in evaluation order (the definition
    /// of a decision, as the SQL decision query does), so it costs the
    /// number of permissions before the deciding one: for explaining, not
    /// for the hot path.
    pub fn explain(
        &self,
        acl: &str,
        access: Access,
        object: &str,
        attribute: &str,
    ) -> Option<Decision> {
        let level = self.level(acl)?.level;
        Some(self.explain_level(level, access, object, attribute))
    }

    fn explain_level(&self, level: u32, access: Access, object: &str, attribute: &str) -> Decision {
        let order = self
            .levels
            .get(level as usize)
            .and_then(|&b| self.document.blocks.get(b as usize))
            .and_then(|b| b.order.as_deref())
            .unwrap_or_default();
        for &b in order {
            let perms = &self.document.blocks[b as usize].permissions;
            if let Some(k) = perms
                .iter()
                .position(|p| p.matches(access, object, attribute))
            {
                return Decision {
                    effect: perms[k].effect,
                    rule: Some(RuleRef {
                        block: b,
                        permission: k as u32,
                    }),
                };
            }
        }
        Decision {
            effect: Effect::Deny,
            rule: None,
        }
    }

    /// The table as loaded.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The names of the access levels it decides for, in table order.
    pub fn access_levels(&self) -> impl Iterator<Item = &str> + '_ {
        self.levels
            .iter()
            .map(|&b| self.document.blocks[b as usize].name.as_str())
    }

    /// Size of the decision index: (distinct rows, approximate bytes).
    pub fn index_size(&self) -> (usize, usize) {
        (self.index.rows(), self.index.bytes())
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::panic,
        reason = "a test fails by panicking"
    )]

    use super::*;
    use crate::format::{Block, Match, Permission};

    /// Pseudo-random numbers below `n` (xorshift, deterministic).
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    /// Names that are prefixes of each other, and the empty name.
    const OBJECTS: &[&str] = &["", "A", "AB", "ABC", "B"];
    const ATTRIBUTES: &[&str] = &["", "x", "xy", "y"];
    const OBJECT_NAMES: &[&str] = &["", "A", "AB", "ABC", "ABCD", "AC", "B", "Bz", "Z", "é"];
    const ATTRIBUTE_NAMES: &[&str] = &["", "x", "xy", "xyz", "xz", "y", "q"];

    fn pattern(rng: &mut Rng, names: &[&str]) -> (Match, String) {
        match rng.below(5) {
            0 => (Match::Any, "*".to_string()),
            1 | 2 => (Match::Prefix, rng.pick(names).to_string()),
            _ => (Match::Exact, rng.pick(names).to_string()),
        }
    }

    fn document(rng: &mut Rng) -> Document {
        let n = 1 + rng.below(6);
        let blocks = (0..n)
            .map(|i| {
                let permissions = (0..rng.below(9))
                    .map(|_| {
                        let (object_match, object) = pattern(rng, OBJECTS);
                        let (attribute_match, attribute) = pattern(rng, ATTRIBUTES);
                        Permission {
                            effect: if rng.below(2) == 0 {
                                Effect::Allow
                            } else {
                                Effect::Deny
                            },
                            access: Access::ALL[rng.below(4)],
                            object_match,
                            object,
                            attribute_match,
                            attribute,
                        }
                    })
                    .collect();
                // Most blocks are access levels: themselves first, then
                // some others in any order.
                let order = (rng.below(4) != 0).then(|| {
                    let mut order = vec![i as u32];
                    order.extend((0..rng.below(n + 1)).map(|_| rng.below(n) as u32));
                    order
                });
                Block::user(&format!("L{i}"), permissions, order)
            })
            .collect();
        Document {
            version: FORMAT_VERSION,
            blocks,
            defaults: Vec::new(),
            resellers: Vec::new(),
        }
    }

    /// An old or newer table is named by its version, whether or not the
    /// rest has this version's shape; other bad text is a JSON error.
    #[test]
    fn loading_tells_a_wrong_version_from_bad_json() {
        let old = r#"{"version": 1, "access_levels": [{"name": "A", "rules": []}]}"#;
        assert!(matches!(Table::from_json(old), Err(Error::Version(1))));
        let newer = r#"{"version": 3, "blocks": [], "defaults": [], "resellers": []}"#;
        assert!(matches!(Table::from_json(newer), Err(Error::Version(3))));
        let ok = r#"{"version": 2, "blocks": [], "defaults": [], "resellers": []}"#;
        assert!(Table::from_json(ok).is_ok());
        assert!(matches!(
            Table::from_json("{\"version\": 2"),
            Err(Error::Json(_))
        ));
        let missing = r#"{"version": 2, "blocks": []}"#;
        assert!(matches!(Table::from_json(missing), Err(Error::Json(_))));
    }

    /// Both forms of the index decide as the definition (`explain` walks
    /// the permissions in evaluation order), through `decide` and through
    /// a level handle.
    #[test]
    fn flat_and_sparse_indexes_decide_as_the_walk() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut flat_seen = false;
        for _ in 0..600 {
            let doc = document(&mut rng);
            let flat = Table::indexed(doc.clone(), true).unwrap();
            let sparse = Table::indexed(doc.clone(), false).unwrap();
            flat_seen |= flat.index.is_flat();
            assert!(!sparse.index.is_flat());
            for name in flat.access_levels() {
                let level = flat.level(name).unwrap();
                assert_eq!(level.name(), name);
                for access in Access::ALL {
                    for o in OBJECT_NAMES {
                        for a in ATTRIBUTE_NAMES {
                            let want = flat.explain(name, access, o, a).unwrap().effect;
                            assert_eq!(level.explain(access, o, a).effect, want);
                            assert_eq!(
                                flat.decide(name, access, o, a),
                                Some(want),
                                "{doc:?} {name} {access} {o}.{a}"
                            );
                            assert_eq!(level.decide(access, o, a), want);
                            assert_eq!(
                                sparse.decide(name, access, o, a),
                                Some(want),
                                "{doc:?} {name} {access} {o}.{a}"
                            );
                        }
                    }
                }
            }
            assert_eq!(flat.decide("nobody", Access::Read, "A", "x"), None);
            assert!(flat.level("L").is_none());
        }
        assert!(flat_seen);
    }
}
