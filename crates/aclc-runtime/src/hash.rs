//! Small open-addressing hash tables for the decision index: string keys
//! (names) and integer keys (class ids), hashed a word at a time. No
//! allocation on lookup; tables are built once at load.

const K: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xD6E8_FEB8_6659_FD93;

/// The 128-bit product of `a` and `b`, folded to 64 bits: one multiply
/// that mixes every bit of both words.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The eight bytes at `i` (little-endian); 0 past the end.
#[inline]
fn word(bytes: &[u8], i: usize) -> u64 {
    bytes
        .get(i..i + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// The four bytes at `i` (little-endian); 0 past the end.
#[inline]
fn half(bytes: &[u8], i: usize) -> u64 {
    bytes
        .get(i..i + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

/// The first and the last word of a name (they overlap when it is shorter
/// than 16 bytes; both hold every byte of a name of up to 16 bytes).
#[inline]
fn ends(bytes: &[u8]) -> (u64, u64) {
    let n = bytes.len();
    if n >= 8 {
        (word(bytes, 0), word(bytes, n - 8))
    } else if n >= 4 {
        (half(bytes, 0), half(bytes, n - 4))
    } else if n > 0 {
        let b = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
        (b(0) << 16 | b(n / 2) << 8 | b(n - 1), 0)
    } else {
        (0, 0)
    }
}

/// Hash of a byte string: names up to 16 bytes (most names) take one
/// folded multiply of their first and last word; longer ones one more per
/// 16 bytes. Not keyed: table keys come from the table, and a request's
/// name only probes.
#[inline]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let mut h = (n as u64).wrapping_mul(K);
    if n > 16 {
        let mut i = 0;
        while i + 16 < n {
            h = fold(word(bytes, i) ^ h ^ K2, word(bytes, i + 8) ^ K);
            i += 16;
        }
        // The last 16 bytes (overlapping what came before).
        return fold(word(bytes, n - 16) ^ h ^ K2, word(bytes, n - 8) ^ K);
    }
    let (a, b) = ends(bytes);
    fold(a ^ K2, b ^ h ^ K)
}

/// Whether two byte strings of the same length are equal, a word at a time
/// (names are short: no call to `memcmp`).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n <= 16 {
        return ends(a) == ends(b);
    }
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

#[inline]
fn hash_u32(k: u32) -> u64 {
    let h = u64::from(k).wrapping_mul(K);
    h ^ (h >> 29)
}

/// A fast hasher for the small integer keys of load-time maps (class ids,
/// rows of class ids): a multiply-rotate per word, not a keyed hash (the
/// keys come from the table, not from requests).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct IdBuild;

impl std::hash::BuildHasher for IdBuild {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

/// The hasher of [`IdBuild`].
pub(crate) struct IdHasher(u64);

impl IdHasher {
    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(K);
    }
}

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.add(hash_bytes(bytes));
    }

    fn write_u8(&mut self, x: u8) {
        self.add(u64::from(x));
    }

    fn write_u32(&mut self, x: u32) {
        self.add(u64::from(x));
    }

    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }

    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

/// One slot of a [`StrMap`]: the key's hash (high half), where its text
/// lies, and the value; `len == u32::MAX` marks an empty slot.
#[derive(Clone, Copy, Debug)]
struct Slot {
    tag: u32,
    len: u32,
    start: u32,
    value: u32,
}

const EMPTY: Slot = Slot {
    tag: 0,
    len: u32::MAX,
    start: 0,
    value: 0,
};

/// A map from strings to `u32` values: open addressing over 16-byte slots
/// (four to a cache line) holding the hash and the value, so a lookup is
/// one slot read and one read of the key's text. Names are collected in
/// these while the index is built; decisions look them up in the
/// [`NameMap`](crate::names::NameMap) built from them (this map keeps only
/// its names longer than 16 bytes).
#[derive(Clone, Debug, Default)]
pub(crate) struct StrMap {
    /// A power of two long (or empty), at most half full.
    slots: Vec<Slot>,
    /// The keys, end to end.
    text: Vec<u8>,
    len: usize,
}

impl StrMap {
    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The keys and their values, in no particular order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.len != u32::MAX)
            .filter_map(|s| {
                let start = s.start as usize;
                let text = self.text.get(start..start + s.len as usize)?;
                Some((std::str::from_utf8(text).ok()?, s.value))
            })
    }

    /// The value of `key`.
    #[inline(always)]
    pub(crate) fn get(&self, key: &[u8]) -> Option<u32> {
        let mask = self.slots.len().wrapping_sub(1);
        let h = hash_bytes(key);
        let tag = (h >> 32) as u32;
        let mut i = h as usize;
        loop {
            let s = self.slots.get(i & mask)?;
            if s.len == u32::MAX {
                return None;
            }
            if s.tag == tag && s.len as usize == key.len() {
                let start = s.start as usize;
                let text = self.text.get(start..start + key.len())?;
                if same(text, key) {
                    return Some(s.value);
                }
            }
            i = (i & mask) + 1;
        }
    }

    /// Add `key` with `value`; returns the value already there instead
    /// when `key` is present.
    pub(crate) fn insert(&mut self, key: &str, value: u32) -> Result<(), u32> {
        if let Some(v) = self.get(key.as_bytes()) {
            return Err(v);
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let slot = Slot {
            tag: (hash_bytes(key.as_bytes()) >> 32) as u32,
            len: key.len() as u32,
            start: self.text.len() as u32,
            value,
        };
        self.text.extend_from_slice(key.as_bytes());
        self.place(slot);
        self.len += 1;
        Ok(())
    }

    fn place(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let start = slot.start as usize;
        let key = self
            .text
            .get(start..start + slot.len as usize)
            .unwrap_or_default();
        let mut i = hash_bytes(key) as usize & mask;
        while self.slots[i].len != u32::MAX {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; cap]);
        for s in old.into_iter().filter(|s| s.len != u32::MAX) {
            self.place(s);
        }
    }
}

/// Where one integer map lives in an [`IntPool`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct IntMapRef {
    offset: u32,
    /// Capacity - 1 (a power of two minus one); `u32::MAX` for an empty map.
    mask: u32,
}

/// Many small maps from `u32` keys (never `u32::MAX`) to values, in one
/// shared array; a key and its value are side by side, so a lookup touches
/// one cache line.
#[derive(Clone, Debug, Default)]
pub(crate) struct IntPool<V> {
    slots: Vec<(u32, V)>,
}

impl<V: Copy + Default> IntPool<V> {
    /// Store a map with these entries (distinct keys).
    pub(crate) fn add(&mut self, entries: &[(u32, V)]) -> IntMapRef {
        if entries.is_empty() {
            return IntMapRef {
                offset: 0,
                mask: u32::MAX,
            };
        }
        // Load factor at most 2/3: probes stay short, memory stays small.
        let cap = (entries.len() + entries.len() / 2 + 1).next_power_of_two();
        let offset = self.slots.len();
        self.slots.resize(offset + cap, (u32::MAX, V::default()));
        let mask = cap - 1;
        for &(k, v) in entries {
            let mut i = (hash_u32(k) as usize) & mask;
            while self.slots[offset + i].0 != u32::MAX {
                i = (i + 1) & mask;
            }
            self.slots[offset + i] = (k, v);
        }
        IntMapRef {
            offset: offset as u32,
            mask: mask as u32,
        }
    }

    /// The value of `key` in map `m`.
    #[inline]
    pub(crate) fn get(&self, m: IntMapRef, key: u32) -> Option<V> {
        if m.mask == u32::MAX {
            return None;
        }
        let mask = m.mask as usize;
        let offset = m.offset as usize;
        let mut i = (hash_u32(key) as usize) & mask;
        loop {
            let &(k, v) = self.slots.get(offset + i)?;
            if k == key {
                return Some(v);
            }
            if k == u32::MAX {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<(u32, V)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_map_finds_what_was_inserted_and_nothing_else() {
        let mut m = StrMap::default();
        let names = ["", "a", "ab", "abcdefgh", "abcdefghi", "é", "a\u{1}b"];
        for (i, n) in names.iter().enumerate() {
            assert_eq!(m.insert(n, i as u32), Ok(()));
        }
        assert_eq!(m.insert("ab", 9), Err(2));
        for (i, n) in names.iter().enumerate() {
            assert_eq!(m.get(n.as_bytes()), Some(i as u32));
        }
        assert_eq!(m.get(b"abc"), None);
        assert_eq!(m.get(b"abcdefg"), None);
        assert_eq!(m.len(), names.len());
    }

    #[test]
    fn int_pool_keeps_maps_apart() {
        let mut p: IntPool<u8> = IntPool::default();
        let a = p.add(&[(1, 10), (2, 20), (17, 30)]);
        let b = p.add(&[(1, 11)]);
        let e = p.add(&[]);
        assert_eq!(p.get(a, 17), Some(30));
        assert_eq!(p.get(a, 3), None);
        assert_eq!(p.get(b, 1), Some(11));
        assert_eq!(p.get(b, 2), None);
        assert_eq!(p.get(e, 1), None);
    }
}
