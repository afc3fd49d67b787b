//! The scan of string contents, eight bytes at a time.

/// How many bytes at the start of `bytes` can stand in a JSON string as
/// they are: none is `"`, `\\` or a control character. Eight bytes at a
/// time while none is (strings are most of an envelope: the signature and
/// the signed base64).
pub(super) fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte of the result is set if that byte (or one
    // below it: exact only as a yes/no answer) is `"`, `\\` or under 0x20.
    let stops = |x: u64| {
        let quote = x ^ (ONES * 0x22);
        let backslash = x ^ (ONES * 0x5c);
        (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x)
    };
    let word = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        u64::from_ne_bytes(w)
    };
    let mut skipped = 0;
    // Sixteen bytes a round: two independent words keep the CPU busy.
    for pair in bytes.chunks_exact(16) {
        if (stops(word(&pair[..8])) | stops(word(&pair[8..]))) & HIGH != 0 {
            break;
        }
        skipped += 16;
    }
    let rest = &bytes[skipped..];
    skipped
        + rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len())
}
