//! PEM, read the way OpenSSL reads it: text before `-----BEGIN` is
//! ignored, the base64 body may be wrapped at any width (or not at all)
//! with LF or CRLF line ends, and must be strict base64 once the line
//! breaks are removed. Encapsulated headers (`Proc-Type: 4,ENCRYPTED`, the
//! old encrypted-key format) are refused. Decoded bytes, and the body text
//! they came from, are zeroized when dropped (they may be a private key).

use zeroize::Zeroizing;

use crate::error::KeyProblem;

/// The label and the decoded DER of the first PEM block in `text`.
pub(crate) fn decode(text: &str) -> Result<(&str, Zeroizing<Vec<u8>>), KeyProblem> {
    use base64ct::{Base64, Encoding};

    let begin = text.find("-----BEGIN ").ok_or(KeyProblem::Pem)?;
    let rest = &text[begin + "-----BEGIN ".len()..];
    let label_end = rest.find("-----").ok_or(KeyProblem::Pem)?;
    let label = &rest[..label_end];
    if label.is_empty() || label.contains(['\n', '\r']) {
        return Err(KeyProblem::Pem);
    }
    let body_and_end = &rest[label_end + "-----".len()..];
    let end_marker = format!("-----END {label}-----");
    let end = body_and_end.find(&end_marker).ok_or(KeyProblem::Pem)?;
    let body = &body_and_end[..end];
    if body.contains(':') {
        // RFC 1421 headers: only the old encrypted-key format uses them.
        return Err(
            if body.contains("Proc-Type:") && body.contains("ENCRYPTED") {
                KeyProblem::EncryptedPem
            } else {
                KeyProblem::PemHeaders
            },
        );
    }
    let base64: Zeroizing<String> = Zeroizing::new(
        body.chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
            .collect(),
    );
    // Not `crate::base64`: a PEM body may be a private key, and base64ct
    // decodes in constant time (the crate's decoder is table driven, for
    // public data).
    let der = Base64::decode_vec(&base64).map_err(|_| KeyProblem::Pem)?;
    if der.is_empty() {
        return Err(KeyProblem::Pem);
    }
    Ok((label, Zeroizing::new(der)))
}

/// A key file's bytes read as OpenSSL reads them: PEM when they hold a
/// `-----BEGIN ` line (whatever text, a UTF-8 BOM or a comment, comes
/// before it), DER otherwise.
pub(crate) fn either<T, E: From<KeyProblem>>(
    bytes: &[u8],
    from_pem: impl FnOnce(&str) -> Result<T, E>,
    from_der: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<T, E> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    match bytes.windows(BEGIN.len()).position(|w| w == BEGIN) {
        // From the BEGIN line on, PEM is ASCII.
        Some(at) => from_pem(std::str::from_utf8(&bytes[at..]).map_err(|_| KeyProblem::Pem)?),
        None => from_der(bytes),
    }
}

/// A PEM block with 64-column lines and LF line ends.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};

    let body = Base64::encode_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        // Base64 output is ASCII.
        out.extend(line.iter().map(|&b| char::from(b)));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrapping() {
        let der: Vec<u8> = (0u8..=200).collect();
        let pem = encode("PUBLIC KEY", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        let (label, back) = decode(&pem).unwrap();
        assert_eq!((label, back.as_slice()), ("PUBLIC KEY", der.as_slice()));
        let one_line = pem.replacen('\n', "\r\n", 1).replace("\n", "");
        let one_line = one_line.replace("-----END", "\n-----END");
        assert_eq!(decode(&one_line).unwrap().1.as_slice(), der.as_slice());
    }

    #[test]
    fn either_finds_pem_after_leading_text() {
        let pem = encode("PUBLIC KEY", b"abc");
        let read = |bytes: &[u8]| {
            either(
                bytes,
                |text| decode(text).map(|(label, der)| (label.to_owned(), der.to_vec())),
                |der| Ok::<_, KeyProblem>(("DER".to_owned(), der.to_vec())),
            )
        };
        let want = ("PUBLIC KEY".to_owned(), b"abc".to_vec());
        assert_eq!(read(pem.as_bytes()), Ok(want.clone()));
        let bom = [&b"\xef\xbb\xbf"[..], pem.as_bytes()].concat();
        assert_eq!(read(&bom), Ok(want.clone()));
        let latin1 = [&b"cl\xe9 de test\n"[..], pem.as_bytes()].concat();
        assert_eq!(read(&latin1), Ok(want));
        assert_eq!(
            read(b"\x30\x03abc"),
            Ok(("DER".to_owned(), b"\x30\x03abc".to_vec()))
        );
        let broken = [pem.as_bytes(), &b"\xff"[..]].concat();
        assert_eq!(read(&broken), Err(KeyProblem::Pem));
    }

    #[test]
    fn refusals() {
        let pem = encode("PUBLIC KEY", b"abc");
        assert_eq!(decode("nothing here"), Err(KeyProblem::Pem));
        assert_eq!(
            decode(&pem.replace("END PUBLIC", "END PRIVATE")),
            Err(KeyProblem::Pem)
        );
        assert_eq!(decode(&pem.replace("YWJj", "YW Jj!")), Err(KeyProblem::Pem));
        assert_eq!(
            decode(&pem.replace("YWJj", "Proc-Type: 4,ENCRYPTED\n\nYWJj")),
            Err(KeyProblem::EncryptedPem)
        );
        assert_eq!(
            decode(&pem.replace("YWJj", "Comment: made by hand\n\nYWJj")),
            Err(KeyProblem::PemHeaders)
        );
        assert_eq!(
            decode("-----BEGIN X-----\n-----END X-----"),
            Err(KeyProblem::Pem)
        );
    }
}
