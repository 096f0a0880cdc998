//! [`CellSet`]: the set type of the summaries, a bitset over the span of
//! words that hold its cells.
//!
//! Composing summaries is a handful of set operations per include over sets
//! that are either small and clustered (a component about a few objects:
//! cells of one object are adjacent, see [`super::Universe`]) or large (an
//! access level reaching a big library). A bitset trimmed to its span makes
//! both cheap: a clustered set is a few words, a large one a plain loop over
//! words, with no per-container bookkeeping. (Profiling showed roaring's
//! array/bitmap conversions dominating composition, and its cell-by-cell
//! inserts dominating rule regions: these loops replaced both.) A rule's
//! box is added and tested word by word, 16 slots a word.

use std::ops::Range;

use crate::syntax::ast::{Access, AccessSet};

/// A set of cell indices: the bits of `words`, word `i` holding cells
/// `64 * (offset + i)` to `64 * (offset + i) + 63`. Trimmed: the first and
/// last words are non-zero (or there are no words), so equal sets are equal
/// values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CellSet {
    offset: u32,
    words: Vec<u64>,
}

fn split(cell: u32) -> (u32, u64) {
    (cell / 64, 1u64 << (cell % 64))
}

/// The bits of the cells of access types `access` in a word: a slot's four
/// cells are a nibble, bit `a` of it for access type `a`.
fn access_pattern(access: AccessSet) -> u64 {
    u64::from(access.0 & 0xF) * 0x1111_1111_1111_1111
}

/// The access types of which a nibble-aligned mask holds some cell.
fn nibble_access(mask: u64) -> AccessSet {
    let mut nibble = mask;
    nibble |= nibble >> 32;
    nibble |= nibble >> 16;
    nibble |= nibble >> 8;
    nibble |= nibble >> 4;
    AccessSet((nibble & 0xF) as u8)
}

/// The words `[lo, hi)` spanning a box, if it has any cell.
fn box_span(slots: &[Range<u32>], access: AccessSet) -> Option<(u32, u32)> {
    if access.is_empty() {
        return None;
    }
    let mut nonempty = slots.iter().filter(|r| !r.is_empty());
    let first = nonempty.next()?;
    let (lo, hi) = nonempty.fold((first.start, first.end), |(lo, hi), r| {
        (lo.min(r.start), hi.max(r.end))
    });
    Some((lo * 4 / 64, (hi * 4 - 1) / 64 + 1))
}

/// Calls `f` with each word holding cells of access types `access` in
/// slots `slots`, in order, and the mask of those cells in it, while `f`
/// returns true; returns whether every word was seen. A range of one slot
/// (most ranges of a box: one attribute of one object class) is one word,
/// worked out directly.
fn each_slot_word(
    slots: Range<u32>,
    access: AccessSet,
    mut f: impl FnMut(u32, u64) -> bool,
) -> bool {
    let pattern = access_pattern(access);
    if slots.end.wrapping_sub(slots.start) == 1 {
        let s = slots.start;
        return f(s / 16, (pattern & 0xF) << (s % 16 * 4));
    }
    if slots.start >= slots.end {
        return true;
    }
    // Cells `[lo, hi)`: every word between the first and the last is
    // whole; the first loses the cells below `lo`, the last those from
    // `hi` on (a slot's four cells never straddle two words).
    let (lo, hi) = (slots.start * 4, slots.end * 4);
    let (first, last) = (lo / 64, (hi - 1) / 64);
    let head = u64::MAX << (lo % 64);
    let tail = u64::MAX >> (63 - (hi - 1) % 64);
    (first..=last).all(|w| {
        let mut mask = pattern;
        if w == first {
            mask &= head;
        }
        if w == last {
            mask &= tail;
        }
        f(w, mask)
    })
}

/// `f` of the words of `x` and `y`, pairwise (of equal length: one span
/// of both sets), in one loop the compiler vectorizes.
fn zip_with(x: &[u64], y: &[u64], f: impl Fn(u64, u64) -> u64) -> Vec<u64> {
    x.iter().zip(y).map(|(&x, &y)| f(x, y)).collect()
}

/// `words` (words `offset` on) `&= a ^ b`: the span is cut where `a`'s
/// and `b`'s spans start and end, so that in each piece each set either
/// spans it or holds nothing in it, and each piece is one plain loop.
fn retain_differing_in(offset: u32, words: &mut [u64], a: &CellSet, b: &CellSet) {
    let end = offset + words.len() as u32;
    let clip = |w: u32| w.clamp(offset, end);
    let mut cuts = [
        offset,
        end,
        clip(a.offset),
        clip(a.end()),
        clip(b.offset),
        clip(b.end()),
    ];
    cuts.sort_unstable();
    let spans = |s: &CellSet, lo: u32, hi: u32| !s.is_empty() && s.offset <= lo && hi <= s.end();
    for piece in cuts.windows(2) {
        let (lo, hi) = (piece[0], piece[1]);
        if lo == hi {
            continue;
        }
        let out = &mut words[(lo - offset) as usize..(hi - offset) as usize];
        match (spans(a, lo, hi), spans(b, lo, hi)) {
            (true, true) => {
                let pairs = a.window(lo, hi).iter().zip(b.window(lo, hi));
                for (w, (x, y)) in out.iter_mut().zip(pairs) {
                    *w &= x ^ y;
                }
            }
            (true, false) | (false, true) => {
                let s = if spans(a, lo, hi) { a } else { b };
                for (w, x) in out.iter_mut().zip(s.window(lo, hi)) {
                    *w &= x;
                }
            }
            (false, false) => out.fill(0),
        }
    }
}

impl CellSet {
    /// The empty set.
    pub fn new() -> CellSet {
        CellSet::default()
    }

    /// An empty set holding zero words `[lo, hi)`, for a set about to
    /// receive boxes within them (see [`CellSet::box_words`]): no widening
    /// on the way. Not trimmed: finish with [`CellSet::trimmed`].
    pub(crate) fn spanning(lo: u32, hi: u32) -> CellSet {
        CellSet {
            offset: lo,
            words: vec![0; hi.saturating_sub(lo) as usize],
        }
    }

    /// The set of `words` from word `offset` on, already trimmed (the
    /// first and last words non-zero, or no words).
    pub(super) fn from_trimmed(offset: u32, words: Vec<u64>) -> CellSet {
        debug_assert!(words.first().is_none_or(|&w| w != 0));
        debug_assert!(words.last().is_none_or(|&w| w != 0));
        let offset = if words.is_empty() { 0 } else { offset };
        CellSet { offset, words }
    }

    /// The words `[lo, hi)` the set spans, if it has any cell.
    pub(crate) fn words_span(&self) -> Option<(u32, u32)> {
        (!self.is_empty()).then(|| (self.offset, self.end()))
    }

    /// A copy holding zero words to span `[lo, hi)` at least (see
    /// [`CellSet::spanning`]). Not trimmed: finish with
    /// [`CellSet::trimmed`].
    pub(crate) fn widened(&self, lo: u32, hi: u32) -> CellSet {
        let mut out = CellSet::spanning(lo, hi);
        if !self.is_empty() {
            out.cover(self.offset, self.end());
            let at = (self.offset - out.offset) as usize;
            out.words[at..at + self.words.len()].copy_from_slice(&self.words);
        }
        out
    }

    /// The set with zero words at both ends dropped.
    pub(crate) fn trimmed(mut self) -> CellSet {
        self.trim();
        self
    }

    /// The set holding no more words than it uses, for a set kept long
    /// (a summary): grown word runs double their capacity, and trimming
    /// keeps it.
    pub(crate) fn compacted(mut self) -> CellSet {
        if self.words.capacity() > self.words.len() + self.words.len() / 8 {
            self.words.shrink_to_fit();
        }
        self
    }

    /// The words `[lo, hi)` a box spans, if it has any cell.
    pub(crate) fn box_words(slots: &[Range<u32>], access: AccessSet) -> Option<(u32, u32)> {
        box_span(slots, access)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Number of cells.
    pub fn len(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Number of cells of one access type.
    pub fn len_of(&self, access: Access) -> u64 {
        let mask = access_pattern(AccessSet(access.bit()));
        self.words
            .iter()
            .map(|w| u64::from((w & mask).count_ones()))
            .sum()
    }

    /// A copy of the set, with its number of cells and its number of
    /// cells of access type `access` (both counted in one pass over its
    /// words), for a scratch set worked down ([`CellSet::remove_slots`]).
    pub(crate) fn counted_copy(&self, access: Access) -> (CellSet, u64, u64) {
        let mask = access_pattern(AccessSet(access.bit()));
        let (mut all, mut of_access) = (0, 0);
        // One loop of both counts (which the compiler vectorizes), and a
        // plain copy.
        for &w in &self.words {
            all += u64::from(w.count_ones());
            of_access += u64::from((w & mask).count_ones());
        }
        (self.clone(), all, of_access)
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
        self.iter_masked(u64::MAX)
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
        let (start, end) = self.overlap(other);
        if start == end {
            return self.clone();
        }
        let mut words = self.words.clone();
        let at = (start - self.offset) as usize;
        for (x, y) in words[at..].iter_mut().zip(other.window(start, end)) {
            *x &= !y;
        }
        CellSet::from_untrimmed(self.offset, words)
    }

    /// The set of these words, by increasing index (zero words may be
    /// among them).
    pub fn from_words(words: &[(u32, u64)]) -> CellSet {
        let (Some(&(lo, _)), Some(&(hi, _))) = (words.first(), words.last()) else {
            return CellSet::new();
        };
        let mut out = CellSet::spanning(lo, hi + 1);
        for &(w, word) in words {
            out.words[(w - lo) as usize] = word;
        }
        out.trim();
        out
    }

    /// The cells where `a` and `b` differ or `c` and `d` do
    /// (`(a ^ b) | (c ^ d)`), as non-zero words by increasing index.
    pub fn differing_words(a: &CellSet, b: &CellSet, c: &CellSet, d: &CellSet) -> Vec<(u32, u64)> {
        let spans = [a, b, c, d].map(|s| (s.offset, s.end()));
        let Some(start) = spans.iter().filter(|(s, e)| s < e).map(|&(s, _)| s).min() else {
            return Vec::new();
        };
        let end = spans.iter().map(|&(_, e)| e).max().unwrap_or(start);
        (start..end)
            .map(|w| (w, (a.word(w) ^ b.word(w)) | (c.word(w) ^ d.word(w))))
            .filter(|&(_, x)| x != 0)
            .collect()
    }

    /// The cells in both.
    pub fn intersection(&self, other: &CellSet) -> CellSet {
        let (start, end) = self.overlap(other);
        let words = zip_with(self.window(start, end), other.window(start, end), |x, y| {
            x & y
        });
        CellSet::from_untrimmed(start, words)
    }

    /// The cells of `self` and `other` on which `a` and `b` differ
    /// (`self & other & (a ^ b)`), built in one pass.
    pub fn intersection_differing(&self, other: &CellSet, a: &CellSet, b: &CellSet) -> CellSet {
        let (start, end) = self.overlap(other);
        let mut words = zip_with(self.window(start, end), other.window(start, end), |x, y| {
            x & y
        });
        retain_differing_in(start, &mut words, a, b);
        CellSet::from_untrimmed(start, words)
    }

    /// Add the cells in both `a` and `b` (`self |= a & b`), without building
    /// their intersection.
    pub fn union_with_both(&mut self, a: &CellSet, b: &CellSet) {
        let (start, end) = a.overlap(b);
        let (wa, wb) = (a.window(start, end), b.window(start, end));
        let both = |(x, y): (&u64, &u64)| x & y != 0;
        let Some(first) = wa.iter().zip(wb).position(both) else {
            return;
        };
        let last = wa.iter().zip(wb).rposition(both).unwrap_or(first);
        let (lo, hi) = (start + first as u32, start + last as u32 + 1);
        self.cover(lo, hi);
        let at = (lo - self.offset) as usize;
        let pairs = wa[first..=last].iter().zip(&wb[first..=last]);
        for (w, (x, y)) in self.words[at..].iter_mut().zip(pairs) {
            *w |= x & y;
        }
    }

    /// Keep the cells on which `a` and `b` differ (`self &= a ^ b`).
    pub fn retain_differing(&mut self, a: &CellSet, b: &CellSet) {
        retain_differing_in(self.offset, &mut self.words, a, b);
        self.trim();
    }

    /// Whether no cell is in both.
    pub fn is_disjoint(&self, other: &CellSet) -> bool {
        let (start, end) = self.overlap(other);
        let (x, y) = (self.window(start, end), other.window(start, end));
        x.iter().zip(y).all(|(x, y)| x & y == 0)
    }

    /// Add the cells of access types `access` in slots `slots` (a slot is
    /// four cells, see [`super::Universe`]), word by word; returns the
    /// access types of which some cell was new.
    pub fn insert_slots(&mut self, slots: &[Range<u32>], access: AccessSet) -> AccessSet {
        self.insert_slots_also(slots, access, None)
    }

    /// [`CellSet::insert_slots`], also adding the cells that were new here
    /// to `also` (first-match: what a rule newly decides, it allows).
    pub fn insert_slots_also(
        &mut self,
        slots: &[Range<u32>],
        access: AccessSet,
        also: Option<&mut CellSet>,
    ) -> AccessSet {
        let Some((lo, hi)) = box_span(slots, access) else {
            return AccessSet::default();
        };
        self.cover(lo, hi);
        let mut any = 0u64;
        // `also` spans the box already (a first-match's allowed set is
        // allocated for its `allow` rules' boxes) or is widened to it: the
        // new cells go in as they are found.
        let mut also = also;
        if let Some(a) = also.as_deref_mut() {
            a.cover(lo, hi);
        }
        for r in slots {
            each_slot_word(r.clone(), access, |w, mask| {
                let word = &mut self.words[(w - self.offset) as usize];
                let new = mask & !*word;
                *word |= mask;
                any |= new;
                if let Some(a) = also.as_deref_mut() {
                    a.words[(w - a.offset) as usize] |= new;
                }
                true
            });
        }
        nibble_access(any)
    }

    /// The first cell of access types `access` in slots `slots` that is
    /// (`present`) or is not (`!present`) in the set.
    pub fn first_in_slots(
        &self,
        slots: &[Range<u32>],
        access: AccessSet,
        present: bool,
    ) -> Option<u32> {
        let mut found = None;
        for r in slots {
            let more = each_slot_word(r.clone(), access, |w, mask| {
                let word = if present { self.word(w) } else { !self.word(w) };
                let hit = word & mask;
                if hit != 0 {
                    found = Some(w * 64 + hit.trailing_zeros());
                }
                hit == 0
            });
            if !more {
                break;
            }
        }
        found
    }

    /// Whether every cell of access types `access` in slots `slots` is in
    /// the set.
    pub fn contains_slots(&self, slots: &[Range<u32>], access: AccessSet) -> bool {
        self.first_in_slots(slots, access, false).is_none()
    }

    /// Take the cells of access types `access` in slots `slots` out of the
    /// set, for a scratch set worked down (what a region's description has
    /// left to say). Not trimmed: finish with [`CellSet::trimmed`] before
    /// comparing it. Returns how many of them it held.
    pub(crate) fn remove_slots(
        &mut self,
        slots: impl Iterator<Item = Range<u32>>,
        access: AccessSet,
    ) -> u64 {
        let end = self.end();
        let mut removed = 0;
        for r in slots {
            each_slot_word(r, access, |w, mask| {
                if (self.offset..end).contains(&w) {
                    let word = &mut self.words[(w - self.offset) as usize];
                    removed += u64::from((*word & mask).count_ones());
                    *word &= !mask;
                }
                true
            });
        }
        removed
    }

    /// Take `cell` out of the set, like [`CellSet::remove_slots`] (not
    /// trimmed); returns whether it held it.
    pub(crate) fn remove(&mut self, cell: u32) -> bool {
        let (w, bit) = split(cell);
        let Some(word) = w
            .checked_sub(self.offset)
            .and_then(|i| self.words.get_mut(i as usize))
        else {
            return false;
        };
        let held = *word & bit != 0;
        *word &= !bit;
        held
    }

    /// The cells of access types `access` in slots `slots`.
    pub fn of_slots(slots: &[Range<u32>], access: AccessSet) -> CellSet {
        let mut out = CellSet::new();
        out.insert_slots(slots, access);
        out
    }

    /// The first cell of access type `access`, at least `from`, in the set
    /// (a scan word by word).
    pub fn next_of(&self, access: Access, from: u32) -> Option<u32> {
        let mask = access_pattern(AccessSet(access.bit()));
        let (first, _) = split(from);
        let start = first.max(self.offset);
        if start >= self.end() {
            return None;
        }
        let at = (start - self.offset) as usize;
        let mut word = self.words[at] & mask;
        if start == first {
            word &= u64::MAX << (from % 64);
        }
        if word != 0 {
            return Some(start * 64 + word.trailing_zeros());
        }
        // The rest by blocks of eight words, a block without any cell of
        // the type skipped in one test (a region spanning the catalog has
        // long runs of other types' cells).
        for (k, block) in self.words[at + 1..].chunks(8).enumerate() {
            if block.iter().fold(0, |any, &x| any | (x & mask)) == 0 {
                continue;
            }
            if let Some((j, x)) = block.iter().enumerate().find(|(_, &x)| x & mask != 0) {
                let w = start + 1 + (8 * k + j) as u32;
                return Some(w * 64 + (x & mask).trailing_zeros());
            }
        }
        None
    }

    fn iter_masked(&self, mask: u64) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(move |(i, &word)| {
            let base = (self.offset + i as u32) * 64;
            let mut rest = word & mask;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros();
                    rest &= rest - 1;
                    base + bit
                })
            })
        })
    }

    /// The set's words: the index of the first word and the words, word
    /// `offset + i` holding cells `64 * (offset + i)` to `64 * (offset + i)
    /// + 63` (for dense scratch sets outside this module, e.g. the
    /// evaluation orders of `build`).
    pub fn raw_words(&self) -> (u32, &[u64]) {
        (self.offset, &self.words)
    }

    /// Whether fewer than half its words are non-zero ([`Packed`]).
    pub(crate) fn packs(&self) -> bool {
        self.nonzero_count() * 2 < self.words.len()
    }

    /// How many words are non-zero.
    fn nonzero_count(&self) -> usize {
        self.words.iter().filter(|&&w| w != 0).count()
    }

    /// The `count` non-zero words with their indexes, allocated once
    /// (collected from a filter, the list grew by doubling: copies and
    /// fresh pages for every set packed).
    fn nonzero_words_counted(&self, count: usize) -> Box<[(u32, u64)]> {
        let mut out = Vec::with_capacity(count);
        out.extend(self.nonzero_words());
        out.into_boxed_slice()
    }

    /// The non-zero words with their indexes, by increasing index.
    pub fn nonzero_words(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        let offset = self.offset;
        self.words
            .iter()
            .enumerate()
            .filter(|(_, &w)| w != 0)
            .map(move |(i, &w)| (offset + i as u32, w))
    }

    /// One past the last word index.
    fn end(&self) -> u32 {
        self.offset + self.words.len() as u32
    }

    /// The word with index `w` (zero outside the span): cells `64 * w` to
    /// `64 * w + 63`.
    pub fn word(&self, w: u32) -> u64 {
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
            // One allocation of the final size, the old words copied once.
            let end = end.max(self.end());
            let mut words = vec![0; (end - start) as usize];
            let at = (self.offset - start) as usize;
            words[at..at + self.words.len()].copy_from_slice(&self.words);
            self.words = words;
            self.offset = start;
            return;
        }
        if end > self.end() {
            let len = (end - self.offset) as usize;
            self.words.resize(len, 0);
        }
    }

    /// Words `[start, end)`, which the set spans.
    fn window(&self, start: u32, end: u32) -> &[u64] {
        if start == end {
            return &[];
        }
        &self.words[(start - self.offset) as usize..(end - self.offset) as usize]
    }

    /// The set of `words` from word `offset` on, zero words at both ends
    /// dropped.
    fn from_untrimmed(offset: u32, words: Vec<u64>) -> CellSet {
        let mut set = CellSet { offset, words };
        set.trim();
        set
    }

    /// The words both sets span: `[start, end)`, possibly empty.
    fn overlap(&self, other: &CellSet) -> (u32, u32) {
        let start = self.offset.max(other.offset);
        (start, self.end().min(other.end()).max(start))
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

/// A set as kept for long: its non-zero words alone, each with its index,
/// when that takes less room than its span of words. A block's own
/// permissions write about a few scattered objects, so their cells span
/// most of the words while one in twenty holds any (at a million
/// permissions: 250 MB of spans, 11 MB of non-zero words).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Packed {
    /// The set as it is.
    Dense(CellSet),
    /// The non-zero words, by increasing index.
    Sparse(Box<[(u32, u64)]>),
}

impl Default for Packed {
    fn default() -> Packed {
        Packed::Dense(CellSet::new())
    }
}

impl Packed {
    /// `set`, packed when its non-zero words are fewer than half its span.
    pub fn new(set: CellSet) -> Packed {
        if set.packs() {
            Packed::sparse(&set)
        } else {
            Packed::Dense(set.compacted())
        }
    }

    /// [`Packed::new`] of a copy of `set` (only its non-zero words copied
    /// when it packs).
    pub fn of(set: &CellSet) -> Packed {
        if set.packs() {
            Packed::sparse(set)
        } else {
            Packed::Dense(set.clone().compacted())
        }
    }

    /// [`Packed::of`] when the set packs into at most `sparse` non-zero
    /// words or, not packing, spans at most `dense` words (one count of
    /// its non-zero words).
    pub fn of_small(set: &CellSet, dense: usize, sparse: usize) -> Option<Packed> {
        let nonzero = set.nonzero_count();
        if nonzero * 2 < set.words.len() {
            (nonzero <= sparse).then(|| Packed::Sparse(set.nonzero_words_counted(nonzero)))
        } else {
            (set.words.len() <= dense).then(|| Packed::Dense(set.clone().compacted()))
        }
    }

    /// [`Packed::new`] of the set of these non-zero words (by increasing
    /// index), without spreading them over their span when they pack.
    pub fn from_words(words: Vec<(u32, u64)>) -> Packed {
        debug_assert!(words.iter().all(|&(_, w)| w != 0));
        debug_assert!(words.windows(2).all(|p| p[0].0 < p[1].0));
        let span = match (words.first(), words.last()) {
            (Some(&(lo, _)), Some(&(hi, _))) => (hi - lo) as usize + 1,
            _ => 0,
        };
        if words.len() * 2 < span {
            Packed::Sparse(words.into_boxed_slice())
        } else {
            Packed::Dense(CellSet::from_words(&words).compacted())
        }
    }

    /// The non-zero words of `set`, whether or not it packs.
    fn sparse(set: &CellSet) -> Packed {
        Packed::Sparse(set.nonzero_words_counted(set.nonzero_count()))
    }

    /// The set.
    pub fn unpack(&self) -> CellSet {
        match self {
            Packed::Dense(set) => set.clone(),
            Packed::Sparse(words) => CellSet::from_words(words),
        }
    }

    /// The word with index `w` (as [`CellSet::word`]).
    pub fn word(&self, w: u32) -> u64 {
        match self {
            Packed::Dense(set) => set.word(w),
            Packed::Sparse(words) => words
                .binary_search_by_key(&w, |&(i, _)| i)
                .map_or(0, |k| words[k].1),
        }
    }

    /// Whether `cell` is in the set.
    pub fn contains(&self, cell: u32) -> bool {
        match self {
            Packed::Dense(set) => set.contains(cell),
            Packed::Sparse(words) => {
                let (w, bit) = split(cell);
                words
                    .binary_search_by_key(&w, |&(i, _)| i)
                    .is_ok_and(|k| words[k].1 & bit != 0)
            }
        }
    }

    /// Number of cells.
    pub fn len(&self) -> u64 {
        self.nonzero_words()
            .map(|(_, w)| u64::from(w.count_ones()))
            .sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        match self {
            Packed::Dense(set) => set.is_empty(),
            Packed::Sparse(words) => words.is_empty(),
        }
    }

    /// The non-zero words with their indexes, by increasing index.
    pub fn nonzero_words(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        let (dense, sparse) = match self {
            Packed::Dense(set) => (Some(set.nonzero_words()), None),
            Packed::Sparse(words) => (None, Some(words.iter().copied())),
        };
        dense
            .into_iter()
            .flatten()
            .chain(sparse.into_iter().flatten())
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

    #[test]
    fn scattered_sets_pack_to_their_words_and_dense_ones_stay() {
        let scattered: CellSet = [0u32, 50_000, 99_999].into_iter().collect();
        assert!(matches!(Packed::new(scattered), Packed::Sparse(w) if w.len() == 3));
        let dense: CellSet = (0u32..640).collect();
        assert!(matches!(Packed::new(dense), Packed::Dense(_)));
        assert!(Packed::new(CellSet::new()).is_empty());
    }

    proptest! {
        /// A packed set holds the cells it was made of, sparse (cells far
        /// apart) or dense, whether grown with slack words or trimmed.
        #[test]
        fn packed_sets_keep_their_cells(a in cells(), probes in cells()) {
            let set: CellSet = a.iter().copied().collect();
            let packed = Packed::new(set.clone());
            prop_assert_eq!(packed.unpack(), set.clone());
            let (lo, words) = set.raw_words();
            for w in (0..3).chain(lo.saturating_sub(1)..lo + words.len() as u32 + 1) {
                prop_assert_eq!(packed.word(w), set.word(w));
            }
            prop_assert_eq!(&Packed::of(&set), &packed);
            prop_assert_eq!(&Packed::from_words(set.nonzero_words().collect()), &packed);
            prop_assert_eq!(packed.len(), set.len());
            prop_assert_eq!(packed.is_empty(), set.is_empty());
            prop_assert_eq!(
                packed.nonzero_words().collect::<Vec<_>>(),
                set.nonzero_words().collect::<Vec<_>>()
            );
            for c in a.iter().chain(&probes) {
                prop_assert_eq!(packed.contains(*c), set.contains(*c));
            }
            let wide = set.widened(0, 4000).trimmed();
            prop_assert_eq!(Packed::new(wide).unpack(), set);
        }

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
            let mut both = z.clone();
            both.union_with_both(&x, &y);
            prop_assert_eq!(both, canon(&(&sc | &(&sa & &sb))));
            prop_assert_eq!(
                z.intersection_differing(&x, &y, &u),
                canon(&(&(&sc & &sa) & &(&sb ^ &(&sa | &sb))))
            );
            let (lo, words) = z.raw_words();
            let mut indexed: Vec<(u32, u64)> = words.iter().enumerate().map(|(i, &w)| (lo + i as u32, w)).collect();
            prop_assert_eq!(&CellSet::from_words(&indexed), &z);
            indexed.insert(0, (lo.saturating_sub(2), 0));
            indexed.push((lo + words.len() as u32 + 3, 0));
            prop_assert_eq!(&CellSet::from_words(&indexed), &z);
            for w in (0..3).chain(lo.saturating_sub(1)..lo + words.len() as u32 + 1) {
                prop_assert_eq!(z.word(w), (0..64).filter(|b| sc.contains(&(w * 64 + b))).map(|b| 1u64 << b).sum::<u64>());
            }
            prop_assert_eq!(
                CellSet::differing_words(&x, &y, &z, &u),
                canon(&(&(&sa ^ &sb) | &(&sc ^ &(&sa | &sb)))).nonzero_words().collect::<Vec<_>>()
            );
            for probe in a.iter().chain(&b).copied().chain([0, 63, 64, 99_999]) {
                prop_assert_eq!(x.contains(probe), sa.contains(&probe));
            }
            // Boxes: slot ranges with access types, against the cells.
            let slots: Vec<Range<u32>> = c.chunks(2).map(|p| {
                let (a, b) = (p[0] / 4, p.get(1).map_or(p[0] / 4, |b| b / 4));
                a.min(b)..a.max(b) + 1
            }).collect();
            let access = AccessSet((a.len() % 15 + 1) as u8);
            let boxed: BTreeSet<u32> = slots.iter().cloned().flatten()
                .flat_map(|s| access.iter().map(move |x| s * 4 + x as u32))
                .collect();
            prop_assert_eq!(set(&CellSet::of_slots(&slots, access)), boxed.clone());
            // The same box as one-slot ranges (worked out directly).
            let singles: Vec<Range<u32>> = slots.iter().cloned().flatten().map(|s| s..s + 1).collect();
            prop_assert_eq!(set(&CellSet::of_slots(&singles, access)), boxed.clone());
            for present in [true, false] {
                prop_assert_eq!(
                    x.first_in_slots(&singles, access, present),
                    x.first_in_slots(&slots, access, present)
                );
            }
            let mut rest = x.clone();
            rest.remove_slots(singles.iter().cloned(), access);
            prop_assert_eq!(set(&rest.trimmed()), &sa - &boxed);
            let mut ins = x.clone();
            let new = ins.insert_slots(&slots, access);
            prop_assert_eq!(set(&ins), &sa | &boxed);
            // Pre-widened to both spans, the same set once trimmed.
            let (lo, hi) = [x.words_span(), CellSet::box_words(&slots, access), y.words_span()]
                .into_iter()
                .flatten()
                .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
                .unwrap_or((0, 0));
            let mut wide = x.widened(lo, hi);
            prop_assert_eq!(wide.insert_slots(&slots, access), new);
            wide.union_with(&y);
            let mut plain = ins.clone();
            plain.union_with(&y);
            prop_assert_eq!(wide.trimmed(), plain);
            let fresh: BTreeSet<u32> = &boxed - &sa;
            let fresh_access: Vec<u8> = fresh.iter().map(|c| (c % 4) as u8).collect();
            for acc in Access::ALL {
                prop_assert_eq!(new.contains(acc), fresh_access.contains(&(acc as u8)));
                let from = b.first().copied().unwrap_or(0);
                prop_assert_eq!(
                    x.next_of(acc, from),
                    sa.iter().copied().find(|&c| c >= from && c % 4 == acc as u32)
                );
                prop_assert_eq!(
                    x.len_of(acc),
                    sa.iter().filter(|&&c| c % 4 == acc as u32).count() as u64
                );
            }
            let mut rest = x.clone();
            rest.remove_slots(slots.iter().cloned(), access);
            let c0 = b.first().copied().unwrap_or(0);
            rest.remove(c0);
            let mut expected: BTreeSet<u32> = &sa - &boxed;
            expected.remove(&c0);
            prop_assert_eq!(rest.trimmed(), expected.iter().copied().collect::<CellSet>());
            let in_order = || slots.iter().cloned().flatten()
                .flat_map(|s| access.iter().map(move |x| s * 4 + x as u32));
            prop_assert_eq!(x.first_in_slots(&slots, access, true), in_order().find(|c| sa.contains(c)));
            prop_assert_eq!(x.first_in_slots(&slots, access, false), in_order().find(|c| !sa.contains(c)));
            prop_assert_eq!(x.contains_slots(&slots, access), boxed.is_subset(&sa));
        }
    }
}
