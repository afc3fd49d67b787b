//! What the user types: the commands, their options, and the parsers that
//! turn a bad value into a usage error (exit 2) that names the allowed
//! values, before any command runs.

use std::fmt;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use respsig::Limits;

const EXIT_VERIFY: &str = "\
Exit codes:
  0  verified: the signed payload is on standard output
  1  refused: why is on standard error
  2  usage error, or a key or input that cannot be read or used";

const EXIT_SIGN: &str = "\
Exit codes:
  0  signed: the envelope is on standard output
  1  the response was refused (not JSON, not an object, too deep)
  2  usage error, or a key or input that cannot be read or used";

const EXIT_KEYGEN: &str = "\
Exit codes:
  0  both key files written
  2  usage error, a file that exists (see --force), or generation failed";

const EXIT_CANONICALIZE: &str = "\
Exit codes:
  0  the canonical bytes are on standard output
  1  the document was refused (not JSON, or a number PHP cannot encode)
  2  usage error, or an input that cannot be read";

const EXIT_INSPECT: &str = "\
Exit codes:
  0  the envelope's claims are on standard output (NOT verified)
  1  the input is not an envelope
  2  usage error, or an input that cannot be read";

const EXIT_LICENSE_VERIFY: &str = "\
Exit codes:
  0  verified: the license is on standard output
  1  refused (signature, integrity, expiry or binding): why is on standard error
  2  usage error, or a key or input that cannot be read or used";

const EXIT_LICENSE_ISSUE: &str = "\
Exit codes:
  0  written: the license is on standard output
  1  the license object was refused
  2  usage error, or a key or input that cannot be read or used";

const EXIT_FINGERPRINT: &str = "\
Exit codes:
  0  one line per key on standard output
  2  usage error, or a file that cannot be read or is not a usable key";

const EXIT_ALL: &str = "\
Exit codes: 0 success; 1 refused (the envelope, license or document failed a
check); 2 usage error, or a key or input that cannot be read or used.
Each command's --help says what each code means for it.";

/// Verify and sign GetKeyManager signed responses and offline licenses.
#[derive(Parser, Debug)]
#[command(name = "respsig", version, about, long_about = None, after_help = EXIT_ALL)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Verify an envelope and print its signed payload.
    ///
    /// Prints the exact signed payload (the decoded response_base64) on
    /// standard output and exits 0; prints why the envelope was refused on
    /// standard error and exits 1.
    #[command(after_help = EXIT_VERIFY)]
    Verify(VerifyArgs),
    /// Sign a response object into an envelope, as the server does.
    #[command(after_help = EXIT_SIGN)]
    Sign(SignArgs),
    /// Generate an RSA key pair: NAME.pem (PKCS#8) and NAME.pub.pem (SPKI).
    #[command(after_help = EXIT_KEYGEN)]
    Keygen(KeygenArgs),
    /// Print the canonical bytes (PHP json_encode) of a JSON document,
    /// without a trailing newline.
    #[command(after_help = EXIT_CANONICALIZE)]
    Canonicalize(CanonicalizeArgs),
    /// Show what an envelope claims, WITHOUT verifying it.
    #[command(after_help = EXIT_INSPECT)]
    Inspect(InspectArgs),
    /// Offline licenses: .lic files and signed-JSON documents.
    #[command(subcommand)]
    License(LicenseCommand),
    /// Work with key files.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// May this app run now? A license state kept from signed bytes only.
    #[command(subcommand)]
    State(crate::state::StateCommand),
    /// Print this machine's hardware id as an official SDK computes it.
    HardwareId(crate::state::HardwareIdArgs),
}

#[derive(Subcommand, Debug)]
pub enum LicenseCommand {
    /// Verify a license (.lic or signed JSON, told apart by content) and
    /// print the license object.
    ///
    /// Also checks expiry against this machine's clock, and the binding
    /// when --hardware-id or --domain is given. Exits 0 with the license
    /// JSON on standard output, 1 when the file is refused.
    #[command(after_help = EXIT_LICENSE_VERIFY)]
    Verify(LicenseVerifyArgs),
    /// Write a license for a JSON object, to standard output.
    ///
    /// --format lic (the default) writes a .lic file: the object in its
    /// canonical form (PHP json_encode, as the server writes it) unless
    /// --exact is given, with respsig's integrity member first, cut into
    /// RSA blocks so that no cut or splice of files goes unnoticed.
    /// --format json writes a signed-JSON license as the PHP SDK reads it,
    /// with an RSA (--hash) or Ed25519 key. The output is
    /// read back with the public key before it is printed.
    #[command(after_help = EXIT_LICENSE_ISSUE)]
    Issue(LicenseIssueArgs),
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Print each key's SHA-256 fingerprint (of its SubjectPublicKeyInfo
    /// DER, lowercase hex), algorithm and path, to pin keys by.
    ///
    /// Takes public keys, or private keys (their public half is printed).
    #[command(after_help = EXIT_FINGERPRINT)]
    Fingerprint(FingerprintArgs),
}

// The options of each command. Their help is on the fields; the command's
// own help is on its `Command` variant above.

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("age").required(true).multiple(true)))]
pub struct VerifyArgs {
    #[command(flatten)]
    pub keys: PublicKeys,
    /// The hash RSA keys verify with [default: sha256]. Ed25519 keys have
    /// their hash built in and ignore it; --hash with no RSA key among the
    /// --key files is a usage error.
    #[arg(long, value_enum)]
    pub hash: Option<HashArg>,
    /// The age policy, one of three (required): the Unix time the request
    /// was sent at, for a live answer: refuse an answer signed more than
    /// --replay-window earlier, which answers an earlier request.
    #[arg(
        long,
        value_name = "UNIX_SECONDS",
        allow_negative_numbers = true,
        group = "age"
    )]
    pub sent_at: Option<i64>,
    /// The age policy for a stored answer: refuse one whose signed
    /// timestamp is older than this many seconds (with --sent-at: both).
    #[arg(long, value_name = "SECONDS", group = "age")]
    pub max_age: Option<u64>,
    /// The age policy for samples and audits: accept a genuine answer of
    /// any age (a recorded "valid" then verifies forever).
    #[arg(long, group = "age", conflicts_with_all = ["sent_at", "max_age"])]
    pub any_age: bool,
    /// With --sent-at: how long before the request an answer may be
    /// signed.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = respsig::DEFAULT_REPLAY_WINDOW.as_secs(),
        requires = "sent_at"
    )]
    pub replay_window: u64,
    /// How far ahead of this machine's clock a signed timestamp may be.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = respsig::DEFAULT_CLOCK_DRIFT.as_secs()
    )]
    pub clock_drift: u64,
    /// Require the envelope to verify under a key of this name (the
    /// envelope's own `private_key_used` is unsigned).
    #[arg(long, value_name = "NAME")]
    pub signed_by: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Print the payload indented instead of as the exact signed bytes
    /// (whitespace only: every token stays as signed).
    #[arg(long)]
    pub pretty: bool,
    /// Print nothing on standard error when the envelope verifies.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    pub keys: PrivateKeys,
    /// The hash an RSA key signs with [default: sha256]. An Ed25519 key
    /// has its hash built in: --hash with one is a usage error.
    #[arg(long, value_enum)]
    pub hash: Option<HashArg>,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Modulus size, in bits.
    #[arg(long, value_enum, default_value_t = Bits::B2048)]
    pub bits: Bits,
    /// The directory to write the two files to.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// The key's name (file stem), e.g. product or global.
    #[arg(long)]
    pub name: String,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct CanonicalizeArgs {
    /// As PHP's JSON_UNESCAPED_SLASHES: write `/` as is.
    #[arg(long)]
    pub unescaped_slashes: bool,
    /// As PHP's JSON_UNESCAPED_UNICODE: write non-ASCII as UTF-8
    /// (U+2028 and U+2029 stay escaped, as in PHP).
    #[arg(long)]
    pub unescaped_unicode: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct LicenseVerifyArgs {
    #[command(flatten)]
    pub keys: PublicKeys,
    #[command(flatten)]
    pub choice: KeyChoice,
    /// The hash RSA keys verify a signed-JSON license with [default:
    /// sha256], as the product's key is configured (the admin portal
    /// offers RSA-SHA512). Ed25519 keys have their hash built in; --hash
    /// with no RSA key among the --key files is a usage error. A .lic
    /// file has no hash: its blocks carry the license itself.
    #[arg(long, value_enum)]
    pub hash: Option<HashArg>,
    /// Require the license to be bound to this hardware id.
    #[arg(long, value_name = "ID")]
    pub hardware_id: Option<String>,
    /// Require the license to be bound to this domain.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// Accept a license this many seconds past its expiry (the PHP SDK
    /// allows 86400 for signed-JSON licenses).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub expiry_leeway: u64,
    /// Refuse a .lic file without the integrity member respsig's writer
    /// adds (files the license server writes have none).
    #[arg(long)]
    pub require_integrity: bool,
    /// Print the license indented instead of as its exact signed bytes.
    #[arg(long)]
    pub pretty: bool,
    /// Print nothing on standard error when the license verifies.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct LicenseIssueArgs {
    #[command(flatten)]
    pub keys: PrivateKeys,
    /// Write the file's bytes exactly as they are instead of their
    /// canonical form (they must still be one JSON object; .lic only).
    #[arg(long, conflicts_with = "format")]
    pub exact: bool,
    /// The format to write.
    #[arg(long, value_enum, default_value_t = LicenseFormatArg::Lic)]
    pub format: LicenseFormatArg,
    /// With --format json and an RSA key: the hash it signs with
    /// [default: sha256]. An Ed25519 key has its hash built in, and a .lic
    /// file has none (its blocks are the license itself): --hash with
    /// either is a usage error.
    #[arg(long, value_enum)]
    pub hash: Option<HashArg>,
    /// Print nothing on standard error.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct FingerprintArgs {
    /// Key files (PEM or DER; public or private).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

// The key options, declared once for every command that takes them.

/// Public keys, for the commands that verify.
#[derive(Args, Debug)]
pub struct PublicKeys {
    /// A public key: NAME=PATH (PEM or DER; RSA as SPKI or PKCS#1, Ed25519
    /// as SPKI or a raw 32-byte file). Repeat for several names, or for
    /// several keys under one name (rotation).
    #[arg(long = "key", value_name = "NAME=PATH", required = true, value_parser = parse_key)]
    pub list: Vec<KeyArg>,
}

/// Private keys and the one that signs, for the commands that sign.
#[derive(Args, Debug)]
pub struct PrivateKeys {
    /// A private key: NAME=PATH (PEM or DER; PKCS#8 RSA or Ed25519, or
    /// PKCS#1 RSA). Repeat to give several and choose one with --name.
    #[arg(long = "key", value_name = "NAME=PATH", required = true, value_parser = parse_key)]
    pub list: Vec<KeyArg>,
    #[command(flatten)]
    pub choice: KeyChoice,
}

/// Which of the --key names to use.
#[derive(Args, Debug)]
pub struct KeyChoice {
    /// Which --key name to use (for `sign`, the name written to
    /// private_key_used). May be left out when all keys have one name.
    #[arg(long)]
    pub name: Option<String>,
}

/// The input file of a command and the size it may have.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Refuse an input larger than this (bytes, or with a unit: 64KiB,
    /// 2MiB).
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = parse_size)]
    pub max_bytes: usize,
    /// The input file; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
}

/// `--key NAME=PATH`.
#[derive(Clone, Debug)]
pub struct KeyArg {
    pub name: String,
    pub path: PathBuf,
}

impl fmt::Display for KeyArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.path.display())
    }
}

pub(crate) fn parse_key(arg: &str) -> Result<KeyArg, String> {
    match arg.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            if name.len() > respsig::MAX_NAME_LEN {
                return Err(format!(
                    "the key name is longer than {} bytes",
                    respsig::MAX_NAME_LEN
                ));
            }
            Ok(KeyArg {
                name: name.to_owned(),
                path: PathBuf::from(path),
            })
        }
        _ => Err("expected NAME=PATH, e.g. product=keys/product.pub.pem".to_owned()),
    }
}

/// A size in bytes: a number, optionally followed by B, KiB or MiB (K and
/// M are taken as KiB and MiB).
fn parse_size(arg: &str) -> Result<usize, String> {
    let digits = arg.find(|c: char| !c.is_ascii_digit()).unwrap_or(arg.len());
    let (number, unit) = arg.split_at(digits);
    let scale: usize = match unit {
        "" | "B" => 1,
        "K" | "KiB" => 1 << 10,
        "M" | "MiB" => 1 << 20,
        _ => return Err("expected a size such as 1048576, 64KiB or 2MiB".to_owned()),
    };
    number
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&n| n > 0)
        .ok_or_else(|| "expected a size such as 1048576, 64KiB or 2MiB".to_owned())
}

// The default of `--max-bytes` is the library's.
const _: () = assert!(Limits::DEFAULT_MAX_INPUT_BYTES == 1 << 20);

/// The modulus sizes `keygen` offers.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bits {
    #[value(name = "2048")]
    B2048,
    #[value(name = "3072")]
    B3072,
    #[value(name = "4096")]
    B4096,
}

impl Bits {
    pub fn get(self) -> usize {
        match self {
            Bits::B2048 => 2048,
            Bits::B3072 => 3072,
            Bits::B4096 => 4096,
        }
    }
}

/// The hash RSA keys verify or sign with.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum HashArg {
    /// SHA-256 (the server's default).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl From<HashArg> for respsig::Hash {
    fn from(h: HashArg) -> Self {
        match h {
            HashArg::Sha256 => respsig::Hash::Sha256,
            HashArg::Sha384 => respsig::Hash::Sha384,
            HashArg::Sha512 => respsig::Hash::Sha512,
        }
    }
}

/// The format `license issue` writes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LicenseFormatArg {
    /// Base64 RSA blocks, with respsig's integrity member.
    Lic,
    /// {"license": ..., "signature": ...}, signed with an RSA key
    /// (SHA-256 unless --hash) or an Ed25519 key.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        for (arg, want) in [
            ("1", Ok(1)),
            ("1048576", Ok(1 << 20)),
            ("64KiB", Ok(64 << 10)),
            ("64K", Ok(64 << 10)),
            ("2MiB", Ok(2 << 20)),
            ("2M", Ok(2 << 20)),
            ("7B", Ok(7)),
        ] {
            assert_eq!(parse_size(arg), want, "{arg}");
        }
        for arg in [
            "",
            "0",
            "MiB",
            "1.5MiB",
            "1GiB",
            "-1",
            "1 MiB",
            "99999999999999999999",
        ] {
            assert!(parse_size(arg).is_err(), "{arg}");
        }
    }

    #[test]
    fn key_arguments() {
        let key = parse_key("product=keys/a=b.pem").unwrap();
        assert_eq!(
            (key.name.as_str(), key.path),
            ("product", PathBuf::from("keys/a=b.pem"))
        );
        for arg in ["product", "=x.pem", "product=", ""] {
            assert_eq!(
                parse_key(arg).unwrap_err(),
                "expected NAME=PATH, e.g. product=keys/product.pub.pem",
                "{arg}"
            );
        }
        let long = format!("{}=k.pem", "n".repeat(respsig::MAX_NAME_LEN + 1));
        assert!(parse_key(&long).is_err());
    }
}
