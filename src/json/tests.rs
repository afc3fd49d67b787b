use super::number::same_number;
use super::scan::plain_run;
use super::stack::Stack;
use std::borrow::Cow;

use super::read::unescape;
use super::*;
use crate::error::Snippet;
use crate::test_rng::Rng;

fn p(s: &str) -> Result<Value, Problem> {
    parse(s.as_bytes(), 128)
}

#[test]
fn php_number_semantics() {
    assert_eq!(p("-0").unwrap(), Value::from(0i64));
    assert!(p("-0").unwrap().is_i64());
    assert!(p("-0.0").unwrap().is_f64());
    assert_eq!(p("9223372036854775807").unwrap(), Value::from(i64::MAX));
    assert!(p("9223372036854775808").unwrap().is_f64());
    assert!(p("-9223372036854775809").unwrap().is_f64());
    assert!(p("1E2").unwrap().is_f64());
    assert_eq!(
        p("1e400"),
        Err(Problem::NumberOutOfRange { offset: 0 }),
        "infinity cannot come from PHP"
    );
    assert_eq!(p("1e-400").unwrap().as_f64(), Some(0.0));
}

#[test]
fn refuses_bad_grammar() {
    for bad in [
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "[1,]",
        "{\"a\":1,}",
        "tru",
        "\"\\x\"",
        "\"a",
        "[1 2]",
        "{1:2}",
        "\"\u{1}\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "1 2",
        "",
    ] {
        assert!(
            matches!(p(bad), Err(Problem::Syntax { .. })),
            "{bad:?} gave {:?}",
            p(bad)
        );
    }
}

#[test]
fn duplicate_keys_anywhere() {
    assert_eq!(
        p(r#"{"a":1,"b":{"c":1,"c":2}}"#),
        Err(Problem::DuplicateKey {
            key: Snippet::new("c")
        })
    );
    // Escaped and plain spellings of one key are the same key.
    assert_eq!(
        p(r#"{"a":1,"\u0061":2}"#),
        Err(Problem::DuplicateKey {
            key: Snippet::new("a")
        })
    );
}

#[test]
fn depth_limit_is_exact() {
    assert!(parse(b"[[[1]]]", 3).is_ok());
    assert_eq!(parse(b"[[[1]]]", 2), Err(Problem::TooDeep { limit: 2 }));
    let deep = "[".repeat(100_000);
    assert_eq!(
        parse(deep.as_bytes(), 128),
        Err(Problem::TooDeep { limit: 128 })
    );
}

/// The reader never recurses: 200,000 levels read on a 256 KiB stack
/// (the ceiling is bypassed here to show it).
#[test]
fn reader_never_overflows_the_stack() {
    const DEEP: usize = 200_000;
    let arrays = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let run = move || {
        let mut reader = Reader::new(arrays.as_bytes(), 0).unwrap();
        reader.max_depth = usize::MAX;
        let v = reader.value(0).unwrap();
        assert!(v.is_array());
        // serde_json's Drop recurses: keep the value, so only the reader
        // is under test.
        std::mem::forget(v);
    };
    std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

/// At the ceiling, everything that recurses over the value afterwards
/// (comparison, canonical writing, drop) fits a 2 MiB thread stack in
/// a debug build.
#[test]
fn ceiling_depth_fits_a_small_stack() {
    let d = DEPTH_CEILING;
    let arrays = format!("{}{}", "[".repeat(d), "]".repeat(d));
    let objects = format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d));
    let run = move || {
        for text in [&arrays, &objects] {
            let a = parse(text.as_bytes(), usize::MAX).unwrap();
            let b = parse(text.as_bytes(), usize::MAX).unwrap();
            assert_eq!(a, b);
            assert_eq!(crate::canonical::to_vec(&a), text.as_bytes());
        }
        assert_eq!(
            parse(format!("[{arrays}]").as_bytes(), usize::MAX),
            Err(Problem::TooDeep {
                limit: DEPTH_CEILING
            })
        );
    };
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn depth_of_values() {
    assert_eq!(depth(&serde_json::json!(1)), 0);
    assert_eq!(depth(&serde_json::json!([])), 1);
    assert_eq!(depth(&serde_json::json!({"a": [1, {"b": []}], "c": 2})), 4);
    assert_eq!(parse_nested(b"[[1]]", 3, 1), Ok(serde_json::json!([[1]])));
    assert_eq!(
        parse_nested(b"[[1]]", 2, 1),
        Err(Problem::TooDeep { limit: 2 })
    );
}

#[test]
fn strings_and_order() {
    let v = p(r#"{"z":"\ud83d\ude00\/\n","a":[true,false,null]}"#).unwrap();
    let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["z", "a"]);
    assert_eq!(v["z"], "😀/\n");
}

/// `skip` refuses exactly what `value` refuses, with the same error.
#[test]
fn skip_agrees_with_value() {
    let many: String = (0..40).map(|i| format!("\"k{i}\":{i},")).collect();
    let inputs = [
        r#"{"a":1,"b":{"c":1,"c":2}}"#.to_owned(),
        r#"{"a":1,"\u0061":2}"#.to_owned(),
        r#"{"a":[1,{"b":2,"b":3}],"b":1}"#.to_owned(),
        r#"{"a":{"x":1},"b":{"x":1},"a":2}"#.to_owned(),
        format!("{{{many}\"k39\":0}}"),
        format!("{{{many}\"k40\":0}}"),
        format!("{{{many}\"k3\":0}}"),
        "[[[[1]]]]".to_owned(),
        "1e400".to_owned(),
        format!("[1{}]", "0".repeat(309)),
        format!("[-1{}.5]", "0".repeat(310)),
        format!("[1{}]", "0".repeat(298)),
        "[-0.0e0,1E-400,2e+308,1.5e308]".to_owned(),
        "[\"\\ud800\"]".to_owned(),
        "{\"a\":tru}".to_owned(),
        "[\"\\x\"]".to_owned(),
        "[\"a\\u00e9\u{1}\"]".to_owned(),
        "[\"a\\u00e9\\ud83d\\ude00\\\"\",\"b\\u00\"]".to_owned(),
        r#"{"\u0061":{"b":"\u00e9"},"a":1}"#.to_owned(),
        "{\"a\" 1}".to_owned(),
        r#"{"a":"x\/y","b":[true,false,null,-0,1.5e3]}"#.to_owned(),
    ];
    // The keys of open objects share one stack (inline, then spilled) and
    // an object past eight keys moves to a hash set: duplicates found at
    // every depth of a long chain, before and after inner objects close.
    // `dup`: the level whose object repeats its key `k2` at its end.
    let chain = |depth: usize, inner: &str, dup: Option<usize>| {
        let mut text = inner.to_owned();
        for level in (0..depth).rev() {
            let keys: String = (0..5).map(|k| format!("\"k{k}\":{k},")).collect();
            let end = if dup == Some(level) { ",\"k2\":9" } else { "" };
            text = format!("{{{keys}\"in{level}\":{text},\"after\":[{{\"k0\":0}}]{end}}}");
        }
        text
    };
    let wide: String = (0..12)
        .map(|k| format!("\"w{k}\":{{\"k{k}\":1}},"))
        .collect();
    let mut inputs = inputs.to_vec();
    inputs.extend((0..12).map(|level| chain(12, "1", Some(level))));
    inputs.extend([
        chain(12, "1", None),
        chain(12, r#"{"x":1,"x":2}"#, None),
        chain(12, r#"{"k0":1,"k1":2,"x":3}"#, None),
        chain(2, r#"{"k0":1,"k0":2}"#, None),
        chain(12, r#"{"a":{"a":{"a":1}},"b":2,"a":3}"#, None),
        format!("{{{wide}\"w3\":0}}"),
        format!("{{{wide}\"w12\":{{{wide}\"w0\":1}},\"w11\":0}}"),
        format!("{{{wide}\"w12\":{{{wide}\"w0\":1}},\"w13\":0}}"),
        format!("[{}]", vec![format!("{{{wide}\"z\":0}}"); 3].join(",")),
        format!("{{{wide}\"\\u0077\\u0039\":0}}"),
    ]);
    for text in &inputs {
        for depth in [3, 16, 128] {
            let built = Reader::new(text.as_bytes(), depth).and_then(|mut r| {
                let v = r.value(0)?;
                r.end()?;
                Ok(v)
            });
            let checked = Reader::new(text.as_bytes(), depth).and_then(|mut r| {
                r.skip(0)?;
                r.end()
            });
            assert_eq!(built.map(|_| ()), checked, "{text}");
        }
    }
}

/// Whether PHP writes `a` and `b` as the same bytes, member order
/// aside: written out here by recursion, against the iterative readers.
fn php_same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            crate::canonical::to_vec(a) == crate::canonical::to_vec(b) && same_number(x, y)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| php_same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| php_same(v, w)))
        }
        _ => a == b,
    }
}

/// The long-exponent reading PHP 8.2 gives (`php -r 'echo
/// json_encode(json_decode("[0.<19999 zeros>1e20000]"));'` prints
/// `[0.1]`): the exponent as written is taken as at most 19999.
#[test]
fn long_exponents_read_as_php() {
    let zeros = |n| "0".repeat(n);
    let float = |text: String| p(&text).map(|v| v.as_f64());
    assert_eq!(float(format!("0.{}1e20000", zeros(19999))), Ok(Some(0.1)));
    assert_eq!(float(format!("0.{}1e30001", zeros(30000))), Ok(Some(0.0)));
    assert_eq!(float(format!("0.{}1e20000", zeros(19990))), Ok(Some(1e8)));
    assert_eq!(float(format!("0.{}1E+020000", zeros(19990))), Ok(Some(1e8)));
    assert_eq!(
        float(format!("-0.{}1e999999999999", zeros(19998))),
        Ok(Some(-1.0))
    );
    let negative_zero = p(&format!("-0.{}1e30001", zeros(30000))).unwrap();
    assert!(
        negative_zero
            .as_f64()
            .is_some_and(|f| f == 0.0 && f.is_sign_negative())
    );
    assert_eq!(
        p(&format!("[1{}e-30000]", zeros(30000))),
        Err(Problem::NumberOutOfRange { offset: 1 })
    );
    // At the clamp itself nothing changes.
    assert_eq!(float(format!("0.{}1e19999", zeros(19998))), Ok(Some(1.0)));
    assert_eq!(float("1e-19999".to_owned()), Ok(Some(0.0)));
    // The content check reads numbers the same way.
    let text = format!("{{\"a\":0.{}1e20000}}", zeros(19999));
    assert_eq!(same_text(&text, r#"{"a":0.1}"#), Some(true));
    assert_eq!(same_text(&text, r#"{"a":1}"#), Some(false));
    assert!(same_value(&text, &p(r#"{"a":0.1}"#).unwrap()));
    assert!(!same_value(&text, &p(r#"{"a":1}"#).unwrap()));
}

#[test]
fn same_text_is_value_equality_or_unsure() {
    let (yes, no, unsure) = (Some(true), Some(false), None);
    let cases = [
        (r#"{"a":1,"b":[1,2]}"#, r#"{"a":1,"b":[1,2]}"#, yes),
        (r#"{"a":1,"b":[1,2]}"#, r#"{"b":[1,2],"a":1}"#, unsure),
        (r#"{"a":1}"#, r#"{"a":1.0}"#, yes),
        (r#"{"a":1}"#, r#"{"a":1.5}"#, no),
        (r#" {"a":-0}"#, r#"{"a":0} "#, yes),
        (r#"{"a":"\/"}"#, r#"{"a":"/"}"#, yes),
        (r#"{"\u0061":1}"#, r#"{"a":1}"#, yes),
        (r#"{"a":1}"#, r#"{"a":1,"b":2}"#, no),
        (r#"{"a":1,"b":2}"#, r#"{"a":1}"#, no),
        (r#"{"a":[1]}"#, r#"{"a":[1,2]}"#, no),
        (r#"{"a":[1,2]}"#, r#"{"a":[1]}"#, no),
        (r#"{"a":[]}"#, r#"{"a":{}}"#, no),
        (r#"{"a":{}}"#, r#"{"a":{}}"#, yes),
        (r#"{"a":[]}"#, r#"{"a":[0]}"#, no),
        (r#"{"a":[0]}"#, r#"{"a":[]}"#, no),
        (
            r#"{"a":[{"b":null}],"c":true}"#,
            r#"{"a":[{"b":null}],"c":true}"#,
            yes,
        ),
        (
            r#"{"a":[{"b":null}],"c":true}"#,
            r#"{"c":true,"a":[{"b":null}]}"#,
            unsure,
        ),
        (r#"{"a":[{"b":null}]}"#, r#"{"a":[{"b":false}]}"#, no),
        (r#"{"a":true}"#, r#"{"a":"true"}"#, no),
        (r#"{"a":null}"#, r#"{"a":false}"#, no),
        (r#"{"a":"x"}"#, r#"{"a":"y"}"#, no),
        (r#"{"a":1e2}"#, r#"{"a":100.0}"#, yes),
        (r#"{"a":1e2}"#, r#"{"a":100}"#, yes),
        (r#"{"a":-0}"#, r#"{"a":-0.0}"#, no),
        (r#"{"a":-0.0}"#, r#"{"a":0.0}"#, no),
        (r#"{"a":0.0}"#, r#"{"a":-0.0}"#, no),
        (r#"{"a":0.0}"#, r#"{"a":-0}"#, yes),
        (r#"{"a":-0.0}"#, r#"{"a":-0e5}"#, yes),
        (
            r#"{"a":72057594037927940}"#,
            r#"{"a":7.205759403792794e16}"#,
            yes,
        ),
        (
            r#"{"a":72057594037927936}"#,
            r#"{"a":7.205759403792794e16}"#,
            no,
        ),
        (
            r#"{"a":9223372036854775807}"#,
            r#"{"a":9223372036854775808}"#,
            no,
        ),
        (
            r#"{"a":9223372036854775808}"#,
            r#"{"a":9.223372036854776e18}"#,
            yes,
        ),
        (r#"{"b":1}"#, r#"{"a":1}"#, unsure),
        (r#"{"a":{"x":1,"y":2}}"#, r#"{"a":{"y":2,"x":1}}"#, unsure),
        (r#"{"a":"caf\u00e9"}"#, r#"{"a":"café"}"#, yes),
        (r#"{"a":"caf\u00e9"}"#, r#"{"a":"caf\u00e8"}"#, no),
        (r#"{"a":"x\/y"}"#, r#"{"a":"x\/z"}"#, no),
        (r#"{"\u0062":1,"c":2}"#, r#"{"b":1,"c":2}"#, yes),
        (r#"{"\u0062":1}"#, r#"{"c":1}"#, unsure),
    ];
    for (text, other, want) in cases {
        assert_eq!(same_text(text, other), want, "{text} {other}");
        if let Some(same) = want {
            assert_eq!(
                php_same(&p(text).unwrap(), &p(other).unwrap()),
                same,
                "{text} {other}"
            );
        }
    }
}

#[test]
fn unescaping() {
    let raw = r#"a\/b\u00e9\ud83d\ude00\n\"\\"#;
    assert_eq!(unescape(raw), "a/bé😀\n\"\\");
    let mut reader = Reader::from_text("\"a\\u00e9\" ", 8);
    assert_eq!(reader.string(), Ok(Cow::Owned("aé".to_owned())));
    let mut reader = Reader::from_text("\"plain\"", 8);
    assert_eq!(reader.string(), Ok(Cow::Borrowed("plain")));
}

#[test]
fn same_value_is_value_equality() {
    let cases = [
        (r#"{"a":1,"b":[1,2]}"#, r#"{"b":[1,2],"a":1}"#, true),
        (r#"{"a":1}"#, r#"{"a":1.0}"#, true),
        (r#"{"a":1}"#, r#"{"a":1.5}"#, false),
        (r#"{"a":-0}"#, r#"{"a":0}"#, true),
        (r#"{"b":-0.0,"a":1}"#, r#"{"a":1,"b":0.0}"#, false),
        (r#"{"b":0.0,"a":1}"#, r#"{"a":1,"b":-0.0}"#, false),
        (r#"{"b":-0.0,"a":1}"#, r#"{"a":1,"b":-0.0}"#, true),
        (r#"{"b":0,"a":1}"#, r#"{"a":1,"b":0.0}"#, true),
        (r#"{"a":"\/"}"#, r#"{"a":"/"}"#, true),
        (r#"{"a":1}"#, r#"{"a":1,"b":2}"#, false),
        (r#"{"a":1,"b":2}"#, r#"{"a":1}"#, false),
        (r#"{"a":[1]}"#, r#"{"a":[1,2]}"#, false),
        (r#"{"a":[1,2]}"#, r#"{"a":[1]}"#, false),
        (r#"{"a":[]}"#, r#"{"a":{}}"#, false),
        (r#"{"a":{}}"#, r#"{"a":{}}"#, true),
        (
            r#"{"a":[{"b":null}],"c":true}"#,
            r#"{"c":true,"a":[{"b":null}]}"#,
            true,
        ),
        (r#"{"a":[{"b":null}]}"#, r#"{"a":[{"b":false}]}"#, false),
        (r#"{"a":"x"}"#, r#"{"a":"y"}"#, false),
        (r#"{"a":1e2}"#, r#"{"a":100.0}"#, true),
        (r#"{"b":1}"#, r#"{"a":1}"#, false),
    ];
    for (text, other, same) in cases {
        let expected = p(other).unwrap();
        assert_eq!(
            php_same(&p(text).unwrap(), &expected),
            same,
            "{text} {other}"
        );
        assert_eq!(same_value(text, &expected), same, "{text} {other}");
        assert_eq!(
            same_content(&p(text).unwrap(), &expected),
            same,
            "{text} {other}"
        );
    }
}

#[test]
fn plain_runs() {
    for len in 0..40 {
        for stop in [b'"', b'\\', 0x00, 0x1f] {
            for at in 0..=len {
                let mut bytes: Vec<u8> = (0..len).map(|i| b' ' + (i * 7 % 90) as u8).collect();
                bytes.retain(|&b| b != b'"' && b != b'\\');
                bytes.extend([0xc3, 0xa9, 0x7f, 0x20]);
                let at = at.min(bytes.len());
                bytes.insert(at, stop);
                assert_eq!(plain_run(&bytes), at, "{bytes:?}");
            }
        }
        let clean = vec![b'a'; len];
        assert_eq!(plain_run(&clean), len);
    }
}

/// The word scan finds exactly the first stop, whatever the bytes around
/// it (every byte value, at every offset in a word, after every byte
/// value), as a plain byte loop does.
#[test]
fn plain_run_is_the_byte_loop() {
    let by_bytes = |bytes: &[u8]| {
        bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(bytes.len())
    };
    for before in 0..=255u8 {
        for b in 0..=255u8 {
            for at in 0..24 {
                let mut bytes = vec![b'a'; 40];
                bytes[at] = before;
                bytes[at + 1] = b;
                assert_eq!(plain_run(&bytes), by_bytes(&bytes), "{before} {b} at {at}");
                assert_eq!(plain_run(&bytes[at..]), by_bytes(&bytes[at..]));
            }
        }
    }
}

#[test]
fn stack_spills_in_order() {
    let mut stack: Stack<usize> = Stack::new();
    for i in 0..20 {
        stack.push(i);
        assert_eq!(stack.last_mut(), Some(&mut i.clone()));
        assert_eq!(stack.len(), i + 1);
    }
    for i in (0..20).rev() {
        assert_eq!(stack.pop(), Some(i));
    }
    assert_eq!(stack.pop(), None);
    assert_eq!(stack.last_mut(), None);
    assert_eq!(stack.len(), 0);
    stack.push(7);
    assert_eq!(stack.pop(), Some(7));
}

#[test]
fn invalid_utf8() {
    assert_eq!(
        parse(b"\"ab\xff\"", 8),
        Err(Problem::InvalidUtf8 { offset: 3 })
    );
}

/// `same_text`'s second text may be unchecked (verify compares the signed
/// payload before reading it): `Some(true)` only ever for a text that the
/// strict reader accepts too. Every single-byte change and every cut of a
/// pretty-printed copy, against the compact original.
#[test]
fn same_text_true_only_for_valid_second_text() {
    let a = r#"{"code":300,"a\u00e9":[1,-2.5e3,true,false,null,{"k":"v\"\\\/\ud83d\ude00"}],"e":{},"f":[],"n":1.0}"#;
    let pretty = "{\n    \"code\": 300,\n    \"a\u{e9}\": [\n        1,\n        -2500.0,\n        true,\n        false,\n        null,\n        {\n            \"k\": \"v\\\"\\\\/\u{1f600}\"\n        }\n    ],\n    \"e\": {},\n    \"f\": [],\n    \"n\": 1.0\n}";
    assert!(check_nested(a.as_bytes(), 128, 1).is_ok());
    assert_eq!(same_text(a, pretty), Some(true));
    let mut cases = 0;
    for at in 0..pretty.len() {
        for by in [
            b'x', b'\\', b'"', b'}', b']', b'{', b'[', b',', b':', b' ', b'0', b'9', b'e', b'-',
            b'.', b'u', b'n', 0x01, 0xff,
        ] {
            let mut b = pretty.as_bytes().to_vec();
            b[at] = by;
            let Ok(b) = std::str::from_utf8(&b) else {
                continue;
            };
            if same_text(a, b) == Some(true) {
                cases += 1;
                assert!(check_nested(b.as_bytes(), 128, 1).is_ok(), "{b}");
            }
        }
        let cut = &pretty.as_bytes()[..at];
        if let Ok(cut) = std::str::from_utf8(cut) {
            assert_ne!(same_text(a, cut), Some(true), "{cut}");
        }
    }
    // Blanks changed, `-2500.0` for `-2.5e3`, and the like: some changes
    // keep the same text, and each of those is valid.
    assert!(cases > 0);
    // Random inserts, deletions and changes of up to three bytes.
    let alphabet = b"x\\\"}]{[,: 09e-.un\x01";
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut next = || rng.next();
    for _ in 0..30_000 {
        let mut b = pretty.as_bytes().to_vec();
        for _ in 0..1 + next() % 3 {
            let at = next() as usize % b.len();
            let by = alphabet[next() as usize % alphabet.len()];
            match next() % 3 {
                0 => b[at] = by,
                1 => b.insert(at, by),
                _ => {
                    b.remove(at);
                }
            }
        }
        if let Ok(b) = std::str::from_utf8(&b)
            && same_text(a, b) == Some(true)
        {
            assert!(check_nested(b.as_bytes(), 128, 1).is_ok(), "{b}");
        }
    }
}

/// Every `\u` escape the reader meets, read on its fast path or its slow
/// one, is refused or read as serde_json (which also refuses lone
/// surrogates) does: hex digits of either case or none, each side of every
/// surrogate boundary, pairs whole, reversed, cut short or broken.
#[test]
fn unicode_escapes_agree_with_serde_json() {
    let units = [
        "0000", "0041", "00e9", "00E9", "d7ff", "D7FF", "d800", "D800", "dbff", "DBFF", "dc00",
        "DC00", "dfff", "DFFF", "e000", "ffff", "FFFF", "12g4", "12", "", "00\"", "d83d",
    ];
    let mut cases = 0;
    for first in units {
        for glue in ["", "\\u", "\\", "x", "\\n"] {
            for second in units {
                let text = format!("[\"a\\u{first}{glue}{second}b\"]");
                let ours = p(&text).ok();
                let theirs: Option<Value> = serde_json::from_str(&text).ok();
                assert_eq!(ours, theirs, "{text}");
                cases += 1;
            }
        }
    }
    assert_eq!(cases, units.len() * units.len() * 5);
}

/// Random JSON-like text: mostly valid, with the pieces the string loop
/// and the key stack treat specially (escapes of every kind, surrogates
/// whole and broken, control characters, non-ASCII, repeated keys, wide
/// and deep objects).
fn random_json(rng: &mut Rng, depth: usize, out: &mut String) {
    const PIECES: &[&str] = &[
        "a",
        "k",
        "Z\u{fc}rich",
        "\u{65e5}",
        "\u{1f600}",
        "\\/",
        "\\\\",
        "\\\"",
        "\\n",
        "\\t",
        "\\b",
        "\\f",
        "\\r",
        "\\u00e9",
        "\\u00E9",
        "\\u0000",
        "\\u001f",
        "\\ud83d\\ude00",
        "\\uD83D\\uDE00",
        "\\ud800",
        "\\udc00",
        "\\ud800\\u0041",
        "\\ud800\\n",
        "\\u12",
        "\\u12g4",
        "\\x",
        "\\",
        "\u{1}",
        "\t",
        "\u{7f}",
        "12345678",
        "abcdefghijklmnopqrstuvwxyz0123456789",
    ];
    let string = |rng: &mut Rng, out: &mut String| {
        out.push('"');
        for _ in 0..rng.below(6) {
            out.push_str(rng.pick(PIECES));
        }
        out.push('"');
    };
    match rng.below(if depth == 0 { 4 } else { 7 }) {
        0 => string(rng, out),
        1 => out.push_str(rng.pick(&["0", "-0", "12", "-1.5e3", "1E400", "0.1", "01", "1."])),
        2 => out.push_str(rng.pick(&["true", "false", "null", "nul"])),
        3 => out.push_str(rng.pick(&["{}", "[]", " ", ""])),
        4 => {
            out.push('[');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                random_json(rng, depth - 1, out);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            // Few key names, so repeats are common; sometimes many keys.
            let names = [
                "a", "b", "\\u0061", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8",
            ];
            let count = if rng.below(4) == 0 { 12 } else { rng.below(5) };
            for i in 0..count {
                if i > 0 {
                    out.push(',');
                }
                if rng.below(3) == 0 {
                    out.push_str(&format!("\"{}\"", rng.pick(&names)));
                } else {
                    out.push_str(&format!("\"m{}\"", rng.below(40)));
                }
                out.push(':');
                random_json(rng, depth - 1, out);
            }
            out.push('}');
        }
    }
}

/// On random documents and random damage to them, `skip` refuses exactly
/// what `value` refuses, with the same error (the key stack and the
/// string loop against serde_json's map and the escape reader), and
/// whatever `value` reads serde_json reads the same (numbers and
/// duplicates aside, where PHP's rules differ).
#[test]
fn skip_agrees_with_value_on_random_documents() {
    let mut rng = Rng(0x5eed_0f15);
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..20_000 {
        let mut text = String::new();
        random_json(&mut rng, 6, &mut text);
        let mut bytes = text.into_bytes();
        if round % 3 == 1 && !bytes.is_empty() {
            let at = rng.below(bytes.len());
            bytes[at] = b"\"\\{}[],:u0 \x01"[rng.below(12)];
        }
        if round % 3 == 2 {
            let len = bytes.len();
            bytes.truncate(rng.below(len + 1));
        }
        for depth in [4, 128] {
            let built = Reader::new(&bytes, depth).and_then(|mut r| {
                r.skip_ws();
                let v = r.value(0)?;
                r.end()?;
                Ok(v)
            });
            let checked = Reader::new(&bytes, depth).and_then(|mut r| {
                r.skip_ws();
                r.skip(0)?;
                r.end()
            });
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(
                built.as_ref().map(|_| ()),
                checked.as_ref().copied(),
                "{text}"
            );
            match built {
                Ok(ours) if depth == 128 => {
                    accepted += 1;
                    if !text.contains("-0") && !text.contains("E400") {
                        let theirs: Value = serde_json::from_slice(&bytes).expect(&text);
                        assert_eq!(ours, theirs, "{text}");
                    }
                }
                Ok(_) => {}
                Err(_) => refused += 1,
            }
        }
    }
    // Both outcomes are well represented.
    assert!(accepted > 4_000 && refused > 10_000, "{accepted} {refused}");
}
