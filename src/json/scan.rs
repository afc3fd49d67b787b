//! The scan of string contents: a word of eight bytes, then 32-byte
//! rounds the compiler turns into vector code, then words.

/// How many bytes at the start of `bytes` can stand in a JSON string as
/// they are: none is `"`, `\\` or a control character, to the exact byte.
/// Strings are most of an envelope: the short keys and values of the
/// payload and the runs between its escapes (one word finds their end),
/// and the signature and the signed base64 (32-byte vector rounds).
#[inline]
pub(super) fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // The high bit of a byte of the result is set if that byte is `"`,
    // `\\` or under 0x20, or if a lower byte is (a borrow only runs
    // upwards, from a byte that is one): so the lowest set bit, in a
    // little-endian word, is the first such byte exactly.
    let stops = |x: u64| {
        let quote = x ^ (ONES * 0x22);
        let backslash = x ^ (ONES * 0x5c);
        ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGH
    };
    let word = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        u64::from_le_bytes(w)
    };
    let first = |stops: u64| (stops.trailing_zeros() / 8) as usize;
    // Most runs are short (between the escapes of non-ASCII text, keys):
    // one word first.
    let mut skipped = 0;
    if let Some(chunk) = bytes.get(..8) {
        let found = stops(word(chunk));
        if found != 0 {
            return first(found);
        }
        skipped = 8;
    }
    // Long runs (the base64 members, long texts): 32 bytes a round,
    // written so the compiler makes it vector code; the round with a stop
    // is then searched a word at a time.
    for chunk in bytes[skipped..].chunks_exact(32) {
        if chunk.iter().fold(false, |any, &b| any | is_stop(b)) {
            break;
        }
        skipped += 32;
    }
    while let Some(chunk) = bytes.get(skipped..skipped + 8) {
        let found = stops(word(chunk));
        if found != 0 {
            return skipped + first(found);
        }
        skipped += 8;
    }
    let rest = &bytes[skipped..];
    skipped + rest.iter().position(|&b| is_stop(b)).unwrap_or(rest.len())
}

/// Whether `b` ends a run: `"`, `\\` or a control character.
fn is_stop(b: u8) -> bool {
    (b == b'"') | (b == b'\\') | (b < 0x20)
}
