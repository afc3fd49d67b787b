//! The canonical writer's PHP flags (`canonical::Options`) against PHP 8.2:
//! for every input and each of the four combinations of
//! `JSON_UNESCAPED_SLASHES` and `JSON_UNESCAPED_UNICODE`,
//! `json_encode(json_decode($text), $flags)` must equal
//! `canonical::canonicalize_with(text, options)`, byte for byte.
//!
//! One `php` process per batch answers every line (objects as `stdClass`).
//! Without `php` these tests print SKIPPED and pass, unless
//! `RESPSIG_REQUIRE_TOOLS=1`.
use crate::common;

use std::io::Write as _;
use std::process::Command;

use base64::Engine as _;
use proptest::prelude::*;
use respsig::canonical::{self, Options};
use serde_json::{Map, Value};

const PHP_SCRIPT: &str = r#"
$flags = (int) $argv[2];
$f = fopen($argv[1], 'rb');
while (($line = fgets($f)) !== false) {
    $v = json_decode(rtrim($line, "\n"));
    if (json_last_error() != 0) { echo "ERR\n"; continue; }
    $out = json_encode($v, $flags);
    echo $out === false ? "ERR" : base64_encode($out), "\n";
}
"#;

/// PHP's constants (`php -r 'echo JSON_UNESCAPED_SLASHES, " ", JSON_UNESCAPED_UNICODE;'`: 64 256).
const COMBINATIONS: [(bool, bool, u32); 4] = [
    (false, false, 0),
    (true, false, 64),
    (false, true, 256),
    (true, true, 64 | 256),
];

fn options(slashes: bool, unicode: bool) -> Options {
    Options::new()
        .unescaped_slashes(slashes)
        .unescaped_unicode(unicode)
}

fn php_encode(php: &str, lines: &[String], flags: u32) -> Vec<Option<Vec<u8>>> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for line in lines {
        assert!(!line.contains('\n'));
        writeln!(file, "{line}").unwrap();
    }
    file.flush().unwrap();
    let output = Command::new(php)
        .arg("-r")
        .arg(PHP_SCRIPT)
        .arg("--")
        .arg(file.path())
        .arg(flags.to_string())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let answers: Vec<Option<Vec<u8>>> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| match l {
            "ERR" => None,
            b64 => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap(),
            ),
        })
        .collect();
    assert_eq!(answers.len(), lines.len());
    answers
}

/// Compares every line under every combination; returns the number of
/// comparisons.
fn compare(php: &str, lines: &[String]) -> usize {
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for (slashes, unicode, flags) in COMBINATIONS {
        let answers = php_encode(php, lines, flags);
        for (line, answer) in lines.iter().zip(&answers) {
            let ours = canonical::canonicalize_with(line.as_bytes(), options(slashes, unicode));
            compared += 1;
            if !matches!((answer, &ours), (Some(p), Ok(o)) if p == o) {
                mismatches.push(format!(
                    "flags {flags}: {line:?}\n  php:  {:?}\n  ours: {:?}",
                    answer.as_deref().map(String::from_utf8_lossy),
                    ours.as_deref().map(String::from_utf8_lossy)
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {compared} differ from PHP:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    compared
}

const FIXED: &[&str] = &[
    r#""""#,
    r#""a/b\/c https://example.com/x?y=1&z=/""#,
    r#""\"\\\/\b\f\n\r\t""#,
    r#""\u0000\u0001\u001f\u0020\u007f""#,
    "\"del \u{7f} raw\"",
    "\"caf\u{e9} Z\u{f6}e \u{682a}\u{5f0f}\u{4f1a}\u{793e}\"",
    r#""caf\u00E9""#,
    "\"line\u{2028}sep\u{2029}para\"",
    r#""\u2028\u2029 escaped""#,
    "\"\u{2027}\u{202a}\u{2030} neighbours\"",
    "\"\u{85}\u{a0}\u{ad} latin-1 controls and spaces\"",
    "\"\u{ffff}\u{fffe}\u{fffd}\u{feff}\"",
    "\"\u{1f600}\u{1f511} emoji\"",
    r#""\ud83d\ude00 escaped pair""#,
    "\"\u{10ffff}\u{10000}\"",
    "\"\u{0800}\u{07ff}\u{0080}\u{d7ff}\u{e000}\"",
    "{\"\u{e9}/\u{1f600}\":\"k/\u{2028}\"}",
    r#"{"\/key\"\\":"\/"}"#,
    r#"{"url":"https://dl.example.com/a/b.exe","price":19.99,"big":1.0e25,"small":1.5e-7,"whole":100.0}"#,
    r#"[0.1,-0.5,1e17,1e-5,-0.0,9223372036854775808]"#,
    "[\"/\",\"//\",\"\\\\/\",\"</script>\"]",
];

#[test]
fn fixed_cases_match_php_under_each_flag_combination() {
    let Some(php) = common::tool("php", "-v") else {
        return;
    };
    let lines: Vec<String> = FIXED.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(compare(php, &lines), 4 * FIXED.len());
}

/// Random strings over an alphabet of the characters the flags treat
/// differently (`/`, `\`, `"`, controls, U+007F, two- three- and four-byte
/// UTF-8, U+2028/U+2029 and their neighbours), from a fixed-seed generator
/// so a failure reproduces: 4,000 strings, each as a value and as a key.
#[test]
fn random_strings_match_php_under_each_flag_combination() {
    let Some(php) = common::tool("php", "-v") else {
        return;
    };
    const ALPHABET: &[char] = &[
        'a',
        'Z',
        '0',
        ' ',
        '/',
        '\\',
        '"',
        '\'',
        '<',
        '&',
        '\n',
        '\t',
        '\u{1}',
        '\u{1f}',
        '\u{7f}',
        '\u{80}',
        '\u{e9}',
        '\u{7ff}',
        '\u{800}',
        '\u{2027}',
        '\u{2028}',
        '\u{2029}',
        '\u{202a}',
        '\u{fffd}',
        '\u{ffff}',
        '\u{10000}',
        '\u{1f600}',
        '\u{10ffff}',
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut lines = Vec::new();
    for _ in 0..4_000 {
        let len = (next() % 12) as usize;
        let s: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let value = Value::String(s.clone());
        lines.push(serde_json::to_string(&value).unwrap());
        // Keys: `stdClass` cannot hold a property starting with NUL (none here).
        let mut map = Map::new();
        map.insert(s, value);
        lines.push(serde_json::to_string(&Value::Object(map)).unwrap());
    }
    assert_eq!(compare(php, &lines), 4 * 8_000);
}

fn json_value() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        any::<String>(),
        "[a/\\\\\"\u{7f}\u{e9}\u{2028}\u{2029}\u{1f600}]{0,8}".prop_map(String::from),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text.clone().prop_map(Value::String),
    ];
    let key = text.prop_filter("stdClass refuses a key starting with NUL", |k| {
        !k.starts_with('\0')
    });
    leaf.prop_recursive(3, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random documents: `to_vec_with` on the value and
    /// `canonicalize_with` on serde_json's text, against PHP.
    #[test]
    fn random_documents_match_php(value in json_value()) {
        let Some(php) = common::tool("php", "-v") else {
            return Ok(());
        };
        let text = serde_json::to_string(&value).unwrap();
        for (slashes, unicode, flags) in COMBINATIONS {
            let php_bytes = php_encode(php, std::slice::from_ref(&text), flags).remove(0);
            let ours = canonical::to_vec_with(&value, options(slashes, unicode));
            prop_assert_eq!(php_bytes.as_deref(), Some(ours.as_slice()), "flags {}: {}", flags, text);
        }
    }
}
