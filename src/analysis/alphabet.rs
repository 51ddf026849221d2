//! Alphabets a token is written in, and the small decoders the analysis needs (hex, base64/base64url).
//!
//! The alphabet is detected from the characters seen at the *varying* positions of the sample (constant
//! positions — fixed prefixes, separators, version bytes — carry no entropy and are set aside first), so
//! `sess-` followed by hex is analysed as hex. Named alphabets are tried smallest first (decimal, hex,
//! base 32, base 36 in one case, base 62, base 64url, base 64); anything else is `Other`, whose symbols
//! are the bytes actually observed. Picking too large an alphabet credits every character with bits it
//! cannot hold, so the smallest fit is the safe choice.

use serde::{Serialize, Serializer};

const DECIMAL: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE32_LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
const BASE36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const BASE36_UPPER: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The detected alphabet of the varying part of the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alphabet {
    /// `0-9`.
    Decimal,
    /// `0-9a-f`, either case (mixed case is folded: hex digests are case-insensitive).
    Hex,
    /// `A-Z2-7` (RFC 4648 §6).
    Base32,
    /// `a-z2-7`.
    Base32Lower,
    /// `0-9a-z`: many frameworks' short ids. Without it such tokens were read as base 62 and credited
    /// with log2(62) bits a character instead of log2(36).
    Base36,
    /// `0-9A-Z`.
    Base36Upper,
    /// `0-9A-Za-z`.
    Alphanumeric,
    /// `A-Za-z0-9-_` (RFC 4648 §5), trailing `=` padding ignored.
    Base64Url,
    /// `A-Za-z0-9+/` (RFC 4648 §4), trailing `=` padding ignored.
    Base64,
    /// None of the above: the sorted set of bytes observed.
    Other(Vec<u8>),
}

impl Alphabet {
    /// Detects the smallest named alphabet containing every byte in `seen` (a 256-entry presence map).
    pub fn detect(seen: &[bool; 256]) -> Alphabet {
        let within = |set: &[u8], fold: bool| {
            seen.iter().enumerate().all(|(b, &present)| {
                let b = if fold {
                    (b as u8).to_ascii_lowercase()
                } else {
                    b as u8
                };
                !present || set.contains(&b)
            })
        };
        if within(DECIMAL, false) {
            Alphabet::Decimal
        } else if within(HEX, true) {
            Alphabet::Hex
        } else if within(BASE32, false) {
            Alphabet::Base32
        } else if within(BASE32_LOWER, false) {
            Alphabet::Base32Lower
        } else if within(BASE36, false) {
            Alphabet::Base36
        } else if within(BASE36_UPPER, false) {
            Alphabet::Base36Upper
        } else if within(ALNUM, false) {
            Alphabet::Alphanumeric
        } else if within(B64URL, false) {
            Alphabet::Base64Url
        } else if within(B64, false) {
            Alphabet::Base64
        } else {
            Alphabet::Other(
                (0..=255u8)
                    .filter(|&b| seen[usize::from(b)])
                    .collect::<Vec<u8>>(),
            )
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Alphabet::Decimal => "decimal",
            Alphabet::Hex => "hex",
            Alphabet::Base32 => "base32",
            Alphabet::Base32Lower => "base32 lowercase",
            Alphabet::Base36 => "base36",
            Alphabet::Base36Upper => "base36 uppercase",
            Alphabet::Alphanumeric => "alphanumeric",
            Alphabet::Base64Url => "base64url",
            Alphabet::Base64 => "base64",
            Alphabet::Other(_) => "other",
        }
    }

    /// Number of symbols: the denominator of the uniformity tests.
    pub fn size(&self) -> usize {
        self.symbols().len()
    }

    fn symbols(&self) -> &[u8] {
        match self {
            Alphabet::Decimal => DECIMAL,
            Alphabet::Hex => HEX,
            Alphabet::Base32 => BASE32,
            Alphabet::Base32Lower => BASE32_LOWER,
            Alphabet::Base36 => BASE36,
            Alphabet::Base36Upper => BASE36_UPPER,
            Alphabet::Alphanumeric => ALNUM,
            Alphabet::Base64Url => B64URL,
            Alphabet::Base64 => B64,
            Alphabet::Other(set) => set,
        }
    }

    /// Byte → symbol index (`u8::MAX` for bytes outside the alphabet).
    pub fn lookup(&self) -> [u8; 256] {
        let mut table = [u8::MAX; 256];
        for (i, &b) in self.symbols().iter().enumerate() {
            table[usize::from(b)] = i as u8;
            if *self == Alphabet::Hex {
                table[usize::from(b.to_ascii_uppercase())] = i as u8;
            }
        }
        table
    }

    /// Whether the token value is a number written in this alphabet (so bits come from decoding it).
    /// `Other` is not: its bits are the raw bytes.
    pub fn is_numeric_encoding(&self) -> bool {
        !matches!(self, Alphabet::Other(_))
    }
}

impl Serialize for Alphabet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("name", self.name())?;
        m.serialize_entry("size", &self.size())?;
        m.end()
    }
}

/// Decodes hex (either case); `None` on odd length or a non-hex byte.
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|pair| Some((hex_val(pair[0])? << 4) | hex_val(pair[1])?))
        .collect()
}

pub fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes base64 or base64url (both alphabets accepted, padding optional). `None` when a byte is
/// outside both alphabets or the length is impossible (a single trailing symbol).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut nbits) = (0u32, 0u32);
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
            acc &= (1 << nbits) - 1;
        }
    }
    if s.len() % 4 == 1 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(s: &str) -> [bool; 256] {
        let mut m = [false; 256];
        for b in s.bytes() {
            m[usize::from(b)] = true;
        }
        m
    }

    #[test]
    fn detects_smallest_alphabet() {
        assert_eq!(Alphabet::detect(&seen("0123")), Alphabet::Decimal);
        assert_eq!(Alphabet::detect(&seen("09afAF")), Alphabet::Hex);
        assert_eq!(Alphabet::detect(&seen("AZ27")), Alphabet::Base32);
        assert_eq!(Alphabet::detect(&seen("az27")), Alphabet::Base32Lower);
        assert_eq!(Alphabet::detect(&seen("09az")), Alphabet::Base36);
        assert_eq!(Alphabet::detect(&seen("09AZ")), Alphabet::Base36Upper);
        assert_eq!(Alphabet::detect(&seen("09azZ")), Alphabet::Alphanumeric);
        assert_eq!(Alphabet::detect(&seen("aZ-_")), Alphabet::Base64Url);
        assert_eq!(Alphabet::detect(&seen("aZ+/")), Alphabet::Base64);
        assert_eq!(Alphabet::detect(&seen("a.b")).name(), "other");
        assert_eq!(Alphabet::detect(&seen("a.b")).size(), 3);
    }

    #[test]
    fn decodes_base64_and_hex() {
        assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("-_-_").unwrap(), vec![0xfb, 0xff, 0xbf]);
        assert!(decode_base64("a.b").is_none());
        assert_eq!(decode_hex("00fF").unwrap(), vec![0, 255]);
        assert!(decode_hex("abc").is_none());
    }
}
