//! The decision index built at load: names are classified once per
//! dimension (objects, attributes) by an exact-name lookup and a walk over
//! the prefixes the policy mentions; each access level maps object classes
//! to rows, and each row maps attribute classes to the four access types'
//! effects. A decision is a few hash lookups whose cost depends on the
//! length of the names, not on the number of rules.
//!
//! Classes. Every exact name and every prefix some permission mentions is
//! a class of its dimension; its `parent` is the longest prefix class that
//! contains it (for an exact name, possibly the prefix equal to it). The
//! classes containing a name are its own class and the chain of parents
//! above it. An access level (and each of its rows) stores only the
//! classes its own rules mention, minus those that decide exactly like the
//! nearest stored class above them; a name takes the value of the first
//! stored class on its chain, or the level's (row's) `other`.

use std::collections::HashMap;

use crate::access::Access;
use crate::format::{Document, Match};
use crate::hash::{IntMapRef, IntPool, StrMap};

/// No class: a name no exact name or prefix of the policy matches.
pub(crate) const NONE: u32 = u32::MAX;

/// The classes of one dimension.
#[derive(Clone, Debug, Default)]
pub(crate) struct Classifier {
    exact: StrMap,
    prefix: StrMap,
    /// Distinct byte lengths of the prefixes, longest first.
    lengths: Vec<u32>,
    /// Per class: the longest prefix class containing it, or [`NONE`].
    parent: Vec<u32>,
    /// Per class: how many classes contain it (itself included).
    depth: Vec<u32>,
}

impl Classifier {
    fn add(&mut self, m: Match, text: &str) {
        let map = match m {
            Match::Exact => &mut self.exact,
            Match::Prefix => &mut self.prefix,
            Match::Any => return,
        };
        let next = self.parent.len() as u32;
        if map.insert(text, next).is_ok() {
            self.parent.push(NONE);
            if m == Match::Prefix {
                self.lengths.push(text.len() as u32);
            }
        }
    }

    fn finish(&mut self, texts: &[(Match, &str)]) {
        self.lengths.sort_unstable_by(|a, b| b.cmp(a));
        self.lengths.dedup();
        for &(m, text) in texts {
            let Some(class) = self.class_of(m, text) else {
                continue;
            };
            let bytes = text.as_bytes();
            self.parent[class as usize] = match m {
                Match::Exact => self.longest_prefix(bytes, bytes.len()),
                _ => self.longest_prefix(bytes, bytes.len().saturating_sub(1)),
            };
        }
        self.depth = (0..self.parent.len() as u32)
            .map(|c| self.chain(c).count() as u32)
            .collect();
    }

    /// The class of a pattern (`None` for `any`).
    fn class_of(&self, m: Match, text: &str) -> Option<u32> {
        match m {
            Match::Exact => self.exact.get(text.as_bytes()),
            Match::Prefix => self.prefix.get(text.as_bytes()),
            Match::Any => None,
        }
    }

    /// The longest prefix class of `name` at most `max` bytes long.
    #[inline]
    fn longest_prefix(&self, name: &[u8], max: usize) -> u32 {
        let from = self.lengths.partition_point(|&l| l as usize > max);
        for &l in &self.lengths[from..] {
            if let Some(c) = name.get(..l as usize).and_then(|p| self.prefix.get(p)) {
                return c;
            }
        }
        NONE
    }

    /// The class of a name: its exact class, else its longest prefix class.
    #[inline]
    pub(crate) fn classify(&self, name: &str) -> u32 {
        let bytes = name.as_bytes();
        match self.exact.get(bytes) {
            Some(c) => c,
            None => self.longest_prefix(bytes, bytes.len()),
        }
    }

    /// `class` and the classes containing it, innermost first.
    fn chain(&self, class: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors((class != NONE).then_some(class), |&c| {
            let p = self.parent[c as usize];
            (p != NONE).then_some(p)
        })
    }

    #[inline]
    fn parent(&self, class: u32) -> u32 {
        self.parent[class as usize]
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Row {
    attributes: IntMapRef,
    /// Effects for attributes no stored class contains.
    other: u8,
}

#[derive(Clone, Copy, Debug, Default)]
struct Level {
    objects: IntMapRef,
    /// Row for objects no stored class contains.
    other: u32,
}

/// One permission of an access level's evaluation order, by class.
#[derive(Clone, Copy, Debug)]
struct Rule {
    bit: u8,
    allow: bool,
    attribute: u32,
}

/// Effects of the four access types: bit `a` set = access type `a` allowed.
type Effects = u8;

/// Rows built so far, by content (stored attribute classes and `other`),
/// so equal rows are shared.
type RowIds = HashMap<(Vec<(u32, Effects)>, Effects), u32>;

/// The decision index of a whole table.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    objects: Classifier,
    attributes: Classifier,
    object_maps: IntPool<u32>,
    attribute_maps: IntPool<Effects>,
    rows: Vec<Row>,
    levels: Vec<Level>,
}

impl Index {
    /// Index the access levels `levels` (each a list of block indexes in
    /// evaluation order) of `doc`. Block indexes must be in range.
    pub(crate) fn build<'d>(doc: &'d Document, levels: impl Iterator<Item = &'d [u32]>) -> Index {
        let mut index = Index::default();
        let mut objects = Vec::new();
        let mut attributes = Vec::new();
        for b in &doc.blocks {
            for p in &b.permissions {
                index.objects.add(p.object_match, &p.object);
                index.attributes.add(p.attribute_match, &p.attribute);
                objects.push((p.object_match, p.object.as_str()));
                attributes.push((p.attribute_match, p.attribute.as_str()));
            }
        }
        index.objects.finish(&objects);
        index.attributes.finish(&attributes);
        drop((objects, attributes));
        let mut rows: RowIds = HashMap::new();
        let mut builder = Builder::default();
        for order in levels {
            let level = builder.level(&mut index, &mut rows, doc, order);
            index.levels.push(level);
        }
        index
    }

    /// The decision of level `level` (an index given in build order).
    #[inline]
    pub(crate) fn allows(&self, level: u32, access: Access, object: &str, attribute: &str) -> bool {
        let level = self.levels[level as usize];
        let mut o = self.objects.classify(object);
        let row = loop {
            if o == NONE {
                break level.other;
            }
            if let Some(r) = self.object_maps.get(level.objects, o) {
                break r;
            }
            o = self.objects.parent(o);
        };
        let row = self.rows[row as usize];
        let mut a = self.attributes.classify(attribute);
        let effects = loop {
            if a == NONE {
                break row.other;
            }
            if let Some(e) = self.attribute_maps.get(row.attributes, a) {
                break e;
            }
            a = self.attributes.parent(a);
        };
        effects & access.bit() != 0
    }

    /// Bytes the index holds (approximately).
    pub(crate) fn bytes(&self) -> usize {
        self.object_maps.bytes()
            + self.attribute_maps.bytes()
            + self.rows.len() * std::mem::size_of::<Row>()
            + self.levels.len() * std::mem::size_of::<Level>()
    }

    /// Number of distinct rows.
    pub(crate) fn rows(&self) -> usize {
        self.rows.len()
    }
}

/// Scratch space reused across levels.
#[derive(Default)]
struct Builder {
    rules: Vec<Rule>,
    by_object: HashMap<u32, Vec<u32>>,
    any_object: Vec<u32>,
    list: Vec<u32>,
    kept: Vec<u32>,
    chain: Vec<u32>,
}

impl Builder {
    fn level(
        &mut self,
        index: &mut Index,
        rows: &mut RowIds,
        doc: &Document,
        order: &[u32],
    ) -> Level {
        self.rules.clear();
        self.by_object.clear();
        self.any_object.clear();
        for &b in order {
            let Some(block) = doc.blocks.get(b as usize) else {
                continue;
            };
            for p in &block.permissions {
                let object = index.objects.class_of(p.object_match, &p.object);
                let attribute = index.attributes.class_of(p.attribute_match, &p.attribute);
                let i = self.rules.len() as u32;
                self.rules.push(Rule {
                    bit: p.access.bit(),
                    allow: p.effect == crate::Effect::Allow,
                    attribute: attribute.unwrap_or(NONE),
                });
                match object {
                    Some(c) => self.by_object.entry(c).or_default().push(i),
                    None => self.any_object.push(i),
                }
            }
        }
        let mut classes: Vec<u32> = self.by_object.keys().copied().collect();
        classes.sort_unstable_by_key(|&c| (index.objects.depth[c as usize], c));
        self.list.clone_from(&self.any_object);
        let other = self.row(index, rows);
        let mut stored: HashMap<u32, u32> = HashMap::new();
        for &c in &classes {
            self.list.clear();
            self.list.extend_from_slice(&self.any_object);
            for k in index.objects.chain(c) {
                if let Some(l) = self.by_object.get(&k) {
                    self.list.extend_from_slice(l);
                }
            }
            self.list.sort_unstable();
            let row = self.row(index, rows);
            let inherited = index
                .objects
                .chain(c)
                .skip(1)
                .find_map(|k| stored.get(&k).copied())
                .unwrap_or(other);
            if row != inherited {
                stored.insert(c, row);
            }
        }
        let mut entries: Vec<(u32, u32)> = stored.into_iter().collect();
        entries.sort_unstable();
        Level {
            objects: index.object_maps.add(&entries),
            other,
        }
    }

    /// The row of the rules in `self.list` (indexes into `self.rules`, in
    /// evaluation order), shared with an equal row built before.
    fn row(&mut self, index: &mut Index, rows: &mut RowIds) -> u32 {
        // Rules after an any-attribute rule of the same access type never
        // decide.
        self.kept.clear();
        let mut done = 0u8;
        for &i in &self.list {
            let r = self.rules[i as usize];
            if done & r.bit != 0 {
                continue;
            }
            self.kept.push(i);
            if r.attribute == NONE {
                done |= r.bit;
                if done == 0xF {
                    break;
                }
            }
        }
        let effects = |chain: &[u32]| -> Effects {
            let (mut decided, mut allowed) = (0u8, 0u8);
            for &i in &self.kept {
                let r = self.rules[i as usize];
                if decided & r.bit != 0 {
                    continue;
                }
                if r.attribute == NONE || chain.contains(&r.attribute) {
                    decided |= r.bit;
                    if r.allow {
                        allowed |= r.bit;
                    }
                    if decided == 0xF {
                        break;
                    }
                }
            }
            allowed
        };
        let other = effects(&[]);
        let mut classes: Vec<u32> = self
            .kept
            .iter()
            .map(|&i| self.rules[i as usize].attribute)
            .filter(|&a| a != NONE)
            .collect();
        classes.sort_unstable();
        classes.dedup();
        classes.sort_unstable_by_key(|&c| (index.attributes.depth[c as usize], c));
        let mut stored: HashMap<u32, Effects> = HashMap::new();
        for &c in &classes {
            self.chain.clear();
            self.chain.extend(index.attributes.chain(c));
            let e = effects(&self.chain);
            let inherited = self.chain[1..]
                .iter()
                .find_map(|k| stored.get(k).copied())
                .unwrap_or(other);
            if e != inherited {
                stored.insert(c, e);
            }
        }
        let mut stored: Vec<(u32, Effects)> = stored.into_iter().collect();
        stored.sort_unstable();
        let next = index.rows.len() as u32;
        let key = (stored, other);
        if let Some(&id) = rows.get(&key) {
            return id;
        }
        let attributes = index.attribute_maps.add(&key.0);
        index.rows.push(Row { attributes, other });
        rows.insert(key, next);
        next
    }
}
