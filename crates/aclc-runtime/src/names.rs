//! [`NameMap`]: the read-only map from names to ids that a decision probes
//! three times (access level, object, attribute), built to cost few
//! instructions, no unpredictable branch and one cache line per choice.
//!
//! A name of up to 24 bytes is held as its length and three words that
//! together hold every byte (the first, the middle and the last eight
//! bytes, overlapping), stored inline in its slot: comparing a key is
//! comparing four integers, with no second read of the key's text. Slots
//! come two to a 64-byte bucket and a key lives in one of two buckets
//! (bucketized cuckoo hashing), so a lookup reads exactly two buckets and
//! selects the match without a loop. Longer names, and the rare key that
//! finds no place, go to a spare [`StrMap`] probed only when it is not
//! empty.

use crate::hash::StrMap;

/// A name's length and its three words ([`words`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    w: [u64; 3],
    len: u32,
}

/// Longest name held inline.
const INLINE: usize = 24;

/// The eight bytes at `i` (little-endian); 0 past the end.
#[inline(always)]
fn word(bytes: &[u8], i: usize) -> u64 {
    bytes
        .get(i..i + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// The four bytes at `i` (little-endian); 0 past the end.
#[inline(always)]
fn half(bytes: &[u8], i: usize) -> u64 {
    bytes
        .get(i..i + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

/// The key of a name of at most [`INLINE`] bytes: with its length, the
/// three words determine every byte (from 8 bytes on: the first eight, the
/// eight at `min(8, len - 8)` and the last eight; below, halves or bytes
/// from both ends).
#[inline(always)]
fn key(bytes: &[u8]) -> Key {
    let n = bytes.len();
    let w = if n >= 8 {
        [word(bytes, 0), word(bytes, 8.min(n - 8)), word(bytes, n - 8)]
    } else if n >= 4 {
        [half(bytes, 0), half(bytes, n - 4), 0]
    } else {
        let b = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
        [b(0) | b(n / 2) << 8 | b(n.wrapping_sub(1)) << 16, 0, 0]
    };
    Key { w, len: n as u32 }
}

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xD6E8_FEB8_6659_FD93;
const K3: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// The 128-bit product of `a` and `b`, folded to 64 bits.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// One slot: a key and its value; `len == u32::MAX` marks an empty slot
/// (no name is that long).
#[derive(Clone, Copy, Debug)]
struct Slot {
    w: [u64; 3],
    len: u32,
    value: u32,
}

impl Slot {
    /// 1 when the slot holds `k`, else 0: every word compared, no branch.
    #[inline(always)]
    fn holds(&self, k: &Key) -> usize {
        let diff = (self.w[0] ^ k.w[0])
            | (self.w[1] ^ k.w[1])
            | (self.w[2] ^ k.w[2])
            | u64::from(self.len ^ k.len);
        usize::from(diff == 0)
    }
}

const EMPTY: Slot = Slot {
    w: [0; 3],
    len: u32::MAX,
    value: u32::MAX,
};

/// Two slots on one cache line.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct Bucket([Slot; 2]);

/// A map from names to `u32` values (never `u32::MAX`), built once from
/// its entries.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameMap {
    buckets: Vec<Bucket>,
    seed: u64,
    /// Names longer than [`INLINE`] and keys left without a slot.
    spare: StrMap,
    /// Whether `spare` holds anything.
    has_spare: bool,
}

impl NameMap {
    /// The map of these entries (distinct names, values below `u32::MAX`).
    pub(crate) fn build<'a>(entries: impl Iterator<Item = (&'a str, u32)> + Clone) -> NameMap {
        let n = entries.clone().count();
        // At most 80% full; a try that leaves more than a few keys without
        // a slot is retried twice as large with another seed.
        let mut buckets = (n.div_ceil(2) * 5 / 4).next_power_of_two().max(2);
        let mut seed = K3;
        let mut map = NameMap::default();
        for _ in 0..8 {
            map = NameMap {
                buckets: vec![Bucket([EMPTY; 2]); buckets],
                seed,
                spare: StrMap::default(),
                has_spare: false,
            };
            let mut left = 0usize;
            for (name, value) in entries.clone() {
                let bytes = name.as_bytes();
                let over = if bytes.len() > INLINE {
                    Some((bytes.to_vec(), value))
                } else {
                    map.place(key(bytes), value).map(|s| {
                        left += 1;
                        (unkey(&s)[..s.len as usize].to_vec(), s.value)
                    })
                };
                if let Some((over, value)) = over {
                    let _ = map.spare.insert_bytes(&over, value);
                    map.has_spare = true;
                }
            }
            if left <= n / 64 {
                break;
            }
            buckets *= 2;
            seed = seed.wrapping_mul(K1).rotate_left(17) ^ K2;
        }
        map
    }

    #[inline(always)]
    fn hash(&self, k: &Key) -> u64 {
        fold(
            k.w[0] ^ self.seed ^ u64::from(k.len).wrapping_mul(K1),
            k.w[1] ^ k.w[2].rotate_left(29) ^ K2,
        )
    }

    /// The two buckets of a hash: two different ones (there are at least
    /// two, a power of two), so a key is never seen twice.
    #[inline(always)]
    fn choices(&self, h: u64) -> (usize, usize) {
        let mask = self.buckets.len().wrapping_sub(1);
        let b1 = h as usize & mask;
        let b2 = (h >> 32) as usize & mask;
        (b1, if b2 == b1 { b1 ^ 1 } else { b2 })
    }

    /// Cuckoo insertion of a new key: `None` when every key found a slot,
    /// else the one left over after a bounded number of moves.
    fn place(&mut self, key: Key, value: u32) -> Option<Slot> {
        let mut cur = Slot {
            w: key.w,
            len: key.len,
            value,
        };
        let mut pick = 0usize;
        for _ in 0..256 {
            let h = self.hash(&Key {
                w: cur.w,
                len: cur.len,
            });
            let (b1, b2) = self.choices(h);
            for b in [b1, b2] {
                if let Some(s) = self.buckets[b].0.iter_mut().find(|s| s.len == u32::MAX) {
                    *s = cur;
                    return None;
                }
            }
            // Both full: take a slot's place and move its key on.
            pick = pick.wrapping_mul(5).wrapping_add(1);
            let b = if pick & 2 == 0 { b1 } else { b2 };
            cur = std::mem::replace(&mut self.buckets[b].0[pick & 1], cur);
        }
        Some(cur)
    }

    /// The value of `name`.
    #[inline(always)]
    pub(crate) fn get(&self, name: &[u8]) -> Option<u32> {
        let v = self.value(name);
        (v != u32::MAX).then_some(v)
    }

    /// The value of `name`, `u32::MAX` when absent (no branch on whether
    /// it is present).
    #[inline(always)]
    pub(crate) fn value(&self, name: &[u8]) -> u32 {
        if name.len() > INLINE {
            return self.spare.get(name).unwrap_or(u32::MAX);
        }
        let k = key(name);
        let (b1, b2) = self.choices(self.hash(&k));
        let (Some(x), Some(y)) = (self.buckets.get(b1), self.buckets.get(b2)) else {
            return u32::MAX;
        };
        let [s0, s1] = &x.0;
        let [s2, s3] = &y.0;
        // At most one slot holds the key; its position (4: none) is
        // computed, then read from a small array: a select here would
        // become an unpredictable branch.
        let at = 4 - 4 * s0.holds(&k) - 3 * s1.holds(&k) - 2 * s2.holds(&k) - s3.holds(&k);
        let values = [s0.value, s1.value, s2.value, s3.value, u32::MAX];
        let v = values.get(at).copied().unwrap_or(u32::MAX);
        if self.has_spare {
            return self.or_spare(name, v);
        }
        v
    }

    /// `v`, or the value in the spare map when `v` is none; out of line,
    /// so the common path tests only whether there is a spare map.
    #[cold]
    #[inline(never)]
    fn or_spare(&self, name: &[u8], v: u32) -> u32 {
        if v == u32::MAX {
            return self.spare.get(name).unwrap_or(u32::MAX);
        }
        v
    }

    /// Bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.buckets.len() * std::mem::size_of::<Bucket>() + self.spare.bytes()
    }
}

/// The bytes of a key's name (its first `len` bytes), from its words.
fn unkey(s: &Slot) -> [u8; INLINE] {
    let n = s.len as usize;
    let mut out = [0u8; INLINE];
    if n >= 8 {
        let mid = 8.min(n - 8);
        out[n - 8..n].copy_from_slice(&s.w[2].to_le_bytes());
        out[mid..mid + 8].copy_from_slice(&s.w[1].to_le_bytes());
        out[..8].copy_from_slice(&s.w[0].to_le_bytes());
    } else if n >= 4 {
        out[n - 4..n].copy_from_slice(&s.w[1].to_le_bytes()[..4]);
        out[..4].copy_from_slice(&s.w[0].to_le_bytes()[..4]);
    } else if n > 0 {
        let b = s.w[0].to_le_bytes();
        out[0] = b[0];
        out[n / 2] = b[1];
        out[n - 1] = b[2];
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::*;

    #[test]
    fn keys_round_trip_and_differ() {
        let names: Vec<String> = (0..=INLINE)
            .map(|n| (0..n).map(|i| (b'a' + (i * 7 % 26) as u8) as char).collect())
            .collect();
        for n in &names {
            let k = key(n.as_bytes());
            let s = Slot {
                w: k.w,
                len: k.len,
                value: 0,
            };
            assert_eq!(&unkey(&s)[..n.len()], n.as_bytes());
        }
    }

    #[test]
    fn finds_what_it_holds_and_nothing_else() {
        for count in [0usize, 1, 2, 3, 7, 50, 434, 5000] {
            let names: Vec<String> = (0..count)
                .map(|i| match i % 5 {
                    0 => format!("Level {i}"),
                    1 => format!("o{i}"),
                    2 => format!("{i}"),
                    3 => format!("a rather long name number {i} of many"),
                    _ => format!("Object{i}_with_attr"),
                })
                .collect();
            let map = NameMap::build(
                names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.as_str(), i as u32)),
            );
            for (i, n) in names.iter().enumerate() {
                assert_eq!(map.get(n.as_bytes()), Some(i as u32), "{n}");
                let mut other = n.clone();
                other.push('x');
                if !names.contains(&other) {
                    assert_eq!(map.get(other.as_bytes()), None, "{other}");
                }
                if let Some(shorter) = n.get(..n.len().saturating_sub(1)) {
                    if !names.iter().any(|m| m == shorter) {
                        assert_eq!(map.get(shorter.as_bytes()), None, "{shorter}");
                    }
                }
            }
            assert_eq!(map.get(b"\xff\xfe"), None);
        }
    }

    #[test]
    fn empty_and_tiny_names() {
        let names = ["", "a", "b", "ab", "ba", "abc", "acb", "aab", "é"];
        let map = NameMap::build(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (*n, i as u32)),
        );
        for (i, n) in names.iter().enumerate() {
            assert_eq!(map.get(n.as_bytes()), Some(i as u32));
        }
        assert_eq!(map.get(b"bb"), None);
        assert_eq!(map.get(b"abd"), None);
        assert_eq!(map.get(b"abcd"), None);
    }
}

