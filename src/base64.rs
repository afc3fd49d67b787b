//! The crate's one base64 decoder, for public data (signatures, signed
//! payloads, license blocks). Encoding, and decoding key material (PEM),
//! use `base64ct`, which is constant time.

/// Strict standard base64: RFC 4648 alphabet, `=` padding, no whitespace,
/// zero trailing bits.
///
/// Exactly what `base64ct::Base64` accepts (tests check), but not constant
/// time: base64ct is made for secrets and costs about 1.7 ns a byte; what
/// is decoded here (signatures, signed payloads, license blocks) is
/// public.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = vec![0u8; decoded_len(text.as_bytes())?];
    decode_into(text.as_bytes(), &mut out).then_some(out)
}

/// The decoded length of strict base64 `text`, from its shape alone
/// (`None`: not a multiple of four characters).
pub(crate) fn decoded_len(text: &[u8]) -> Option<usize> {
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let pad = match text {
        [.., b'=', b'='] => 2,
        [.., b'='] => 1,
        _ => 0,
    };
    Some(text.len() / 4 * 3 - pad)
}

/// Characters a block: 256 make 192 bytes.
const BLOCK: usize = 256;

/// Decodes `text` into `out`, whose length is [`decoded_len`] of `text`;
/// returns whether `text` is strict base64.
pub(crate) fn decode_into(text: &[u8], out: &mut [u8]) -> bool {
    let pad = text.len() / 4 * 3 - out.len();
    let (body, tail) =
        text[..text.len() - pad].split_at(text.len() / 4 * 4 - 4 * (pad > 0) as usize);
    let (full, last) = out.split_at_mut(body.len() / 4 * 3);
    // Whole blocks, the unpadded groups left, then the padded group. An
    // invalid character sets bits in `bad` (a check value above 63, a
    // table's 0xff), tested once at the end.
    let mut bad = 0;
    let (blocks, rest) = body.as_chunks::<BLOCK>();
    let (dsts, dst_rest) = full.as_chunks_mut::<{ BLOCK / 4 * 3 }>();
    if !blocks.is_empty() {
        let mut checks = [0u8; 16];
        let mut work = Work {
            sextets: [0; BLOCK],
            groups: [0; BLOCK / 4],
        };
        for (src, dst) in blocks.iter().zip(dsts) {
            work.block(src, dst, &mut checks);
        }
        bad = checks.iter().fold(0, |a, b| a | b) >> 6;
    }
    // What is left after the blocks (a short text: all of it), a group at
    // a time by table, which beats a padded block below about 200
    // characters.
    let mut top = 0u32;
    for (chunk, dst) in rest.chunks_exact(4).zip(dst_rest.chunks_exact_mut(3)) {
        let n = PLACED[0][usize::from(chunk[0])]
            | PLACED[1][usize::from(chunk[1])]
            | PLACED[2][usize::from(chunk[2])]
            | PLACED[3][usize::from(chunk[3])];
        top |= n;
        let [_, x, y, z] = n.to_be_bytes();
        dst.copy_from_slice(&[x, y, z]);
    }
    bad |= (top >> 24) as u8;
    match *tail {
        [] => {}
        [a, b] => {
            let [a, b] = [a, b].map(|c| SEXTETS[usize::from(c)]);
            // Trailing bits must be zero (one encoding per byte string).
            bad |= (a | b) >> 6 | u8::from(b & 0x0f != 0);
            last[0] = a << 2 | b >> 4;
        }
        [a, b, c] => {
            let [a, b, c] = [a, b, c].map(|c| SEXTETS[usize::from(c)]);
            bad |= (a | b | c) >> 6 | u8::from(c & 0x03 != 0);
            last[0] = a << 2 | b >> 4;
            last[1] = b << 4 | c >> 2;
        }
        _ => return false,
    }
    bad == 0
}

/// A block's scratch space.
///
/// A block goes through in three passes, each the same steps for every
/// byte or word, so the compiler turns the first two into SSE2 vector
/// code: characters to sextets (no table), four sextets to 24 bits, and
/// 4-byte stores three bytes apart.
struct Work {
    sextets: [u8; BLOCK],
    groups: [u32; BLOCK / 4],
}

impl Work {
    /// Decodes `src` into `dst` and ORs each character's check value into
    /// `checks` (kept out of `self`, so it stays in a register).
    #[inline(always)]
    fn block(&mut self, src: &[u8; BLOCK], dst: &mut [u8; BLOCK / 4 * 3], checks: &mut [u8; 16]) {
        let (sextets, _) = self.sextets.as_chunks_mut::<16>();
        for (s, c) in sextets.iter_mut().zip(src.as_chunks::<16>().0) {
            for ((s, &c), check) in s.iter_mut().zip(c).zip(checks.iter_mut()) {
                let (value, c_check) = sextet(c);
                *s = value;
                *check |= c_check;
            }
        }
        // Sextets a, b, c, d (a in the low byte) to a<<26 | b<<20 | c<<14
        // | d<<8: the group's three bytes, big endian, then one spare.
        for (g, s) in self.groups.iter_mut().zip(self.sextets.as_chunks::<4>().0) {
            let x = u32::from_le_bytes(*s);
            let pairs = (x & 0x003f_003f) << 6 | (x >> 8) & 0x003f_003f;
            *g = pairs << 20 | (pairs >> 8) & 0x000f_ff00;
        }
        // Each store's spare byte is overwritten by the next group.
        const LAST: usize = BLOCK / 4 - 1;
        for (i, g) in self.groups[..LAST].iter().enumerate() {
            dst[3 * i..3 * i + 4].copy_from_slice(&g.to_be_bytes());
        }
        dst[3 * LAST..].copy_from_slice(&self.groups[LAST].to_be_bytes()[..3]);
    }
}

/// [`sextet`] as a table, for what is not in a block: the value of each
/// byte as a base64 character, 0xff if it is not one.
const SEXTETS: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut c = 0;
    while c < 256 {
        let (value, check) = sextet(c as u8);
        if check <= 63 {
            table[c] = value;
        }
        c += 1;
    }
    table
};

/// For each of the four places in a group, the character's sextet shifted
/// to its bits of the group's 24; 0xff00_0000 if it is not a character.
const PLACED: [[u32; 256]; 4] = {
    let mut tables = [[0u32; 256]; 4];
    let mut place = 0;
    while place < 4 {
        let mut c = 0;
        while c < 256 {
            tables[place][c] = match SEXTETS[c] {
                0xff => 0xff00_0000,
                v => (v as u32) << (18 - 6 * place),
            };
            c += 1;
        }
        place += 1;
    }
    tables
};

/// The value of a base64 character, and a check value that is above 63
/// exactly when `c` is not one (the value is then meaningless).
///
/// Branch free, for vector code. Five signed comparisons cut the bytes
/// into ranges that each start with one run of the alphabet (`+`, `/`,
/// `0-9`, `A-Z`, `a-z`), and a lowest range with none: the bytes below
/// `+`, and those from 0x80 up, which compare as negative. In a range the
/// check is the byte plus the offset that takes the run's last character
/// to 63, so the rest of the range lands above it (the lowest range at 85
/// and up); the value is the check plus a second offset.
#[inline(always)]
const fn sextet(c: u8) -> (u8, u8) {
    // (first character, last character, value of the last).
    const RUNS: [(u8, u8, u8); 5] = [
        (b'+', b'+', 62),
        (b'/', b'/', 63),
        (b'0', b'9', 61),
        (b'A', b'Z', 25),
        (b'a', b'z', 51),
    ];
    // The lowest range: 0..=42 go to 213..=255, 0x80..=0xff to 85..=212;
    // its value shift is the next range's, which saves a step.
    let (mut check_offset, mut shift) = (0u8.wrapping_sub(b'+'), 62u8.wrapping_sub(63));
    let mut check = c.wrapping_add(check_offset);
    let mut value_shift = shift;
    let mut i = 0;
    while i < RUNS.len() {
        let (first, last, last_value) = RUNS[i];
        i += 1;
        let inside = 0u8.wrapping_sub((c.cast_signed() > (first - 1).cast_signed()) as u8);
        let (next_check, next_shift) = (63u8.wrapping_sub(last), last_value.wrapping_sub(63));
        check = check.wrapping_add(inside & next_check.wrapping_sub(check_offset));
        value_shift = value_shift.wrapping_add(inside & next_shift.wrapping_sub(shift));
        (check_offset, shift) = (next_check, next_shift);
    }
    (check.wrapping_add(value_shift), check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    /// The table decoder accepts exactly what base64ct accepts, with the
    /// same output: every string of up to 4 characters over a mixed
    /// alphabet (alone and after a valid block), and random encodings with
    /// one character changed.
    #[test]
    fn base64_agrees_with_base64ct() {
        use base64ct::{Base64, Encoding};
        let chars = b"AQgw/+=_- \n\xc3";
        let check = |text: &[u8]| {
            let Ok(text) = std::str::from_utf8(text) else {
                return;
            };
            assert_eq!(decode(text), Base64::decode_vec(text).ok(), "{text:?}");
        };
        for len in 0..=4 {
            let mut idx = vec![0usize; len];
            loop {
                let text: Vec<u8> = idx.iter().map(|&i| chars[i]).collect();
                check(&text);
                check(&[b"QUJD".as_slice(), &text].concat());
                let Some(pos) = idx.iter().rposition(|&i| i + 1 < chars.len()) else {
                    break;
                };
                idx[pos] += 1;
                idx[pos + 1..].iter_mut().for_each(|i| *i = 0);
            }
        }
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let seed = rng.next();
            let bytes: Vec<u8> = (0..(seed % 40) as usize)
                .map(|i| (seed >> (i % 8 * 8)) as u8)
                .collect();
            let text = Base64::encode_string(&bytes);
            check(text.as_bytes());
            let mut broken = text.into_bytes();
            if let Some(b) = broken.get_mut((seed >> 40) as usize % 40) {
                *b = chars[(seed >> 50) as usize % chars.len()];
            }
            check(&broken);
        }
    }

    #[test]
    fn strict_base64() {
        assert_eq!(decode("AAEC"), Some(vec![0, 1, 2]));
        assert_eq!(decode("AAE="), Some(vec![0, 1]));
        for bad in [
            "AAE", "AAF=", "AA==AA==", "A A=", "AAE=\n", "_-8=", "AAE==", "AA=E",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}

/// The block decoder against `base64ct::Base64` (constant time, strict,
/// written elsewhere): the same accept set and the same bytes.
#[cfg(test)]
mod differential {
    use super::*;
    use crate::test_rng::Rng;
    use base64ct::{Base64, Encoding};

    /// `decode`, on bytes that need not be UTF-8.
    fn ours(text: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0u8; decoded_len(text)?];
        decode_into(text, &mut out).then_some(out)
    }

    fn theirs(text: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0u8; text.len() / 4 * 3 + 3];
        Base64::decode(text, &mut out).ok().map(<[u8]>::to_vec)
    }

    /// Asserts agreement and returns whether `text` was accepted.
    fn agree(text: &[u8]) -> bool {
        let ours = ours(text);
        assert_eq!(ours, theirs(text), "{:?}", String::from_utf8_lossy(text));
        if let Ok(text) = std::str::from_utf8(text) {
            assert_eq!(decode(text), ours);
        }
        ours.is_some()
    }

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// The branch-free classification, for every byte value.
    #[test]
    fn sextet_of_every_byte() {
        for c in 0..=255u8 {
            let (value, check) = sextet(c);
            match ALPHABET.iter().position(|&a| a == c) {
                Some(i) => assert_eq!((usize::from(value), check <= 63), (i, true), "{c}"),
                None => assert!(check > 63, "{c}"),
            }
        }
    }

    /// Every decoded length from 0 to 400 bytes (text from 0 to 536
    /// characters: no block, one block and a rest, two blocks), several
    /// random contents each; all accepted with the encoded bytes.
    #[test]
    fn valid_every_length() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for len in 0..=400 {
            for _ in 0..4 {
                let bytes = rng.bytes(len);
                let text = Base64::encode_string(&bytes);
                assert!(agree(text.as_bytes()));
                assert_eq!(ours(text.as_bytes()), Some(bytes));
            }
        }
    }

    /// Every byte value at every position of short valid strings,
    /// padding and the last data character (the trailing-bits rule)
    /// included.
    #[test]
    fn every_substitution_in_short_strings() {
        let (mut accepted, mut refused) = (0, 0);
        for text in [
            "QQ==",
            "QUI=",
            "QUJD",
            "AAAA",
            "////",
            "+/+/",
            "Zm9vYg==",
            "Zm9vYmE=",
            "Zm9vYmFy",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==",
        ] {
            for pos in 0..text.len() {
                for byte in 0..=255u8 {
                    let mut changed = text.as_bytes().to_vec();
                    changed[pos] = byte;
                    if agree(&changed) {
                        accepted += 1;
                    } else {
                        refused += 1;
                    }
                }
            }
        }
        // Both outcomes happen often: the substitutions are no walkover.
        assert!(accepted > 5_000 && refused > 20_000, "{accepted} {refused}");
    }

    /// Every byte value at every position of a text of exactly one block
    /// (256 characters): each value through each lane of the vector code.
    #[test]
    fn every_substitution_in_one_block() {
        let mut rng = Rng(0x0ddb_a11c_0ffe_e123);
        let text = Base64::encode_string(&rng.bytes(BLOCK / 4 * 3)).into_bytes();
        assert_eq!(text.len(), BLOCK);
        let mut accepted = 0;
        for pos in 0..text.len() {
            for byte in 0..=255u8 {
                let mut changed = text.clone();
                changed[pos] = byte;
                accepted += usize::from(agree(&changed));
            }
        }
        assert_eq!(accepted, 64 * BLOCK);
    }

    /// Random bytes, random strings over the alphabet with `=` and a few
    /// other characters mixed in, and valid strings with `=` moved inside.
    #[test]
    fn garbage_and_inner_padding() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let chars =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/==-_ \n.\x00\xff";
        for _ in 0..20_000 {
            let len = rng.below(40) * 4 + rng.below(2) * rng.below(4);
            agree(&rng.bytes(len));
            let text: Vec<u8> = (0..len).map(|_| chars[rng.below(chars.len())]).collect();
            agree(&text);
        }
        for _ in 0..5_000 {
            let len = 1 + rng.below(300);
            let bytes = rng.bytes(len);
            let mut text = Base64::encode_string(&bytes).into_bytes();
            let at = rng.below(text.len() - 1);
            text[at] = b'=';
            if rng.below(2) == 1 {
                text[at + 1] = b'=';
            }
            assert!(!agree(&text) || text.ends_with(b"="), "{text:?}");
        }
        for text in [
            "AA==AA==", "QQ==QUJD", "QUI=QUJD", "QUJD=AAA", "=AAA", "A=AA", "AA=A",
        ] {
            assert!(!agree(text.as_bytes()), "{text}");
        }
    }

    /// One bad character at every position of a 1 KiB encoding (every
    /// lane of a block, and the rest block), and at random positions of
    /// 4 KiB and 1 MiB ones; and a valid character changed, which must
    /// decode to what base64ct decodes.
    #[test]
    fn long_inputs_with_one_bad_character() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let invalid: Vec<u8> = (0..=255u8).filter(|c| !ALPHABET.contains(c)).collect();
        let text = Base64::encode_string(&rng.bytes(1024)).into_bytes();
        assert_eq!(text.len(), 1368);
        for pos in 0..text.len() {
            let mut bad = text.clone();
            bad[pos] = invalid[rng.below(invalid.len())];
            assert!(!agree(&bad), "{pos}");
        }
        for (len, tries) in [(4096, 64), (1 << 20, 3)] {
            let text = Base64::encode_string(&rng.bytes(len)).into_bytes();
            assert!(agree(&text));
            for _ in 0..tries {
                let pos = rng.below(text.len());
                let mut bad = text.clone();
                bad[pos] = invalid[rng.below(invalid.len())];
                assert!(!agree(&bad), "{len} {pos}");
                let mut other = text.clone();
                other[pos] = ALPHABET[rng.below(64)];
                agree(&other);
            }
        }
    }
}
