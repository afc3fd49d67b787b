//! The table-driven strict base64 decoder `src/base64.rs` had before the
//! block decoder (commit 2d5c033): the baseline `benches/parts.rs` measures
//! the crate's decoder against, in the same run.
#![allow(dead_code)]

/// Strict standard base64: RFC 4648 alphabet, `=` padding, no whitespace,
/// zero trailing bits.
///
/// Exactly what `base64ct::Base64` accepts (a test checks), but table
/// driven: base64ct is constant-time, made for secrets, and costs about
/// 1.7 ns a byte; what is decoded here (signatures, signed payloads,
/// license blocks) is public.
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

/// Decodes `text` into `out`, whose length is [`decoded_len`] of `text`;
/// returns whether `text` is strict base64.
pub(crate) fn decode_into(text: &[u8], out: &mut [u8]) -> bool {
    let pad = text.len() / 4 * 3 - out.len();
    let (body, tail) =
        text[..text.len() - pad].split_at(text.len() / 4 * 4 - 4 * (pad > 0) as usize);
    let (full, last) = out.split_at_mut(body.len() / 4 * 3);
    // Four characters make three bytes: one lookup each in a table that
    // holds the sextet already in its place, ORed. Invalid characters set
    // the top byte: one test at the end finds any.
    let mut top = 0u32;
    for (chunk, dst) in body.chunks_exact(4).zip(full.chunks_exact_mut(3)) {
        let n = PLACED[0][usize::from(chunk[0])]
            | PLACED[1][usize::from(chunk[1])]
            | PLACED[2][usize::from(chunk[2])]
            | PLACED[3][usize::from(chunk[3])];
        top |= n;
        let [_, x, y, z] = n.to_be_bytes();
        dst.copy_from_slice(&[x, y, z]);
    }
    let mut bad = (top >> 24) as u8;
    match *tail {
        [] => {}
        [a, b] => {
            let [a, b] = [a, b].map(sextet);
            bad |= a | b;
            // Trailing bits must be zero (one encoding per byte string).
            bad |= (b & 0x0f != 0) as u8 * 0x80;
            last[0] = a << 2 | b >> 4;
        }
        [a, b, c] => {
            let [a, b, c] = [a, b, c].map(sextet);
            bad |= a | b | c;
            bad |= (c & 0x03 != 0) as u8 * 0x80;
            last[0] = a << 2 | b >> 4;
            last[1] = b << 4 | c >> 2;
        }
        _ => return false,
    }
    bad & 0x80 == 0
}

/// The value of each byte as a base64 character, 0xff if it is not one.
const SEXTET: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
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
            tables[place][c] = match SEXTET[c] {
                0xff => 0xff00_0000,
                v => (v as u32) << (18 - 6 * place),
            };
            c += 1;
        }
        place += 1;
    }
    tables
};

/// The value of a base64 character, 0xff if it is not one.
fn sextet(c: u8) -> u8 {
    SEXTET[usize::from(c)]
}
