//! [`NameMap`]: the read-only maps the hot path looks names up in (access
//! levels, exact object and attribute names), built once at load from a
//! [`StrMap`].
//!
//! A name of up to 16 bytes is held in its slot as two words that, with
//! its length, determine it (its first and last eight bytes, or four, or
//! its bytes), so a lookup is two reads of the name, two multiplies and one
//! slot read compared in place: no read of a separate key text, no call to
//! `memcmp`. Longer names (rare) live in an overflow [`StrMap`], looked at
//! only when the table has such names; a longer request name is compared
//! on its first 16 bytes and its length, which no slot matches.
//!
//! Measured against branch-free forms (four 4-byte reads of the name at
//! offsets picked without branching; a perfect hash with one pilot read
//! per lookup): fewer mispredicted branches under cachegrind, but no
//! faster on the real CPU (more instructions; the pilot read lengthens the
//! chain to the slot). See docs/src/performance.md.

use crate::hash::StrMap;

const K: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xA076_1D64_78BD_642F;

/// Names longer than this go to the overflow map.
const INLINE: usize = 16;

/// Slots per name, at least (a power of two of slots: at most half full,
/// so a name that is not there meets an empty slot within a probe or two).
const FILL: usize = 2;

/// Maps of up to this many slots at [`FILL`] take twice as many (at most a
/// quarter full: a name that is not there mostly meets an empty slot at
/// once; measured 4% faster decisions, for at most 96 KiB).
const SMALL: usize = 2048;

/// No value: the name is not in the map.
pub(crate) const ABSENT: u32 = u32::MAX;

/// Two words that, with the length, determine a name of up to 16 bytes
/// (of a longer name: its first 16 bytes).
#[inline(always)]
fn words(bytes: &[u8]) -> (u64, u64) {
    let n = bytes.len();
    if n >= 8 {
        let m = n.min(INLINE);
        let lo = bytes
            .first_chunk::<8>()
            .map_or(0, |w| u64::from_le_bytes(*w));
        let hi = bytes
            .get(m - 8..m)
            .and_then(|s| s.try_into().ok())
            .map_or(0, u64::from_le_bytes);
        (lo, hi)
    } else if n >= 4 {
        let lo = bytes
            .first_chunk::<4>()
            .map_or(0, |w| u32::from_le_bytes(*w));
        let hi = bytes
            .last_chunk::<4>()
            .map_or(0, |w| u32::from_le_bytes(*w));
        (u64::from(lo), u64::from(hi))
    } else {
        let b = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
        (b(0) | b(n / 2) << 8 | b(n.wrapping_sub(1)) << 16, 0)
    }
}

/// One slot: a name's words and length, and its value; an empty slot has
/// a length no name of up to [`INLINE`] bytes has.
#[derive(Clone, Copy, Debug)]
struct Slot {
    lo: u64,
    hi: u64,
    len: u32,
    value: u32,
}

const EMPTY: Slot = Slot {
    lo: 0,
    hi: 0,
    len: u32::MAX,
    value: ABSENT,
};

/// A read-only map from names to `u32` values (never [`ABSENT`]): open
/// addressing with linear probing over 24-byte slots.
#[derive(Clone, Debug)]
pub(crate) struct NameMap {
    /// A power of two long.
    slots: Vec<Slot>,
    mask: usize,
    /// 64 - log2(number of slots): a hash's top bits pick the first slot.
    shift: u32,
    /// Names of more than [`INLINE`] bytes.
    overflow: StrMap,
    /// Whether `overflow` has any name.
    spill: bool,
}

impl Default for NameMap {
    fn default() -> NameMap {
        NameMap::build(&StrMap::default())
    }
}

impl NameMap {
    /// The hash of a name's words and length (its top bits are used: they
    /// depend on every bit of both words).
    #[inline(always)]
    fn hash(lo: u64, hi: u64, len: usize) -> u64 {
        (lo.wrapping_mul(K) ^ hi ^ len as u64).wrapping_mul(K2)
    }

    /// The map of every name in `map`.
    pub(crate) fn build(map: &StrMap) -> NameMap {
        let mut overflow = StrMap::default();
        let mut short = Vec::new();
        for (name, value) in map.entries() {
            if name.len() > INLINE {
                let _ = overflow.insert(name, value);
            } else {
                let (lo, hi) = words(name.as_bytes());
                short.push((lo, hi, name.len(), value));
            }
        }
        let mut cap = (short.len() * FILL).max(2).next_power_of_two();
        if cap <= SMALL {
            cap *= 2;
        }
        let mask = cap - 1;
        let shift = 64 - cap.trailing_zeros();
        let mut slots = vec![EMPTY; cap];
        for (lo, hi, len, value) in short {
            let mut i = (NameMap::hash(lo, hi, len) >> shift) as usize;
            while slots[i].len != u32::MAX {
                i = (i + 1) & mask;
            }
            slots[i] = Slot {
                lo,
                hi,
                len: len as u32,
                value,
            };
        }
        let spill = overflow.len() > 0;
        NameMap {
            slots,
            mask,
            shift,
            overflow,
            spill,
        }
    }

    /// The value of `key`, or [`ABSENT`].
    #[inline(always)]
    pub(crate) fn get(&self, key: &[u8]) -> u32 {
        let (lo, hi) = words(key);
        let n = key.len();
        let mut i = (NameMap::hash(lo, hi, n) >> self.shift) as usize;
        loop {
            let slot = self.slots.get(i & self.mask).copied().unwrap_or(EMPTY);
            if (slot.lo == lo) & (slot.hi == hi) & (slot.len as usize == n) {
                return slot.value;
            }
            if slot.len == u32::MAX {
                break;
            }
            i = (i & self.mask) + 1;
        }
        if self.spill {
            return self.long(key);
        }
        ABSENT
    }

    /// The value of a name in the overflow map (out of line: the lookup
    /// stays small where it is inlined).
    #[cold]
    #[inline(never)]
    fn long(&self, key: &[u8]) -> u32 {
        self.overflow.get(key).unwrap_or(ABSENT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_of(names: &[String]) -> NameMap {
        let mut m = StrMap::default();
        for (i, n) in names.iter().enumerate() {
            assert_eq!(m.insert(n, i as u32), Ok(()));
        }
        NameMap::build(&m)
    }

    /// Names of every length around the 4, 8 and 16-byte edges, names
    /// that differ in one byte anywhere, the empty name and non-ASCII.
    #[test]
    fn finds_every_name_and_nothing_else() {
        let mut names: Vec<String> = Vec::new();
        for len in 0..=24 {
            let base: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
            names.push(base.clone());
            for at in 0..len {
                let mut b = base.clone().into_bytes();
                b[at] = b'Z';
                names.push(String::from_utf8(b).unwrap_or_default());
            }
        }
        names.push("é".to_string());
        names.push("a\u{1}b".to_string());
        names.sort();
        names.dedup();
        let m = map_of(&names);
        for (i, n) in names.iter().enumerate() {
            assert_eq!(m.get(n.as_bytes()), i as u32, "{n:?}");
        }
        for miss in [
            "",
            "Q",
            "ab_",
            "abcdefgX",
            "abcdefghijklmnopq",
            "abcdefghijklmnoZ_",
        ] {
            if !names.iter().any(|n| n == miss) {
                assert_eq!(m.get(miss.as_bytes()), ABSENT, "{miss:?}");
            }
        }
        // Each name with one byte more or less is found only if present.
        for n in &names {
            for probe in [format!("{n}x"), n.chars().skip(1).collect::<String>()] {
                let want = names
                    .iter()
                    .position(|k| *k == probe)
                    .map_or(ABSENT, |i| i as u32);
                assert_eq!(m.get(probe.as_bytes()), want, "{probe:?}");
            }
        }
    }

    #[test]
    fn empty_and_large_maps() {
        let m = map_of(&[]);
        assert_eq!(m.get(b"x"), ABSENT);
        assert_eq!(m.get(b""), ABSENT);
        let names: Vec<String> = (0..20_000).map(|i| format!("Level {i}")).collect();
        let m = map_of(&names);
        for (i, n) in names.iter().enumerate() {
            assert_eq!(m.get(n.as_bytes()), i as u32);
        }
        assert_eq!(m.get(b"Level 20000"), ABSENT);
    }
}
