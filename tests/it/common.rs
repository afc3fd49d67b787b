//! Helpers shared by the integration tests. Test data comes from this
//! repository's `testdata/` only.

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use respsig::{Keyring, PublicKey, SigningKey};

pub fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

pub fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(path(rel)).unwrap_or_else(|e| panic!("testdata/{rel}: {e}"))
}

pub fn text(rel: &str) -> String {
    String::from_utf8(bytes(rel)).unwrap()
}

pub fn public(rel: &str) -> PublicKey {
    PublicKey::from_pem(&text(rel)).unwrap()
}

pub fn private(rel: &str) -> SigningKey {
    SigningKey::from_pem(&text(rel)).unwrap()
}

pub fn demo_key() -> PublicKey {
    public("gkm/gkm-demo-public.pem")
}

/// The demo key under both names the server uses.
pub fn demo_keyring() -> Keyring {
    Keyring::new()
        .with("product", demo_key())
        .unwrap()
        .with("global", demo_key())
        .unwrap()
}

/// One envelope of `gkm-docs-vectors.json` with its independent verdicts.
#[derive(serde::Deserialize, Debug, Clone)]
pub struct Vector {
    pub source: String,
    pub envelope: String,
    pub key_name: String,
    pub signature_valid: bool,
    pub response_matches_base64: bool,
    pub php_json_encode_of_response_equals_decoded_base64: bool,
}

pub fn vectors() -> Vec<Vector> {
    #[derive(serde::Deserialize)]
    struct File {
        vectors: Vec<Vector>,
    }
    let file: File = serde_json::from_slice(&bytes("gkm/gkm-docs-vectors.json")).unwrap();
    file.vectors
}

/// An external program, if it is installed. When `RESPSIG_REQUIRE_TOOLS=1`
/// (CI sets it) a missing program fails the test instead of skipping it.
pub fn tool(name: &str, version_arg: &str) -> Option<&'static str> {
    let found = Command::new(name)
        .arg(version_arg)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if found {
        return Some(Box::leak(name.to_owned().into_boxed_str()));
    }
    if std::env::var("RESPSIG_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("`{name}` is required (RESPSIG_REQUIRE_TOOLS=1) but not on the PATH");
    }
    eprintln!("SKIPPED: `{name}` is not on the PATH; install it to run this check");
    None
}

/// Runs `program` with `args`, `input` on its standard input (written from
/// a thread, so a large input and a large output cannot block each other),
/// and returns what it printed.
pub fn run(program: &str, args: &[&OsStr], input: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    output
}
