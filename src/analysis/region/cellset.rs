//! [`CellSet`]: the set type of the summaries, a bitset over the span of
//! words that hold its cells.
//!
//! Composing summaries is a handful of set operations per include over sets
//! that are either small and clustered (a component about a few objects:
//! cells of one object are adjacent, see [`super::Universe`]) or large (an
//! access level reaching a big library). A bitset trimmed to its span makes
//! both cheap: a clustered set is a few words, a large one a plain loop over
//! words, with no per-container bookkeeping. Profiling showed roaring's
//! array/bitmap conversions dominating composition; these loops replaced them.

use super::Region;

/// A set of cell indices: the bits of `words`, word `i` holding cells
/// `64 * (offset + i)` to `64 * (offset + i) + 63`. Trimmed: the first and
/// last words are non-zero (or there are no words), so equal sets are equal
/// values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellSet {
    offset: u32,
    words: Vec<u64>,
}

fn split(cell: u32) -> (u32, u64) {
    (cell / 64, 1u64 << (cell % 64))
}

impl CellSet {
    /// The empty set.
    pub fn new() -> CellSet {
        CellSet::default()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Number of cells.
    pub fn len(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Whether `cell` is in the set.
    pub fn contains(&self, cell: u32) -> bool {
        let (w, bit) = split(cell);
        w.checked_sub(self.offset)
            .and_then(|i| self.words.get(i as usize))
            .is_some_and(|word| word & bit != 0)
    }

    /// Add `cell`; returns whether it was new.
    pub fn insert(&mut self, cell: u32) -> bool {
        let (w, bit) = split(cell);
        self.cover(w, w + 1);
        let word = &mut self.words[(w - self.offset) as usize];
        let new = *word & bit == 0;
        *word |= bit;
        new
    }

    /// The smallest cell.
    pub fn min(&self) -> Option<u32> {
        let first = *self.words.first()?;
        Some(self.offset * 64 + first.trailing_zeros())
    }

    /// The cells in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(move |(i, &word)| {
            let base = (self.offset + i as u32) * 64;
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros();
                    rest &= rest - 1;
                    base + bit
                })
            })
        })
    }

    /// Add every cell of `other`.
    pub fn union_with(&mut self, other: &CellSet) {
        if other.is_empty() {
            return;
        }
        self.cover(other.offset, other.end());
        let at = (other.offset - self.offset) as usize;
        for (a, b) in self.words[at..].iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// The cells of `self` not in `other`.
    pub fn difference(&self, other: &CellSet) -> CellSet {
        let mut out = self.clone();
        for (i, a) in out.words.iter_mut().enumerate() {
            *a &= !other.word(out.offset + i as u32);
        }
        out.trim();
        out
    }

    /// The cells in both.
    pub fn intersection(&self, other: &CellSet) -> CellSet {
        let start = self.offset.max(other.offset);
        let end = self.end().min(other.end());
        let mut out = CellSet {
            offset: start,
            words: (start..end.max(start))
                .map(|w| self.word(w) & other.word(w))
                .collect(),
        };
        out.trim();
        out
    }

    /// Keep the cells on which `a` and `b` differ (`self &= a ^ b`).
    pub fn retain_differing(&mut self, a: &CellSet, b: &CellSet) {
        for (i, word) in self.words.iter_mut().enumerate() {
            let w = self.offset + i as u32;
            *word &= a.word(w) ^ b.word(w);
        }
        self.trim();
    }

    /// Whether no cell is in both.
    pub fn is_disjoint(&self, other: &CellSet) -> bool {
        let start = self.offset.max(other.offset);
        let end = self.end().min(other.end());
        (start..end.max(start)).all(|w| self.word(w) & other.word(w) == 0)
    }

    /// `region` less the cells of this set.
    pub fn subtract_from(&self, region: &Region) -> Region {
        region.iter().filter(|&c| !self.contains(c)).collect()
    }

    /// The cells of `region` in this set.
    pub fn intersect_region(&self, region: &Region) -> Region {
        region.iter().filter(|&c| self.contains(c)).collect()
    }

    /// The same cells as a [`Region`].
    pub fn to_region(&self) -> Region {
        self.iter().collect()
    }

    /// The cells of a [`Region`].
    pub fn from_region(region: &Region) -> CellSet {
        let mut out = CellSet::new();
        if let (Some(min), Some(max)) = (region.min(), region.max()) {
            out.cover(min / 64, max / 64 + 1);
        }
        for c in region {
            let (w, bit) = split(c);
            out.words[(w - out.offset) as usize] |= bit;
        }
        out
    }

    /// One past the last word index.
    fn end(&self) -> u32 {
        self.offset + self.words.len() as u32
    }

    /// The word with index `w` (zero outside the span).
    fn word(&self, w: u32) -> u64 {
        w.checked_sub(self.offset)
            .and_then(|i| self.words.get(i as usize))
            .copied()
            .unwrap_or(0)
    }

    /// Widen the span to hold words `[start, end)`.
    fn cover(&mut self, start: u32, end: u32) {
        if self.words.is_empty() {
            self.offset = start;
            self.words = vec![0; (end - start) as usize];
            return;
        }
        if start < self.offset {
            let grow = (self.offset - start) as usize;
            self.words.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = start;
        }
        if end > self.end() {
            let len = (end - self.offset) as usize;
            self.words.resize(len, 0);
        }
    }

    /// Drop zero words at both ends.
    fn trim(&mut self) {
        let Some(first) = self.words.iter().position(|&w| w != 0) else {
            self.words.clear();
            self.offset = 0;
            return;
        };
        let last = self.words.iter().rposition(|&w| w != 0).unwrap_or(first);
        self.words.truncate(last + 1);
        self.words.drain(..first);
        self.offset += first as u32;
    }
}

impl FromIterator<u32> for CellSet {
    fn from_iter<I: IntoIterator<Item = u32>>(cells: I) -> CellSet {
        let mut out = CellSet::new();
        for c in cells {
            out.insert(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    fn cells() -> impl Strategy<Value = Vec<u32>> {
        // Clustered and spread cells, across word boundaries.
        prop::collection::vec(prop_oneof![0u32..200, 1000u32..1300, 0u32..100_000], 0..40)
    }

    proptest! {
        /// Every operation agrees with the same operation on `BTreeSet`s,
        /// and results stay trimmed (equal sets are equal values).
        #[test]
        fn agrees_with_a_btreeset(a in cells(), b in cells(), c in cells()) {
            let (sa, sb, sc): (BTreeSet<u32>, BTreeSet<u32>, BTreeSet<u32>) = (
                a.iter().copied().collect(),
                b.iter().copied().collect(),
                c.iter().copied().collect(),
            );
            let (x, y, z): (CellSet, CellSet, CellSet) = (
                a.iter().copied().collect(),
                b.iter().copied().collect(),
                c.iter().copied().collect(),
            );
            let set = |s: &CellSet| s.iter().collect::<BTreeSet<u32>>();
            let canon = |s: &BTreeSet<u32>| s.iter().copied().collect::<CellSet>();
            prop_assert_eq!(set(&x), sa.clone());
            prop_assert_eq!(x.len(), sa.len() as u64);
            prop_assert_eq!(x.min(), sa.first().copied());
            prop_assert_eq!(x.is_empty(), sa.is_empty());
            let mut u = x.clone();
            u.union_with(&y);
            prop_assert_eq!(&u, &canon(&(&sa | &sb)));
            prop_assert_eq!(x.difference(&y), canon(&(&sa - &sb)));
            prop_assert_eq!(x.intersection(&y), canon(&(&sa & &sb)));
            prop_assert_eq!(x.is_disjoint(&y), sa.is_disjoint(&sb));
            let mut d = z.clone();
            d.retain_differing(&x, &y);
            prop_assert_eq!(d, canon(&(&sc & &(&sa ^ &sb))));
            for probe in a.iter().chain(&b).copied().chain([0, 63, 64, 99_999]) {
                prop_assert_eq!(x.contains(probe), sa.contains(&probe));
            }
            let r: Region = b.iter().copied().collect();
            prop_assert_eq!(CellSet::from_region(&r), y.clone());
            prop_assert_eq!(y.to_region(), r.clone());
            let sr: BTreeSet<u32> = x.subtract_from(&r).iter().collect();
            prop_assert_eq!(sr, &sb - &sa);
            let ir: BTreeSet<u32> = x.intersect_region(&r).iter().collect();
            prop_assert_eq!(ir, &sb & &sa);
        }
    }
}
