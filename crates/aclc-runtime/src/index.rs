//! The decision index built at load: names are classified once per
//! dimension (objects, attributes) by an exact-name lookup and a walk over
//! the prefixes the policy mentions; each access level maps object classes
//! to rows, and each row maps attribute classes to the four access types'
//! effects. A decision is a few hash lookups whose cost depends on the
//! length of the names, not on the number of rules.
//!
//! Those maps are then resolved into the flat form ([`Flat`]) when it fits
//! the memory budget (it does by far on the generated sets): every class
//! resolved, rows numbered per object class and bit-packed, so a decision
//! is the name lookups plus two reads in a few megabytes.
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
use crate::hash::{IdBuild, IntMapRef, IntPool, StrMap};
use crate::names::{NameMap, ABSENT};

/// No class: a name no exact name or prefix of the policy matches.
pub(crate) const NONE: u32 = u32::MAX;

/// The classes of one dimension.
#[derive(Clone, Debug, Default)]
pub(crate) struct Classifier {
    /// Exact names while the classes are made; moved to `names` at the end.
    exact: StrMap,
    /// The exact names, for lookups.
    names: NameMap,
    prefix: StrMap,
    /// Whether any prefix class exists (else a name no exact class has is
    /// of no class, with no walk).
    prefixes: bool,
    /// The prefixes, for the longest one a name starts with.
    trie: Trie,
    /// Per class: the longest prefix class containing it, or [`NONE`].
    parent: Vec<u32>,
    /// Per class: how many classes contain it (itself included).
    depth: Vec<u32>,
    /// Per class: whether it is a prefix class.
    is_prefix: Vec<bool>,
}

/// A byte trie of the prefixes of one dimension: the longest prefix a name
/// starts with in one walk over its bytes, stopping at the first byte no
/// prefix continues with (no hashing per length).
#[derive(Clone, Debug)]
struct Trie {
    /// Per node: its children (byte, node), sorted by byte, and the class
    /// of the prefix ending here ([`NONE`] if none).
    nodes: Vec<(Vec<(u8, u32)>, u32)>,
}

impl Default for Trie {
    fn default() -> Trie {
        Trie {
            nodes: vec![(Vec::new(), NONE)],
        }
    }
}

impl Trie {
    fn add(&mut self, text: &[u8], class: u32) {
        let mut node = 0usize;
        for &b in text {
            let next = self.nodes.len() as u32;
            let children = &mut self.nodes[node].0;
            node = match children.binary_search_by_key(&b, |e| e.0) {
                Ok(k) => children[k].1 as usize,
                Err(k) => {
                    children.insert(k, (b, next));
                    self.nodes.push((Vec::new(), NONE));
                    next as usize
                }
            };
        }
        self.nodes[node].1 = class;
    }

    /// The class of the longest prefix of `name`, at most `max` bytes
    /// long, or [`NONE`].
    #[inline]
    fn longest(&self, name: &[u8], max: usize) -> u32 {
        let Some(root) = self.nodes.first() else {
            return NONE;
        };
        let mut best = root.1;
        let mut children = &root.0;
        for &b in name.iter().take(max) {
            let next = if children.len() <= 8 {
                children.iter().find(|e| e.0 == b).map(|e| e.1)
            } else {
                children
                    .binary_search_by_key(&b, |e| e.0)
                    .ok()
                    .map(|k| children[k].1)
            };
            let Some(node) = next.and_then(|n| self.nodes.get(n as usize)) else {
                break;
            };
            if node.1 != NONE {
                best = node.1;
            }
            children = &node.0;
        }
        best
    }
}

impl Classifier {
    /// Add a pattern's class if new; its class ([`NONE`] for `any`).
    fn add(&mut self, m: Match, text: &str) -> u32 {
        let map = match m {
            Match::Exact => &mut self.exact,
            Match::Prefix => &mut self.prefix,
            Match::Any => return NONE,
        };
        let next = self.parent.len() as u32;
        match map.insert(text, next) {
            Ok(()) => {
                self.parent.push(NONE);
                self.is_prefix.push(m == Match::Prefix);
                if m == Match::Prefix {
                    self.trie.add(text.as_bytes(), next);
                }
                next
            }
            Err(class) => class,
        }
    }

    /// Link each class to its parent; `texts`: each class's pattern, in
    /// class order.
    fn finish(&mut self, texts: &[(Match, &str)]) {
        for (class, &(m, text)) in texts.iter().enumerate() {
            let bytes = text.as_bytes();
            self.parent[class] = match m {
                Match::Exact => self.longest_prefix(bytes, bytes.len()),
                // The empty prefix contains every name and nothing
                // contains it (it must not be its own parent).
                _ if bytes.is_empty() => NONE,
                _ => self.longest_prefix(bytes, bytes.len() - 1),
            };
        }
        self.depth = (0..self.parent.len() as u32)
            .map(|c| self.chain(c).count() as u32)
            .collect();
        self.names = NameMap::build(&std::mem::take(&mut self.exact));
        self.prefixes = self.prefix.len() > 0;
    }

    /// The longest prefix class of `name` (out of line: the exact lookup
    /// stays small where it is inlined).
    #[inline(never)]
    fn longest_prefix_of(&self, name: &[u8]) -> u32 {
        self.trie.longest(name, name.len())
    }

    /// The longest prefix class of `name` at most `max` bytes long.
    #[inline]
    fn longest_prefix(&self, name: &[u8], max: usize) -> u32 {
        self.trie.longest(name, max)
    }

    /// The class of a name: its exact class, else its longest prefix class.
    #[inline(always)]
    pub(crate) fn classify(&self, name: &str) -> u32 {
        let bytes = name.as_bytes();
        let c = self.names.get(bytes);
        if c == ABSENT && self.prefixes {
            return self.longest_prefix_of(bytes);
        }
        c
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

    /// Whether a class is a prefix (other classes may lie inside it).
    fn is_prefix(&self, class: u32) -> bool {
        self.is_prefix.get(class as usize).copied().unwrap_or(false)
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
    /// Object class → its row (the row itself, not its id: one memory
    /// access less per decision).
    objects: IntMapRef,
    /// Row for objects no stored class contains.
    other: Row,
}

/// Effects of the four access types: bit `a` set = access type `a` allowed.
type Effects = u8;

/// A partial first-match decision of the four access types: the low nibble
/// holds the access types decided so far, the high nibble those of them
/// allowed.
type Partial = u8;

/// `p` then `q`: what `p` leaves undecided, `q` decides.
#[inline]
fn then(p: Partial, q: Partial) -> Partial {
    let decided = p & 0xF;
    let new = q & 0xF & !decided;
    decided | new | (p & 0xF0) | ((q >> 4) & new) << 4
}

/// A permission decided for access type `bit`: allow or deny.
#[inline]
fn decided(bit: u8, allow: bool) -> Partial {
    bit | if allow { bit << 4 } else { 0 }
}

/// Rows built so far, by content (stored attribute classes and `other`),
/// so equal rows are shared.
type RowIds = HashMap<(Vec<(u32, Effects)>, Effects), u32, IdBuild>;

/// The decision index of a whole table.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    objects: Classifier,
    attributes: Classifier,
    object_maps: IntPool<Row>,
    attribute_maps: IntPool<Effects>,
    /// Distinct rows, by id (at load; levels hold copies).
    rows: Vec<Row>,
    levels: Vec<Level>,
    /// The same decisions with every class resolved ([`Flat`]), when that
    /// fits the memory budget; then the maps above are dropped.
    flat: Option<Flat>,
    /// Number of distinct rows.
    row_count: usize,
}

/// Per access level, as built: its stored object classes with their row
/// ids (sorted by class) and the row id of the objects of no stored class.
pub(crate) struct LevelRows {
    stored: Vec<(u32, u32)>,
    other: u32,
}

/// The flat form of the index: every object class and every attribute
/// class resolved, so a decision is two reads in small arrays after
/// classifying the names (the classifiers are shared by all access levels).
///
/// Per object class (a column; the last one: objects of no class), the
/// distinct rows the access levels give it are numbered, most frequent
/// first, and each access level's row number is stored in as few bits as
/// the column needs. The attribute classes that every row of a column
/// decides alike are merged (`kinds`), and per (kind, access type) a set
/// of the column's rows holds those that allow it: one bit per row, so
/// where a decision reads depends on the names and the access type alone
/// up to the row's word, and that read starts while the row number is
/// read (at a million permissions the two reads are in a few megabytes,
/// beyond the second-level cache: the second one no longer waits for the
/// first). At a million permissions a column has a few hundred rows and
/// a couple of dozen kinds, so the whole form is a few megabytes.
#[derive(Clone, Debug)]
struct Flat {
    stride: usize,
    width: usize,
    columns: Vec<Column>,
    /// Row numbers, bit-packed, column after column (level-major inside a
    /// column), plus eight bytes of padding.
    cells: Vec<u8>,
    /// `kinds[o * width + a]`: the kind of attribute class `a` (the last:
    /// attributes of no class) in column `o`.
    kinds: Kinds,
    /// Per column, per (kind, access type): the set of its rows that
    /// allow it ([`Column::words`] words, aligned to their size).
    allowed: Vec<Line>,
    /// 0, read at run time: see [`Flat::allows`].
    zero: u64,
}

/// Eight words on a cache line of their own.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
struct Line([u64; 8]);

impl Flat {
    /// Word `i` of `allowed`.
    #[inline(always)]
    fn word(&self, i: usize) -> u64 {
        self.allowed.get(i / 8).map_or(0, |l| l.0[i % 8])
    }
}

/// Where one column lives in a [`Flat`].
#[derive(Clone, Copy, Debug, Default)]
struct Column {
    /// First bit of its cells.
    cells: u64,
    /// Bits per cell (0 when it has one row).
    bits: u32,
    /// First word of its row sets in `allowed`.
    rows: u32,
    /// Words per row set.
    words: u32,
}

/// Kinds in the narrowest integer that holds them all.
#[derive(Clone, Debug)]
enum Kinds {
    U8(Vec<u8>),
    U16(Vec<u16>),
}

impl Kinds {
    #[inline]
    fn get(&self, i: usize) -> usize {
        match self {
            Kinds::U8(v) => v.get(i).map_or(0, |&k| k as usize),
            Kinds::U16(v) => v.get(i).map_or(0, |&k| k as usize),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Kinds::U8(v) => v.len(),
            Kinds::U16(v) => v.len() * 2,
        }
    }
}

/// The flat form may take this many bytes whatever the maps take.
const FLAT_BYTES: usize = 64 << 20;

/// Bits to number `n` things.
fn bits_for(n: usize) -> u32 {
    if n <= 1 {
        0
    } else {
        usize::BITS - (n - 1).leading_zeros()
    }
}

impl Flat {
    /// An upper bound of the memory the flat form of `index` with `levels`
    /// access levels takes, and the scratch space building it takes.
    fn size(index: &Index, levels: usize) -> usize {
        let stride = index.objects.parent.len() + 1;
        let width = index.attributes.parent.len() + 1;
        if width > 1 << 16 {
            // Kinds are numbered in 16 bits.
            return usize::MAX;
        }
        let rows = index.rows.len();
        levels
            .saturating_mul(stride)
            .saturating_mul(4 + bits_for(rows) as usize / 8 + 1)
            .saturating_add(rows.saturating_mul(width))
            .saturating_add(stride.saturating_mul(width).saturating_mul(2))
    }

    /// The flat form, or `None` when it would take more than `budget`
    /// bytes (row sets take a word per (kind, access type) even for a
    /// column of few rows: [`Flat::size`] cannot bound them beforehand).
    fn build(index: &Index, levels: &[LevelRows], budget: usize) -> Option<Flat> {
        let stride = index.objects.parent.len() + 1;
        let width = index.attributes.parent.len() + 1;
        // Global row id per (column, level): column-major.
        let n = levels.len();
        let mut ids = vec![0u32; n * stride];
        // Per object class: its stored row in the current level, or NONE.
        let mut own = vec![NONE; stride];
        for (l, level) in levels.iter().enumerate() {
            for &(c, r) in &level.stored {
                own[c as usize] = r;
            }
            for o in 0..stride {
                let mut c = if o + 1 == stride { NONE } else { o as u32 };
                ids[o * n + l] = loop {
                    if c == NONE {
                        break level.other;
                    }
                    let r = own[c as usize];
                    if r != NONE {
                        break r;
                    }
                    c = index.objects.parent(c);
                };
            }
            for &(c, _) in &level.stored {
                own[c as usize] = NONE;
            }
        }
        // Per global row: effects per attribute class (last: no class).
        let mut effects = vec![0u8; index.rows.len() * width];
        for (row, cells) in index.rows.iter().zip(effects.chunks_exact_mut(width)) {
            for (a, cell) in cells.iter_mut().enumerate() {
                let mut c = if a + 1 == width { NONE } else { a as u32 };
                *cell = loop {
                    if c == NONE {
                        break row.other;
                    }
                    if let Some(e) = index.attribute_maps.get(row.attributes, c) {
                        break e;
                    }
                    c = index.attributes.parent(c);
                };
            }
        }
        let mut columns = Vec::with_capacity(stride);
        let mut cells: Vec<u8> = Vec::new();
        let mut bit = 0u64;
        let mut kinds = vec![0u32; stride * width];
        let mut allowed: Vec<u64> = Vec::new();
        let mut local = vec![NONE; index.rows.len()];
        let mut rows: Vec<u32> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut signatures: HashMap<Vec<u8>, u32, IdBuild> = HashMap::default();
        let mut signature = Vec::new();
        let mut reps: Vec<usize> = Vec::new();
        for (o, column) in ids.chunks_exact_mut(n.max(1)).enumerate().take(stride) {
            // Number the column's rows, the most frequent first (so most
            // decisions read the first word of a row set).
            rows.clear();
            for &cell in column.iter() {
                let r = cell as usize;
                if local[r] == NONE {
                    local[r] = rows.len() as u32;
                    rows.push(cell);
                    counts.push(0);
                }
                counts[local[r] as usize] += 1;
            }
            let mut by_count: Vec<u32> = (0..rows.len() as u32).collect();
            by_count.sort_by_key(|&k| (std::cmp::Reverse(counts[k as usize]), k));
            let sorted: Vec<u32> = by_count.iter().map(|&k| rows[k as usize]).collect();
            for (k, &r) in sorted.iter().enumerate() {
                local[r as usize] = k as u32;
            }
            rows.clear();
            rows.extend_from_slice(&sorted);
            counts.clear();
            for cell in column.iter_mut() {
                *cell = local[*cell as usize];
            }
            for &r in &rows {
                local[r as usize] = NONE;
            }
            // Merge the attribute classes its rows decide alike.
            signatures.clear();
            reps.clear();
            for a in 0..width {
                signature.clear();
                signature.extend(rows.iter().map(|&r| effects[r as usize * width + a]));
                let next = signatures.len() as u32;
                let kind = *signatures.entry(signature.clone()).or_insert(next);
                if kind == next {
                    reps.push(a);
                }
                kinds[o * width + a] = kind;
            }
            // Per (kind, access type): the set of rows allowed, in `span`
            // words (a power of two, so a set of up to 512 rows lies in
            // one cache line).
            let span = rows.len().div_ceil(64).max(1).next_power_of_two();
            let first = allowed.len().next_multiple_of(span.min(8));
            let end = first + reps.len() * 4 * span;
            if end.saturating_mul(8).saturating_add(cells.len()) > budget {
                return None;
            }
            allowed.resize(end, 0);
            for (k, &r) in rows.iter().enumerate() {
                for (kind, &a) in reps.iter().enumerate() {
                    let e = effects[r as usize * width + a];
                    for access in 0..4 {
                        if e >> access & 1 != 0 {
                            let set = first + (kind * 4 + access) * span;
                            allowed[set + k / 64] |= 1 << (k % 64);
                        }
                    }
                }
            }
            // The cells, bit-packed.
            let bits = bits_for(rows.len());
            let start = bit;
            if bits > 0 {
                cells.resize(((bit + u64::from(bits) * n as u64).div_ceil(8)) as usize, 0);
                for &v in column.iter() {
                    for b in 0..bits {
                        if v >> b & 1 != 0 {
                            let at = bit + u64::from(b);
                            cells[(at / 8) as usize] |= 1 << (at % 8);
                        }
                    }
                    bit += u64::from(bits);
                }
            }
            columns.push(Column {
                cells: start,
                bits,
                rows: first as u32,
                words: span as u32,
            });
        }
        cells.resize(cells.len() + 8, 0);
        let kinds = if width <= 1 << 8 {
            Kinds::U8(kinds.into_iter().map(|k| k as u8).collect())
        } else {
            Kinds::U16(kinds.into_iter().map(|k| k as u16).collect())
        };
        Some(Flat {
            stride,
            width,
            columns,
            cells,
            kinds,
            allowed: allowed
                .chunks(8)
                .map(|c| {
                    let mut line = Line([0; 8]);
                    line.0[..c.len()].copy_from_slice(c);
                    line
                })
                .collect(),
            zero: 0,
        })
    }

    #[inline(always)]
    fn allows(&self, level: u32, object: u32, attribute: u32, access: Access) -> bool {
        // NONE (no class) is the last column.
        let o = (object as usize).min(self.stride - 1);
        let a = (attribute as usize).min(self.width - 1);
        let Some(col) = self.columns.get(o) else {
            return false;
        };
        let at = col.cells + u64::from(level) * u64::from(col.bits);
        let byte = (at / 8) as usize;
        let word = self
            .cells
            .get(byte..byte + 8)
            .and_then(|s| s.try_into().ok())
            .map_or(0, u64::from_le_bytes);
        let row = ((word >> (at % 8)) & ((1u64 << col.bits) - 1)) as usize;
        let set = col.rows as usize
            + (self.kinds.get(o * self.width + a) * 4 + access as usize) * col.words as usize;
        // The row set's first word does not depend on the row: read it
        // now, while the cell is read, so the set's cache line is on its
        // way when the row is known (most rows are among the first 64).
        // `zero` is 0 but not known to the compiler, which keeps the read.
        let early = self.word(set) & self.zero;
        let w = self.word(set + row / 64) | early;
        w >> (row % 64) & 1 != 0
    }

    fn bytes(&self) -> usize {
        self.columns.len() * std::mem::size_of::<Column>()
            + self.cells.len()
            + self.kinds.bytes()
            + self.allowed.len() * std::mem::size_of::<Line>()
    }
}

impl Index {
    /// Index the access levels `levels` (each a list of block indexes in
    /// evaluation order) of `doc`. Block indexes must be in range.
    ///
    /// Each block is indexed once ([`Fragments`]: per object class it
    /// mentions, its own first-match decisions by attribute class); an
    /// access level's rows are those fragments laid over each other in its
    /// evaluation order, so loading costs the blocks' sizes plus, per
    /// access level, the fragments of its order, not its permissions.
    ///
    /// With `flat`, the index takes its flat form ([`Flat`]) when that
    /// needs at most 64 MiB or twice the maps' bytes.
    pub(crate) fn build<'d>(
        doc: &'d Document,
        levels: impl Iterator<Item = &'d [u32]>,
        flat: bool,
    ) -> Index {
        let (mut index, built) = Index::maps(doc, levels);
        let budget = FLAT_BYTES.max(2 * index.bytes());
        if flat && Flat::size(&index, built.len()) <= budget {
            index.flat = Flat::build(&index, &built, budget);
        }
        if index.flat.is_some() {
            index.object_maps = IntPool::default();
            index.attribute_maps = IntPool::default();
            index.levels = Vec::new();
            index.rows = Vec::new();
        }
        index
    }

    /// The index in its maps form, with each access level's rows as built.
    fn maps<'d>(
        doc: &'d Document,
        levels: impl Iterator<Item = &'d [u32]>,
    ) -> (Index, Vec<LevelRows>) {
        let mut index = Index::default();
        // Each class's pattern (in class order), and each permission's
        // object and attribute classes (in document order), so no name is
        // looked up twice.
        let mut objects = Vec::new();
        let mut attributes = Vec::new();
        let mut classes = Vec::new();
        for b in &doc.blocks {
            for p in &b.permissions {
                let o = index.objects.add(p.object_match, &p.object);
                let a = index.attributes.add(p.attribute_match, &p.attribute);
                if o as usize == objects.len() {
                    objects.push((p.object_match, p.object.as_str()));
                }
                if a as usize == attributes.len() {
                    attributes.push((p.attribute_match, p.attribute.as_str()));
                }
                classes.push((o, a));
            }
        }
        index.objects.finish(&objects);
        index.attributes.finish(&attributes);
        drop((objects, attributes));
        let locals = Locals::build(&index, &classes);
        let fragments = Fragments::build(&index, &locals, doc, &classes);
        drop(classes);
        let mut rows: RowIds = HashMap::default();
        let mut builder = LevelBuilder::default();
        let mut built = Vec::new();
        for order in levels {
            let (level, ids) = builder.level(&mut index, &mut rows, &locals, &fragments, order);
            index.levels.push(level);
            built.push(ids);
        }
        drop((rows, builder, fragments, locals));
        index.row_count = index.rows.len();
        (index, built)
    }

    /// The decision of level `level` (an index given in build order).
    #[inline(always)]
    pub(crate) fn allows(&self, level: u32, access: Access, object: &str, attribute: &str) -> bool {
        if let Some(flat) = &self.flat {
            let o = self.objects.classify(object);
            let a = self.attributes.classify(attribute);
            return flat.allows(level, o, a, access);
        }
        self.allows_by_maps(level, access, object, attribute)
    }

    /// [`Index::allows`] without the flat form (a table too large for it):
    /// kept out of line, so the flat path stays small.
    #[inline(never)]
    fn allows_by_maps(&self, level: u32, access: Access, object: &str, attribute: &str) -> bool {
        let Some(&level) = self.levels.get(level as usize) else {
            return false;
        };
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
        self.flat.as_ref().map_or(0, Flat::bytes)
            + self.object_maps.bytes()
            + self.attribute_maps.bytes()
            + self.rows.len() * std::mem::size_of::<Row>()
            + self.levels.len() * std::mem::size_of::<Level>()
    }

    /// Whether the index has its flat form.
    #[cfg(test)]
    pub(crate) fn is_flat(&self) -> bool {
        self.flat.is_some()
    }

    /// Number of distinct rows.
    pub(crate) fn rows(&self) -> usize {
        self.row_count
    }
}

/// A partial row: per attribute class (sorted by class), the partial
/// decision of the names of that class; `other` for names no entry's class
/// contains. A name takes the entry of the first class on its chain that
/// has one.
#[derive(Clone, Debug, Default)]
struct PartialRow {
    entries: Vec<(u32, Partial)>,
    other: Partial,
}

/// The partial decision of attribute class `class` in sorted `entries`.
#[inline]
fn resolve(attrs: &Classifier, entries: &[(u32, Partial)], other: Partial, class: u32) -> Partial {
    let mut c = class;
    while c != NONE {
        if let Ok(k) = entries.binary_search_by_key(&c, |e| e.0) {
            return entries[k].1;
        }
        c = attrs.parent(c);
    }
    other
}

impl PartialRow {
    fn clear(&mut self) {
        self.entries.clear();
        self.other = 0;
    }

    fn full(&self) -> bool {
        self.other & 0xF == 0xF && self.entries.iter().all(|e| e.1 & 0xF == 0xF)
    }

    /// First-match: apply one permission (attribute class `attribute`,
    /// [`NONE`] for any) to every class it contains.
    fn apply(&mut self, attrs: &Classifier, attribute: u32, bit: u8, allow: bool) {
        let d = decided(bit, allow);
        if attribute == NONE {
            for e in &mut self.entries {
                e.1 = then(e.1, d);
            }
            self.other = then(self.other, d);
            return;
        }
        if let Err(k) = self.entries.binary_search_by_key(&attribute, |e| e.0) {
            let inherited = resolve(attrs, &self.entries, self.other, attrs.parent(attribute));
            self.entries.insert(k, (attribute, inherited));
        }
        if attrs.is_prefix(attribute) {
            for e in &mut self.entries {
                if attrs.chain(e.0).any(|c| c == attribute) {
                    e.1 = then(e.1, d);
                }
            }
        } else if let Ok(k) = self.entries.binary_search_by_key(&attribute, |e| e.0) {
            self.entries[k].1 = then(self.entries[k].1, d);
        }
    }

    /// Lay `q` (entries sorted, `other`) under this row: `self` then `q`,
    /// through `scratch`.
    fn then(
        &mut self,
        attrs: &Classifier,
        q: &[(u32, Partial)],
        q_other: Partial,
        scratch: &mut Vec<(u32, Partial)>,
    ) {
        scratch.clear();
        let p = &self.entries;
        let (mut i, mut j) = (0, 0);
        while i < p.len() || j < q.len() {
            let (c, v) = match (p.get(i), q.get(j)) {
                (Some(&(pc, pv)), Some(&(qc, qv))) if pc == qc => {
                    i += 1;
                    j += 1;
                    (pc, then(pv, qv))
                }
                (Some(&(pc, pv)), Some(&(qc, _))) if pc < qc => {
                    i += 1;
                    (pc, then(pv, resolve(attrs, q, q_other, attrs.parent(pc))))
                }
                (Some(&(pc, pv)), None) => {
                    i += 1;
                    (pc, then(pv, resolve(attrs, q, q_other, attrs.parent(pc))))
                }
                (_, Some(&(qc, qv))) => {
                    j += 1;
                    (
                        qc,
                        then(resolve(attrs, p, self.other, attrs.parent(qc)), qv),
                    )
                }
                (None, None) => break,
            };
            scratch.push((c, v));
        }
        std::mem::swap(&mut self.entries, scratch);
        self.other = then(self.other, q_other);
    }
}

/// Up to 64 attribute classes, one bit each, per access type: a partial
/// row of an object class whose permissions (all blocks together) name at
/// most 64 attribute classes, laid over another in a dozen word operations.
/// Bit `i` is the attribute class `i` of the object class's list
/// ([`Locals`]), holding its resolved partial decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Dense {
    /// Per access type: the classes decided.
    decided: [u64; 4],
    /// Per access type: the classes allowed (a subset of `decided`).
    allowed: [u64; 4],
    /// Names of no listed class.
    other: Partial,
}

impl Dense {
    #[inline]
    fn then(&mut self, q: &Dense) {
        for a in 0..4 {
            let new = q.decided[a] & !self.decided[a];
            self.decided[a] |= new;
            self.allowed[a] |= q.allowed[a] & new;
        }
        self.other = then(self.other, q.other);
    }

    fn full(&self, width: usize) -> bool {
        let all = if width >= 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        self.other & 0xF == 0xF && self.decided.iter().all(|&d| d == all)
    }

    #[inline]
    fn get(&self, i: usize) -> Partial {
        let mut p = 0u8;
        for a in 0..4 {
            if self.decided[a] >> i & 1 != 0 {
                p |= 1 << a;
                if self.allowed[a] >> i & 1 != 0 {
                    p |= 0x10 << a;
                }
            }
        }
        p
    }

    fn set(&mut self, i: usize, p: Partial) {
        for a in 0..4 {
            if p >> a & 1 != 0 {
                self.decided[a] |= 1 << i;
                if p >> (4 + a) & 1 != 0 {
                    self.allowed[a] |= 1 << i;
                }
            }
        }
    }

    /// Resolved over `list` from any partial decision by attribute class.
    fn from(list: &[u32], other: Partial, res: impl Fn(u32) -> Partial) -> Dense {
        let mut d = Dense {
            other,
            ..Dense::default()
        };
        for (i, &k) in list.iter().enumerate() {
            d.set(i, res(k));
        }
        d
    }
}

/// A partial row of one object class, in the form of that class.
#[derive(Clone, Copy, Debug)]
enum RowRef<'a> {
    Dense(&'a Dense, &'a [u32]),
    Sparse(&'a [(u32, Partial)], Partial),
}

impl RowRef<'_> {
    /// The partial decision of attribute class `class` (walking its chain).
    fn resolve(&self, attrs: &Classifier, class: u32) -> Partial {
        match *self {
            RowRef::Sparse(entries, other) => resolve(attrs, entries, other, class),
            RowRef::Dense(d, list) => {
                let mut c = class;
                while c != NONE {
                    if let Ok(i) = list.binary_search(&c) {
                        return d.get(i);
                    }
                    c = attrs.parent(c);
                }
                d.other
            }
        }
    }

    fn other(&self) -> Partial {
        match *self {
            RowRef::Sparse(_, other) => other,
            RowRef::Dense(d, _) => d.other,
        }
    }
}

/// Per object class: the attribute classes named by the permissions whose
/// object pattern contains it (any-object permissions included), sorted,
/// when at most 64 (then its rows are [`Dense`]); `None` above.
struct Locals {
    lists: Vec<Option<Vec<u32>>>,
}

impl Locals {
    /// `classes`: each permission's object and attribute classes.
    fn build(index: &Index, classes: &[(u32, u32)]) -> Locals {
        let n = index.objects.parent.len();
        // (object class, attribute class) pairs; NONE object = any.
        let mut pairs: Vec<(u32, u32)> = classes
            .iter()
            .copied()
            .filter(|&(_, a)| a != NONE)
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut own: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut any: Vec<u32> = Vec::new();
        for (o, a) in pairs {
            match own.get_mut(o as usize) {
                Some(l) => l.push(a),
                None => any.push(a),
            }
        }
        let lists = (0..n as u32)
            .map(|c| {
                let mut l = any.clone();
                for k in index.objects.chain(c) {
                    l.extend_from_slice(&own[k as usize]);
                    if l.len() > 64 * 4 {
                        return None;
                    }
                }
                l.sort_unstable();
                l.dedup();
                (l.len() <= 64).then_some(l)
            })
            .collect();
        Locals { lists }
    }

    fn of(&self, class: u32) -> Option<&[u32]> {
        self.lists.get(class as usize)?.as_deref()
    }
}

/// Every block's own decisions, indexed once: per object class its
/// permissions mention, the partial row of the permissions whose object
/// pattern contains that class (in block order), and the partial row of its
/// any-object permissions.
struct Fragments {
    /// Per block: the range of its object classes in `objects`.
    blocks: Vec<(u32, u32)>,
    /// Per block: its any-object partial row (index into `rows`).
    others: Vec<u32>,
    /// (object class, index into `dense` or `rows` as the class's form).
    objects: Vec<(u32, u32)>,
    /// Per sparse partial row: its range in `entries` and its `other`.
    rows: Vec<(u32, u32, Partial)>,
    entries: Vec<(u32, Partial)>,
    dense: Vec<Dense>,
    /// Per block: whether it mentions a prefix object class or has
    /// any-object permissions (then its fragments reach classes it does not
    /// mention).
    wide: Vec<bool>,
}

impl Fragments {
    /// `classes`: each permission's object and attribute classes, in
    /// document order.
    fn build(
        index: &Index,
        locals: &Locals,
        doc: &Document,
        classes_of: &[(u32, u32)],
    ) -> Fragments {
        let mut f = Fragments {
            blocks: Vec::with_capacity(doc.blocks.len()),
            others: Vec::with_capacity(doc.blocks.len()),
            objects: Vec::new(),
            rows: Vec::new(),
            entries: Vec::new(),
            dense: Vec::new(),
            wide: Vec::with_capacity(doc.blocks.len()),
        };
        // (object class or NONE, attribute class or NONE, bit, allow)
        let mut rules: Vec<(u32, u32, u8, bool)> = Vec::new();
        let mut classes: Vec<u32> = Vec::new();
        let mut row = PartialRow::default();
        let attrs = &index.attributes;
        let mut of = classes_of.iter();
        for block in &doc.blocks {
            rules.clear();
            classes.clear();
            for p in &block.permissions {
                let (o, a) = of.next().copied().unwrap_or((NONE, NONE));
                rules.push((o, a, p.access.bit(), p.effect == crate::Effect::Allow));
                if o != NONE {
                    classes.push(o);
                }
            }
            classes.sort_unstable();
            classes.dedup();
            let wide = rules.iter().any(|r| r.0 == NONE)
                || classes.iter().any(|&c| index.objects.is_prefix(c));
            let start = f.objects.len() as u32;
            // Any-object permissions alone.
            row.clear();
            for r in rules.iter().filter(|r| r.0 == NONE) {
                row.apply(attrs, r.1, r.2, r.3);
            }
            let other = f.push(&row);
            for &c in &classes {
                row.clear();
                if wide {
                    for r in &rules {
                        if r.0 == NONE || index.objects.chain(c).any(|k| k == r.0) {
                            row.apply(attrs, r.1, r.2, r.3);
                        }
                    }
                } else {
                    for r in rules.iter().filter(|r| r.0 == c) {
                        row.apply(attrs, r.1, r.2, r.3);
                    }
                }
                let id = match locals.of(c) {
                    Some(list) => {
                        let sparse = RowRef::Sparse(&row.entries, row.other);
                        f.dense
                            .push(Dense::from(list, row.other, |k| sparse.resolve(attrs, k)));
                        f.dense.len() as u32 - 1
                    }
                    None => f.push(&row),
                };
                f.objects.push((c, id));
            }
            f.blocks.push((start, f.objects.len() as u32));
            f.others.push(other);
            f.wide.push(wide);
        }
        f
    }

    fn push(&mut self, row: &PartialRow) -> u32 {
        let start = self.entries.len() as u32;
        self.entries.extend_from_slice(&row.entries);
        self.rows
            .push((start, self.entries.len() as u32, row.other));
        self.rows.len() as u32 - 1
    }

    fn sparse(&self, id: u32) -> (&[(u32, Partial)], Partial) {
        let (s, e, other) = self.rows[id as usize];
        (&self.entries[s as usize..e as usize], other)
    }

    fn objects(&self, block: u32) -> &[(u32, u32)] {
        let (s, e) = self.blocks[block as usize];
        &self.objects[s as usize..e as usize]
    }

    /// The fragment of `block` for object class `class`: the first class on
    /// its chain the block mentions, else its any-object row.
    fn resolve<'a>(
        &'a self,
        locals: &'a Locals,
        objects: &Classifier,
        block: u32,
        class: u32,
    ) -> RowRef<'a> {
        let mine = self.objects(block);
        let mut c = class;
        while c != NONE {
            if let Ok(k) = mine.binary_search_by_key(&c, |e| e.0) {
                let id = mine[k].1;
                return match locals.of(c) {
                    Some(list) => RowRef::Dense(&self.dense[id as usize], list),
                    None => {
                        let (e, o) = self.sparse(id);
                        RowRef::Sparse(e, o)
                    }
                };
            }
            c = objects.parent(c);
        }
        let (e, o) = self.sparse(self.others[block as usize]);
        RowRef::Sparse(e, o)
    }
}

/// Where a level's slot lives: its object class's form and index.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Dense(u32),
    Sparse(u32),
}

/// Object class → slot, a plain array over the classes (cleared through
/// the list of classes set).
#[derive(Default)]
struct Slots(Vec<Option<Slot>>);

impl Slots {
    #[inline]
    fn get(&self, class: &u32) -> Option<&Slot> {
        self.0.get(*class as usize)?.as_ref()
    }

    fn contains_key(&self, class: &u32) -> bool {
        self.get(class).is_some()
    }

    fn insert(&mut self, class: u32, slot: Slot) {
        let i = class as usize;
        if i >= self.0.len() {
            self.0.resize(i + 1, None);
        }
        self.0[i] = Some(slot);
    }

    fn clear(&mut self, classes: &[u32]) {
        for &c in classes {
            if let Some(s) = self.0.get_mut(c as usize) {
                *s = None;
            }
        }
    }
}

/// Scratch space reused across levels.
#[derive(Default)]
struct LevelBuilder {
    /// Per object class: its slot in this level ([`Slots`]).
    slots: Slots,
    dense: Vec<Dense>,
    /// Sparse slots (reused across levels; `used` are live).
    sparse: Vec<PartialRow>,
    used: usize,
    /// Object classes in `slots`, in insertion order.
    classes: Vec<u32>,
    other: PartialRow,
    merge: Vec<(u32, Partial)>,
    fresh: Vec<u32>,
    /// Final rows of dense slots already built: (class, allowed, other
    /// allowed) → row.
    finished: HashMap<(u32, [u64; 4], u8), u32, IdBuild>,
}

impl LevelBuilder {
    /// The partial row of object class `class` so far: its own slot, else
    /// the nearest slot on its chain, else `other`.
    fn current<'a>(&'a self, locals: &'a Locals, objects: &Classifier, class: u32) -> RowRef<'a> {
        let mut c = class;
        while c != NONE {
            match self.slots.get(&c) {
                Some(&Slot::Dense(k)) => {
                    return RowRef::Dense(&self.dense[k as usize], locals.of(c).unwrap_or_default())
                }
                Some(&Slot::Sparse(k)) => {
                    let r = &self.sparse[k as usize];
                    return RowRef::Sparse(&r.entries, r.other);
                }
                None => c = objects.parent(c),
            }
        }
        RowRef::Sparse(&self.other.entries, self.other.other)
    }

    fn level(
        &mut self,
        index: &mut Index,
        ids: &mut RowIds,
        locals: &Locals,
        fragments: &Fragments,
        order: &[u32],
    ) -> (Level, LevelRows) {
        self.slots.clear(&self.classes);
        self.classes.clear();
        self.dense.clear();
        self.used = 0;
        self.other.clear();
        for &b in order {
            if b as usize >= fragments.blocks.len() {
                continue;
            }
            // New slots for the classes this block mentions, inheriting what
            // the blocks before decided for them.
            self.fresh.clear();
            for &(c, _) in fragments.objects(b) {
                if !self.slots.contains_key(&c) {
                    self.fresh.push(c);
                }
            }
            // Outer classes first, so an inner one inherits from its
            // enclosing slot as it was before this block.
            self.fresh
                .sort_unstable_by_key(|&c| (index.objects.depth[c as usize], c));
            let attrs = &index.attributes;
            for k in 0..self.fresh.len() {
                let c = self.fresh[k];
                let slot = match locals.of(c) {
                    Some(list) => {
                        let cur = self.current(locals, &index.objects, c);
                        let d = Dense::from(list, cur.other(), |a| cur.resolve(attrs, a));
                        self.dense.push(d);
                        Slot::Dense(self.dense.len() as u32 - 1)
                    }
                    None => {
                        let (entries, other) = match self.current(locals, &index.objects, c) {
                            RowRef::Sparse(e, o) => (e.to_vec(), o),
                            dense @ RowRef::Dense(_, list) => (
                                list.iter().map(|&a| (a, dense.resolve(attrs, a))).collect(),
                                dense.other(),
                            ),
                        };
                        if self.used == self.sparse.len() {
                            self.sparse.push(PartialRow::default());
                        }
                        let row = &mut self.sparse[self.used];
                        row.entries.clear();
                        row.entries.extend_from_slice(&entries);
                        row.other = other;
                        self.used += 1;
                        Slot::Sparse(self.used as u32 - 1)
                    }
                };
                self.slots.insert(c, slot);
                self.classes.push(c);
            }
            if fragments.wide[b as usize] {
                // Its fragments reach every slot.
                for &c in &self.classes {
                    let Some(&slot) = self.slots.get(&c) else {
                        continue;
                    };
                    let q = fragments.resolve(locals, &index.objects, b, c);
                    match slot {
                        Slot::Dense(k) => {
                            let list = locals.of(c).unwrap_or_default();
                            let row = &mut self.dense[k as usize];
                            if row.full(list.len()) {
                                continue;
                            }
                            let q = match q {
                                RowRef::Dense(d, l) if l == list => *d,
                                q => Dense::from(list, q.other(), |a| q.resolve(attrs, a)),
                            };
                            row.then(&q);
                        }
                        Slot::Sparse(k) => {
                            let row = &mut self.sparse[k as usize];
                            if row.full() {
                                continue;
                            }
                            let q_other = q.other();
                            let q: Vec<(u32, Partial)> = match q {
                                RowRef::Sparse(e, _) => e.to_vec(),
                                RowRef::Dense(_, l) => {
                                    l.iter().map(|&a| (a, q.resolve(attrs, a))).collect()
                                }
                            };
                            row.then(attrs, &q, q_other, &mut self.merge);
                        }
                    }
                }
                let (q, q_other) = fragments.sparse(fragments.others[b as usize]);
                self.other.then(attrs, q, q_other, &mut self.merge);
            } else {
                for &(c, id) in fragments.objects(b) {
                    match self.slots.get(&c) {
                        Some(&Slot::Dense(k)) => {
                            self.dense[k as usize].then(&fragments.dense[id as usize]);
                        }
                        Some(&Slot::Sparse(k)) => {
                            let (q, q_other) = fragments.sparse(id);
                            self.sparse[k as usize].then(attrs, q, q_other, &mut self.merge);
                        }
                        None => {}
                    }
                }
            }
        }
        // Final rows: undecided is deny; slots that decide like the class
        // enclosing them are dropped.
        let other = finish_row(index, ids, &self.other);
        let mut classes = std::mem::take(&mut self.classes);
        classes.sort_unstable_by_key(|&c| (index.objects.depth[c as usize], c));
        let mut stored: HashMap<u32, u32, IdBuild> = HashMap::default();
        let mut scratch = PartialRow::default();
        for &c in &classes {
            let row = match self.slots.get(&c) {
                Some(&Slot::Dense(k)) => {
                    let d = &self.dense[k as usize];
                    let key = (c, d.allowed, d.other >> 4);
                    match self.finished.get(&key) {
                        Some(&r) => r,
                        None => {
                            let list = locals.of(c).unwrap_or_default();
                            scratch.entries.clear();
                            scratch
                                .entries
                                .extend(list.iter().enumerate().map(|(i, &a)| (a, d.get(i))));
                            scratch.other = d.other;
                            let r = finish_row(index, ids, &scratch);
                            self.finished.insert(key, r);
                            r
                        }
                    }
                }
                Some(&Slot::Sparse(k)) => finish_row(index, ids, &self.sparse[k as usize]),
                None => continue,
            };
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
        self.classes = classes;
        let mut ids: Vec<(u32, u32)> = stored.into_iter().collect();
        ids.sort_unstable_by_key(|e| e.0);
        let entries: Vec<(u32, Row)> = ids
            .iter()
            .map(|&(c, r)| (c, index.rows[r as usize]))
            .collect();
        let level = Level {
            objects: index.object_maps.add(&entries),
            other: index.rows[other as usize],
        };
        (level, LevelRows { stored: ids, other })
    }
}

/// The row of a partial row (undecided is deny), minimized and shared with
/// an equal row built before.
fn finish_row(index: &mut Index, ids: &mut RowIds, row: &PartialRow) -> u32 {
    let attrs = &index.attributes;
    let other = row.other >> 4;
    let mut classes: Vec<u32> = row.entries.iter().map(|e| e.0).collect();
    classes.sort_unstable_by_key(|&c| (attrs.depth[c as usize], c));
    let mut stored: Vec<(u32, Effects)> = Vec::new();
    for &c in &classes {
        let e = resolve(attrs, &row.entries, row.other, c) >> 4;
        let inherited = attrs
            .chain(c)
            .skip(1)
            .find_map(|k| stored.iter().find(|s| s.0 == k).map(|s| s.1))
            .unwrap_or(other);
        if e != inherited {
            stored.push((c, e));
        }
    }
    stored.sort_unstable();
    let key = (stored, other);
    if let Some(&id) = ids.get(&key) {
        return id;
    }
    let next = index.rows.len() as u32;
    let attributes = index.attribute_maps.add(&key.0);
    index.rows.push(Row { attributes, other });
    ids.insert(key, next);
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Block, Permission};

    fn permission(object: &str, attribute: &str) -> Permission {
        Permission {
            effect: crate::Effect::Allow,
            access: Access::Read,
            object_match: Match::Exact,
            object: object.to_string(),
            attribute_match: Match::Exact,
            attribute: attribute.to_string(),
        }
    }

    /// The flat form is given up when it would exceed its budget (the maps
    /// stay and decide), and built within it.
    #[test]
    fn the_flat_form_keeps_to_its_budget() {
        let block = Block::user(
            "L",
            vec![permission("A", "x"), permission("B", "y")],
            Some(vec![0]),
        );
        let doc = Document {
            version: crate::FORMAT_VERSION,
            blocks: vec![block],
            defaults: Vec::new(),
            resellers: Vec::new(),
        };
        let orders = || std::iter::once(&[0u32][..]);
        let (index, built) = Index::maps(&doc, orders());
        assert!(Flat::build(&index, &built, 0).is_none());
        let flat = Flat::build(&index, &built, usize::MAX);
        assert!(flat.is_some_and(|f| f.allows(0, 0, 0, Access::Read)));
        let index = Index::build(&doc, orders(), true);
        assert!(index.is_flat());
        assert!(index.allows(0, Access::Read, "A", "x"));
        assert!(!index.allows(0, Access::Read, "A", "y"));
        assert!(!index.allows(0, Access::Update, "B", "y"));
    }
}
