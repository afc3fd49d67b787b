//! One entry of a store: a header line of unsigned hints, then the bytes
//! the server signed, exactly as it sent them.
//!
//! ```text
//! respsig-state 1 answer <key fingerprint>\n<the envelope>
//! respsig-state 1 license <key fingerprint> <key name, hex>\n<the license file>
//! ```
//!
//! The file is named `<kind>-<SHA-256 of the whole file>.entry`. Nothing in
//! the header is trusted: the fingerprint must be that of the key that
//! verifies the body (else the entry is tampered), and it is used only to
//! tell a key that was removed from the keyring (rotation: the entry counts
//! as absent and the state cannot be better than *none*) from a body that
//! no longer verifies under a key still configured (tampering: *invalid*).

use std::fmt;

use super::verify::{hex, sha256_hex};

/// The first word of every entry.
const MAGIC: &str = "respsig-state";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The longest header accepted, in bytes.
const MAX_HEADER: usize = 512;
/// The file name suffix of an entry.
const SUFFIX: &str = ".entry";

/// What an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A server answer (an envelope).
    Answer,
    /// An offline license file.
    License,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Answer => "answer",
            Kind::License => "license",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Why an entry's header or name cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatProblem {
    /// The name is not `<kind>-<64 hex digits>.entry`.
    Name,
    /// The content's SHA-256 is not the one in its name: changed, truncated
    /// or renamed.
    Digest,
    /// The header line is missing, too long or not the expected words.
    Header,
    /// Another format version (the store was written by another version
    /// of this crate).
    Version,
    /// The kind in the header is not the kind in the name.
    KindMismatch,
}

impl fmt::Display for FormatProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FormatProblem::Name => "its name is not that of an entry",
            FormatProblem::Digest => {
                "its content does not match its name (changed, truncated or renamed)"
            }
            FormatProblem::Header => "its header is not an entry header",
            FormatProblem::Version => "it is in another format version",
            FormatProblem::KindMismatch => "its header and its name disagree on its kind",
        })
    }
}

/// A parsed entry, borrowing the file.
#[derive(Debug)]
pub(super) struct Entry<'a> {
    pub kind: Kind,
    /// The fingerprint hint.
    pub fingerprint: &'a str,
    /// The key name a license was verified under.
    pub key_name: Option<String>,
    /// The signed bytes.
    pub body: &'a [u8],
}

/// The bytes of an entry file, and its file name.
pub(super) fn encode(
    kind: Kind,
    fingerprint: &str,
    key_name: Option<&str>,
    body: &[u8],
) -> (String, Vec<u8>) {
    let mut out = format!("{MAGIC} {FORMAT_VERSION} {kind} {fingerprint}");
    if let Some(name) = key_name {
        out.push(' ');
        out.push_str(&hex(name.as_bytes()));
    }
    out.push('\n');
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    (file_name(kind, &bytes), bytes)
}

fn file_name(kind: Kind, bytes: &[u8]) -> String {
    format!("{kind}-{}{SUFFIX}", sha256_hex(bytes))
}

/// The kind a file name says, if it is the name of an entry.
pub(super) fn kind_of_name(name: &str) -> Option<Kind> {
    let stem = name.strip_suffix(SUFFIX)?;
    let (kind, digest) = stem.split_once('-')?;
    let kind = match kind {
        "answer" => Kind::Answer,
        "license" => Kind::License,
        _ => return None,
    };
    is_lower_hex(digest, 64).then_some(kind)
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Parses an entry file named `name`.
pub(super) fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<Entry<'a>, FormatProblem> {
    let named = kind_of_name(name).ok_or(FormatProblem::Name)?;
    if file_name(named, bytes) != name {
        return Err(FormatProblem::Digest);
    }
    let end = bytes
        .iter()
        .take(MAX_HEADER)
        .position(|&b| b == b'\n')
        .ok_or(FormatProblem::Header)?;
    let header = std::str::from_utf8(&bytes[..end]).map_err(|_| FormatProblem::Header)?;
    let body = &bytes[end + 1..];
    let mut words = header.split(' ');
    if words.next() != Some(MAGIC) {
        return Err(FormatProblem::Header);
    }
    match words.next() {
        Some(v) if v == FORMAT_VERSION.to_string() => {}
        Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(FormatProblem::Version);
        }
        _ => return Err(FormatProblem::Header),
    }
    let kind = match words.next() {
        Some("answer") => Kind::Answer,
        Some("license") => Kind::License,
        _ => return Err(FormatProblem::Header),
    };
    if kind != named {
        return Err(FormatProblem::KindMismatch);
    }
    let fingerprint = words.next().ok_or(FormatProblem::Header)?;
    if !is_lower_hex(fingerprint, 64) {
        return Err(FormatProblem::Header);
    }
    let key_name = match kind {
        Kind::Answer => None,
        Kind::License => {
            let encoded = words.next().ok_or(FormatProblem::Header)?;
            Some(unhex_name(encoded).ok_or(FormatProblem::Header)?)
        }
    };
    if words.next().is_some() {
        return Err(FormatProblem::Header);
    }
    Ok(Entry {
        kind,
        fingerprint,
        key_name,
        body,
    })
}

fn unhex_name(s: &str) -> Option<String> {
    if s.is_empty() || !s.len().is_multiple_of(2) || s.len() > 2 * crate::MAX_NAME_LEN {
        return None;
    }
    if !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => b - b'0',
        _ => b - b'a' + 10,
    };
    let bytes: Vec<u8> = s
        .as_bytes()
        .chunks(2)
        .map(|pair| digit(pair[0]) << 4 | digit(pair[1]))
        .collect();
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let fp = "ab".repeat(32);
        let (name, bytes) = encode(Kind::License, &fp, Some("pro duct\n"), b"{\"x\":1}");
        assert!(name.starts_with("license-") && name.ends_with(".entry"));
        let entry = decode(&name, &bytes).unwrap();
        assert_eq!(entry.kind, Kind::License);
        assert_eq!(entry.fingerprint, fp);
        assert_eq!(entry.key_name.as_deref(), Some("pro duct\n"));
        assert_eq!(entry.body, b"{\"x\":1}");

        let (name, bytes) = encode(Kind::Answer, &fp, None, b"");
        let entry = decode(&name, &bytes).unwrap();
        assert_eq!(
            (entry.kind, entry.key_name, entry.body),
            (Kind::Answer, None, &b""[..])
        );
    }

    #[test]
    fn refusals() {
        let fp = "cd".repeat(32);
        let (name, bytes) = encode(Kind::Answer, &fp, None, b"{}");
        let renamed = name.replace("answer-", "license-");
        assert_eq!(
            decode(&renamed, &bytes).unwrap_err(),
            FormatProblem::KindMismatch
        );
        let other = format!("answer-{}.entry", "0".repeat(64));
        assert_eq!(decode(&other, &bytes).unwrap_err(), FormatProblem::Digest);
        let mut cut = bytes.clone();
        cut.pop();
        assert_eq!(decode(&name, &cut).unwrap_err(), FormatProblem::Digest);
        assert_eq!(
            decode("answer-00.entry", &bytes).unwrap_err(),
            FormatProblem::Name
        );
        assert_eq!(decode("x.entry", &bytes).unwrap_err(), FormatProblem::Name);
        let check = |text: &[u8], want: FormatProblem| {
            let name = file_name(Kind::Answer, text);
            assert_eq!(decode(&name, text).unwrap_err(), want, "{text:?}");
        };
        check(b"respsig-state 2 answer x\n{}", FormatProblem::Version);
        check(
            b"respsig-state 1 license x\n{}",
            FormatProblem::KindMismatch,
        );
        check(b"respsig-state 1 answer\n{}", FormatProblem::Header);
        check(b"respsig-state 1 answer ABCD\n{}", FormatProblem::Header);
        check(b"respsig-state  1 answer\n{}", FormatProblem::Header);
        check(b"no newline at all", FormatProblem::Header);
        let mut long = b"respsig-state 1 answer ".to_vec();
        long.extend(std::iter::repeat_n(b'a', 600));
        long.push(b'\n');
        check(&long, FormatProblem::Header);
        let extra = format!("respsig-state 1 answer {fp} 00\n{{}}");
        check(extra.as_bytes(), FormatProblem::Header);
        let lic = format!("respsig-state 1 license {fp} 0g\n{{}}");
        let name = file_name(Kind::License, lic.as_bytes());
        assert_eq!(
            decode(&name, lic.as_bytes()).unwrap_err(),
            FormatProblem::Header
        );
    }
}
