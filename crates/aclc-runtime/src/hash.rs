//! Small open-addressing hash tables for the decision index: string keys
//! (names) and integer keys (class ids), hashed a word at a time. No
//! allocation on lookup; tables are built once at load.

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Hash of a byte string, eight bytes a step.
#[inline]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(buf))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    h ^ (h >> 32)
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

/// A map from strings to `u32` values.
#[derive(Clone, Debug, Default)]
pub(crate) struct StrMap {
    /// Entry index + 1, 0 for an empty slot; a power of two long.
    slots: Vec<u32>,
    /// (hash, start in `text`, byte length, value).
    entries: Vec<(u64, u32, u32, u32)>,
    text: String,
}

impl StrMap {
    /// Number of keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn key(&self, e: &(u64, u32, u32, u32)) -> &[u8] {
        let start = e.1 as usize;
        self.text
            .as_bytes()
            .get(start..start + e.2 as usize)
            .unwrap_or_default()
    }

    /// The value of `key`.
    #[inline]
    pub(crate) fn get(&self, key: &[u8]) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let h = hash_bytes(key);
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                return None;
            }
            let e = &self.entries[(s - 1) as usize];
            if e.0 == h && self.key(e) == key {
                return Some(e.3);
            }
            i = (i + 1) & mask;
        }
    }

    /// Add `key` with `value`; returns the value already there instead
    /// when `key` is present.
    pub(crate) fn insert(&mut self, key: &str, value: u32) -> Result<(), u32> {
        if let Some(v) = self.get(key.as_bytes()) {
            return Err(v);
        }
        if (self.entries.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let h = hash_bytes(key.as_bytes());
        self.entries
            .push((h, self.text.len() as u32, key.len() as u32, value));
        self.text.push_str(key);
        self.place(h, self.entries.len() as u32);
        Ok(())
    }

    fn place(&mut self, h: u64, slot_value: u32) {
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot_value;
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(16);
        self.slots = vec![0; cap];
        for k in 0..self.entries.len() {
            let h = self.entries[k].0;
            self.place(h, k as u32 + 1);
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
