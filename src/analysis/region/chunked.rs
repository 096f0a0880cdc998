//! Sets kept for a whole analysis (every block's summary), the big ones as
//! shared chunks.
//!
//! A block's summary covers what its whole closure decides. Over a big
//! catalog that spans most of the cells, and a block's summary holds mostly
//! the words of its includes' summaries: where only one include decides
//! something, or one decides everything the others do; and the same
//! repeated word wherever a wildcard rule (`*.*`) decides every object.
//! A [`Chunked`] set cuts its words into chunks of 16 (1,024 cells); a
//! chunk equal to an include's is shared with it, a chunk of sixteen equal
//! words is shared with every set holding it ([`Chunks`]), and an all-zero
//! chunk is not stored. Sets are worked on as [`CellSet`]s, unpacked (the
//! word loops took less CPU time on unpacked copies, copying included, than
//! looking each word up through the chunks), and only kept in this form.
//!
//! Interning every chunk through one table shares more (at 100,000
//! permissions of the catalog shape, 350 MB instead of 410 MB in all) but
//! costs more than it saves: at a million, the lookups' cache misses took
//! longer than the memory they saved.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::CellSet;

/// Words per chunk.
const WORDS: u32 = 16;

/// Sixteen words of a set: cells `1024 * k` to `1024 * k + 1023` of chunk
/// `k`.
type Chunk = [u64; WORDS as usize];

/// Shards of the table: the blocks of one level of the include graph are
/// kept in parallel.
const SHARDS: usize = 16;

/// The chunks of sixteen equal words kept so far, one copy of each, by
/// word. Needed while sets are being kept only; the chunks live on in the
/// sets.
pub struct Chunks {
    shards: Box<[Mutex<Uniform>]>,
}

/// Chunks of sixteen equal words, by word.
type Uniform = FxHashMap<u64, Arc<Chunk>>;

impl Default for Chunks {
    fn default() -> Chunks {
        Chunks {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }
}

impl Chunks {
    /// The shared chunk of sixteen words `word`.
    fn uniform(&self, word: u64) -> Arc<Chunk> {
        let shard = (FxBuildHasher.hash_one(word) >> 32) as usize % SHARDS;
        let mut table = self.shards[shard]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            table
                .entry(word)
                .or_insert_with(|| Arc::new([word; WORDS as usize])),
        )
    }
}

/// Sets of fewer words are kept as they are. Chunks cost time (a set is
/// unpacked each time it is worked on: at a million permissions, 1.2 s
/// more CPU time for the resellers shape, whose 400-object catalog keeps
/// summaries under 1,200 words) and save room only where summaries are big.
/// Bigger sets are kept in chunks even when that takes more room for the
/// set itself, as the blocks that include it share its chunks (over a
/// catalog of 5,000 objects, keeping in chunks only the sets that shrink
/// took 5.3 GB at a million permissions, keeping all 3.3 GB). Smaller
/// sets are kept in chunks too when half their chunks are sixteen equal
/// words (wildcard rules deciding every object: the messy legacy shape's
/// summaries, 210 MB less at a million for about 0.3 s more CPU time).
static CHUNKED_FROM: AtomicUsize = AtomicUsize::new(2048);

/// Keep sets of `words` words or more in chunks from now on (0: every set;
/// smaller ones mostly of equal words are kept in chunks all the same),
/// for tests: the analysis is the same whatever the number.
#[doc(hidden)]
pub fn keep_in_chunks_from(words: usize) {
    CHUNKED_FROM.store(words, Ordering::Relaxed);
}

/// Whether at least half of the whole chunks of `words` are sixteen equal
/// words (cut from the set's first word: close enough to tell).
fn mostly_uniform(words: &[u64]) -> bool {
    let whole = words.len() / WORDS as usize;
    let uniform = words
        .chunks_exact(WORDS as usize)
        .filter(|c| c.iter().all(|&w| w == c[0]))
        .count();
    whole > 0 && 2 * uniform >= whole
}

/// A set of cells as kept: its words as they are or, from
/// [`CHUNKED_FROM`] words on (or mostly of equal words), the words `[offset, offset + len)` by chunks
/// of 16, each shared or (all zero) absent.
#[derive(Clone, Debug)]
pub struct Chunked(Repr);

#[derive(Clone, Debug)]
enum Repr {
    /// The set as worked on, shared with the summary it was kept from.
    Words(Arc<CellSet>),
    Chunks {
        /// The first word (non-zero).
        offset: u32,
        /// How many words, the last non-zero.
        len: u32,
        /// Chunks `offset / 16` to `(offset + len - 1) / 16` (the list
        /// shared by the set's copies: a re-analysis takes over the
        /// summaries of unchanged blocks).
        chunks: Arc<[Option<Arc<Chunk>>]>,
    },
}

impl Default for Chunked {
    fn default() -> Chunked {
        Chunked(Repr::Words(Arc::default()))
    }
}

impl Chunked {
    /// `set`, each chunk shared with the same chunk of one of `like` (sets
    /// it is expected to share words with: a block's summary with its
    /// includes', tried first as they cost no lookup) or through `table`;
    /// kept as it is when it is small (and not mostly of equal words).
    pub fn of(set: &Arc<CellSet>, like: &[&Chunked], table: &Chunks) -> Chunked {
        let (offset, words) = set.raw_words();
        if words.is_empty()
            || (words.len() < CHUNKED_FROM.load(Ordering::Relaxed) && !mostly_uniform(words))
        {
            return Chunked(Repr::Words(Arc::clone(set)));
        }
        let last = offset + words.len() as u32 - 1;
        let chunks = (offset / WORDS..=last / WORDS)
            .map(|k| {
                let mut chunk: Chunk = [0; WORDS as usize];
                let (lo, hi) = within(k, offset, last + 1);
                chunk[(lo - k * WORDS) as usize..(hi - k * WORDS) as usize]
                    .copy_from_slice(&words[(lo - offset) as usize..(hi - offset) as usize]);
                if chunk.iter().all(|&w| w == 0) {
                    return None;
                }
                let shared = like
                    .iter()
                    .filter_map(|l| l.chunk(k))
                    .find(|c| ***c == chunk);
                Some(match shared {
                    Some(c) => Arc::clone(c),
                    None if chunk.iter().all(|&w| w == chunk[0]) => table.uniform(chunk[0]),
                    None => Arc::new(chunk),
                })
            })
            .collect();
        Chunked(Repr::Chunks {
            offset,
            len: words.len() as u32,
            chunks,
        })
    }

    /// About how many words keeping the set takes beyond what it shares
    /// with other sets: its words when kept as they are; else a word per
    /// chunk, and sixteen per chunk not of sixteen equal words (those are
    /// shared through the table).
    pub fn own_words(&self) -> usize {
        match &self.0 {
            Repr::Words(set) => set.raw_words().1.len(),
            Repr::Chunks { chunks, .. } => {
                let unshared = chunks
                    .iter()
                    .flatten()
                    .filter(|c| c.iter().any(|&w| w != c[0]))
                    .count();
                chunks.len() + unshared * WORDS as usize
            }
        }
    }

    /// Chunk `k`, if the set is kept in chunks and holds any cell in it.
    fn chunk(&self, k: u32) -> Option<&Arc<Chunk>> {
        let Repr::Chunks { offset, chunks, .. } = &self.0 else {
            return None;
        };
        let i = k.checked_sub(offset / WORDS)?;
        chunks.get(i as usize)?.as_ref()
    }

    /// The set (shared when kept as it is).
    pub fn unpack(&self) -> Arc<CellSet> {
        let Repr::Chunks {
            offset,
            len,
            chunks,
        } = &self.0
        else {
            return self.words().map(Arc::clone).unwrap_or_default();
        };
        let mut words = Vec::with_capacity(*len as usize);
        for (k, chunk) in numbered(*offset, chunks) {
            let (lo, hi) = within(k, *offset, offset + len);
            match chunk {
                Some(c) => words
                    .extend_from_slice(&c[(lo - k * WORDS) as usize..(hi - k * WORDS) as usize]),
                None => words.resize(words.len() + (hi - lo) as usize, 0),
            }
        }
        Arc::new(CellSet::from_trimmed(*offset, words))
    }

    /// The set, when kept as it is.
    fn words(&self) -> Option<&Arc<CellSet>> {
        match &self.0 {
            Repr::Words(set) => Some(set),
            Repr::Chunks { .. } => None,
        }
    }

    /// The word with index `w` (as [`CellSet::word`]).
    pub fn word(&self, w: u32) -> u64 {
        match &self.0 {
            Repr::Words(set) => set.word(w),
            Repr::Chunks {
                offset,
                len,
                chunks,
            } => {
                if w < *offset || w - offset >= *len {
                    return 0;
                }
                let k = (w / WORDS - offset / WORDS) as usize;
                chunks[k].as_ref().map_or(0, |c| c[(w % WORDS) as usize])
            }
        }
    }

    /// Whether `cell` is in the set.
    pub fn contains(&self, cell: u32) -> bool {
        self.word(cell / 64) & (1u64 << (cell % 64)) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words_span().is_none()
    }

    /// The words `[lo, hi)` the set spans, if it has any cell.
    pub fn words_span(&self) -> Option<(u32, u32)> {
        match &self.0 {
            Repr::Words(set) => set.words_span(),
            Repr::Chunks { offset, len, .. } => Some((*offset, offset + len)),
        }
    }

    /// The cells of `other` in the set (word by word over `other`).
    pub fn intersection(&self, other: &CellSet) -> CellSet {
        self.masking(other, |mine| mine)
    }

    /// The cells of `other` not in the set (word by word over `other`).
    pub fn missing_from(&self, other: &CellSet) -> CellSet {
        self.masking(other, |mine| !mine)
    }

    /// Each non-zero word of `other` masked by `mask` of the set's word
    /// there, looked up one by one (`other` is small, the set need not be
    /// unpacked).
    fn masking(&self, other: &CellSet, mask: impl Fn(u64) -> u64) -> CellSet {
        let words: Vec<(u32, u64)> = other
            .nonzero_words()
            .map(|(w, bits)| (w, bits & mask(self.word(w))))
            .filter(|&(_, bits)| bits != 0)
            .collect();
        CellSet::from_words(&words)
    }

    /// The non-zero words with their indexes, by increasing index (absent
    /// chunks skipped whole).
    pub fn nonzero_words(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        let (words, chunked) = match &self.0 {
            Repr::Words(set) => (Some(set.nonzero_words()), None),
            Repr::Chunks { offset, chunks, .. } => (None, Some(numbered(*offset, chunks))),
        };
        let chunked = chunked
            .into_iter()
            .flatten()
            .filter_map(|(k, c)| c.as_ref().map(|c| (k, c)))
            .flat_map(|(k, c)| {
                c.iter()
                    .enumerate()
                    .filter(|(_, &w)| w != 0)
                    .map(move |(i, &w)| (k * WORDS + i as u32, w))
            });
        words.into_iter().flatten().chain(chunked)
    }
}

/// The words `[lo, hi)` of chunk `k` within the span `[start, end)`.
fn within(k: u32, start: u32, end: u32) -> (u32, u32) {
    ((k * WORDS).max(start), ((k + 1) * WORDS).min(end))
}

/// The chunks of a set starting at word `offset`, with their numbers.
fn numbered(
    offset: u32,
    chunks: &[Option<Arc<Chunk>>],
) -> impl Iterator<Item = (u32, &Option<Arc<Chunk>>)> {
    let first = offset / WORDS;
    chunks
        .iter()
        .enumerate()
        .map(move |(i, c)| (first + i as u32, c))
}

/// Equal sets are equal values, however kept (chunks compared by address
/// first: a set kept like another shares their equal chunks).
impl PartialEq for Chunked {
    fn eq(&self, other: &Chunked) -> bool {
        match (&self.0, &other.0) {
            (Repr::Words(a), Repr::Words(b)) => Arc::ptr_eq(a, b) || a == b,
            (
                Repr::Chunks {
                    offset,
                    len,
                    chunks,
                },
                Repr::Chunks {
                    offset: o,
                    len: l,
                    chunks: c,
                },
            ) => {
                offset == o
                    && len == l
                    && (Arc::ptr_eq(chunks, c)
                        || chunks.iter().zip(c.iter()).all(|(a, b)| match (a, b) {
                            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
                            (a, b) => a.is_none() && b.is_none(),
                        }))
            }
            _ => {
                self.words_span() == other.words_span()
                    && self.nonzero_words().eq(other.nonzero_words())
            }
        }
    }
}

impl Eq for Chunked {}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The chunks of a set kept in chunks.
    fn parts(set: &Chunked) -> &[Option<Arc<Chunk>>] {
        match &set.0 {
            Repr::Chunks { chunks, .. } => chunks,
            Repr::Words(_) => &[],
        }
    }

    fn kept(cells: impl IntoIterator<Item = u32>, like: &[&Chunked], chunks: &Chunks) -> Chunked {
        Chunked::of(&Arc::new(cells.into_iter().collect()), like, chunks)
    }

    /// Cells of a chunk: 1,024.
    const CELLS: u32 = 64 * WORDS;

    #[test]
    fn chunks_of_equal_words_are_shared_by_all_sets() {
        let chunks = Chunks::default();
        let big = 2048 / WORDS + 2;
        let a = kept(0..big * CELLS, &[], &chunks);
        // Chunks 1 to `big`, all full but the one before the last.
        let b_cells = (CELLS..(big - 1) * CELLS).chain([big * CELLS + 7]);
        let b = kept(b_cells.clone(), &[], &chunks);
        let shared = |x: &Chunked, i: usize, y: &Chunked, j: usize| matches!((&parts(x)[i], &parts(y)[j]), (Some(p), Some(q)) if Arc::ptr_eq(p, q));
        assert!(shared(&a, 1, &b, 0) && shared(&a, 5, &b, 4));
        let n = parts(&b).len();
        assert!(n == big as usize && parts(&b)[n - 2].is_none());
        assert_eq!(*b.unpack(), b_cells.collect::<CellSet>());
    }

    #[test]
    fn a_small_set_is_kept_as_it_is() {
        let set: Arc<CellSet> = Arc::new((0u32..640).step_by(3).collect());
        let kept = Chunked::of(&set, &[], &Chunks::default());
        assert!(parts(&kept).is_empty());
        assert!(Arc::ptr_eq(&kept.unpack(), &set));
    }

    fn cells() -> impl Strategy<Value = Vec<u32>> {
        // Clustered and spread cells, across word and chunk boundaries.
        prop::collection::vec(
            prop_oneof![
                0u32..200,
                1000u32..1300,
                1020u32..1030,
                0u32..100_000,
                // Far enough for sets kept in chunks.
                140_000u32..400_000,
            ],
            0..60,
        )
    }

    proptest! {
        /// A kept set holds exactly the cells it was made of, however it
        /// is kept, and a set kept like another shares their equal chunks.
        #[test]
        fn chunked_sets_keep_their_cells(a in cells(), probes in cells()) {
            let chunks = Chunks::default();
            let set: CellSet = a.iter().copied().collect();
            let kept = kept(a.iter().copied(), &[], &chunks);
            prop_assert_eq!(&*kept.unpack(), &set);
            prop_assert_eq!(kept.is_empty(), set.is_empty());
            prop_assert_eq!(kept.words_span(), set.words_span());
            prop_assert_eq!(
                kept.nonzero_words().collect::<Vec<_>>(),
                set.nonzero_words().collect::<Vec<_>>()
            );
            for &c in a.iter().chain(&probes) {
                prop_assert_eq!(kept.contains(c), set.contains(c));
                prop_assert_eq!(kept.word(c / 64), set.word(c / 64));
            }
            let other: CellSet = probes.iter().copied().collect();
            prop_assert_eq!(kept.intersection(&other), set.intersection(&other));
            prop_assert_eq!(kept.missing_from(&other), other.difference(&set));
            let again = Chunked::of(&Arc::new(set.clone()), &[&kept], &chunks);
            let shares_all = parts(&again).len() == parts(&kept).len()
                && parts(&again)
                    .iter()
                    .zip(parts(&kept))
                    .all(|(x, y)| match (x, y) {
                        (Some(x), Some(y)) => Arc::ptr_eq(x, y),
                        (x, y) => x.is_none() && y.is_none(),
                    });
            prop_assert!(shares_all);
            prop_assert!(again == kept);
            // Equality across forms: the other set as it is and chunked.
            let other_kept = Chunked::of(&Arc::new(other.clone()), &[&kept], &Chunks::default());
            let other_words = Chunked(Repr::Words(Arc::new(other.clone())));
            prop_assert_eq!(other_kept == kept, other == set);
            prop_assert_eq!(other_words == kept, other == set);
            prop_assert!(other_words == other_kept);
        }
    }
}
