//! `verify --pretty`: the signed payload indented, whitespace the only
//! change. Reading the payload into values and writing them out again
//! would rewrite tokens (`1E2` as `100.0`, a big integer as a float,
//! `\u00e9` as `é`); this copies every token byte for byte.

/// Whitespace between tokens, as JSON defines it.
fn blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// `text`, a JSON text already checked (a verified payload), laid out as
/// `serde_json::to_vec_pretty` lays out a value: two spaces per level, one
/// member or item per line, `": "` after a key, `{}` and `[]` when empty.
/// Every string, number and literal is copied as written.
pub fn indent(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', 2 * depth));
    };
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        i += 1;
        match b {
            b if blank(b) => {}
            b'"' => {
                let start = i - 1;
                while let Some(&c) = text.get(i) {
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
                out.extend_from_slice(&text[start..i.min(text.len())]);
            }
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                let next = text[i..].iter().position(|&c| !blank(c)).map(|n| i + n);
                out.push(b);
                if next.is_some_and(|n| text[n] == close) {
                    out.push(close);
                    i = next.map_or(i, |n| n + 1);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            // Numbers and `true`, `false`, `null`.
            b => out.push(b),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Where re-writing the value cannot change a token, the layout is
    /// serde_json's own.
    #[test]
    fn same_layout_as_serde_json() {
        for text in [
            r#"{"a":1,"b":[true,false,null],"c":{},"d":[],"e":{"f":[{"g":"h"}]},"i":"x,y:{z}[]\"\\"}"#,
            r#" { "a" : [ ] , "b" : { } , "c" : [ 1 , [ 2 ] ] } "#,
            "[]",
            "{}",
            "[[[]]]",
            "\"s\"",
            "12",
        ] {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                String::from_utf8(indent(text.as_bytes())).unwrap(),
                serde_json::to_string_pretty(&value).unwrap(),
                "{text}"
            );
        }
    }

    /// Tokens are copied as written: numbers, escapes, spelling.
    #[test]
    fn tokens_byte_for_byte() {
        let text = br#"{"id":123456789012345678901234567890,"n":1E2,"m":1e-7,"z":-0,"f":1.0,"s":"caf\u00e9 \/ \" \\","t":[-0.0,5E+3]}"#;
        let want = concat!(
            "{\n",
            "  \"id\": 123456789012345678901234567890,\n",
            "  \"n\": 1E2,\n",
            "  \"m\": 1e-7,\n",
            "  \"z\": -0,\n",
            "  \"f\": 1.0,\n",
            "  \"s\": \"caf\\u00e9 \\/ \\\" \\\\\",\n",
            "  \"t\": [\n",
            "    -0.0,\n",
            "    5E+3\n",
            "  ]\n",
            "}"
        );
        let got = indent(text);
        assert_eq!(String::from_utf8(got.clone()).unwrap(), want);
        // Whitespace is all that changed.
        let squeezed: Vec<u8> = {
            let mut in_string = false;
            let mut escaped = false;
            got.iter()
                .copied()
                .filter(|&c| {
                    let keep = in_string || !blank(c);
                    if in_string {
                        match (escaped, c) {
                            (true, _) => escaped = false,
                            (false, b'\\') => escaped = true,
                            (false, b'"') => in_string = false,
                            _ => {}
                        }
                    } else if c == b'"' {
                        in_string = true;
                    }
                    keep
                })
                .collect()
        };
        assert_eq!(squeezed, text);
    }
}
